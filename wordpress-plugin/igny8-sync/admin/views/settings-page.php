<?php
/**
 * The Settings → IGNY8 API page. Rendered by Igny8_Admin::render() with $notices (list of [type, text])
 * and $diag (Diagnose results or false). Everything printed is escaped here.
 *
 * @var array|false $notices
 * @var array|false $diag
 */

defined( 'ABSPATH' ) || exit;

$igny8_post_url  = admin_url( 'admin-post.php' );
$igny8_connected = Igny8_Settings::is_connected();
$igny8_key       = (string) get_option( 'igny8_api_key', '' );
$igny8_error     = Igny8_Settings::last_error();
$igny8_classes   = array(
	'success' => 'notice-success',
	'warning' => 'notice-warning',
	'error'   => 'notice-error',
	'ok'      => 'notice-success',
	'warn'    => 'notice-warning',
	'fail'    => 'notice-error',
);
?>
<div class="wrap igny8-sync">
	<h1><?php esc_html_e( 'IGNY8 API', 'igny8-sync' ); ?></h1>

	<?php foreach ( is_array( $notices ) ? $notices : array() as $igny8_n ) : ?>
		<div class="notice <?php echo esc_attr( $igny8_classes[ $igny8_n[0] ] ?? 'notice-info' ); ?> igny8-notice" data-type="<?php echo esc_attr( $igny8_n[0] ); ?>"><p><?php echo esc_html( $igny8_n[1] ); ?></p></div>
	<?php endforeach; ?>

	<h2><?php esc_html_e( 'Status', 'igny8-sync' ); ?></h2>
	<table class="widefat striped igny8-status" style="max-width:50em">
		<tbody>
			<tr><th scope="row"><?php esc_html_e( 'Connection', 'igny8-sync' ); ?></th><td id="igny8-status-connected"><?php echo $igny8_connected ? esc_html__( 'Connected', 'igny8-sync' ) : esc_html__( 'Not connected', 'igny8-sync' ); ?></td></tr>
			<tr><th scope="row"><?php esc_html_e( 'Site ID', 'igny8-sync' ); ?></th><td id="igny8-status-site"><?php echo esc_html( Igny8_Settings::site_id() ? (string) Igny8_Settings::site_id() : '—' ); ?></td></tr>
			<tr><th scope="row"><?php esc_html_e( 'Integration ID', 'igny8-sync' ); ?></th><td id="igny8-status-integration"><?php echo esc_html( Igny8_Settings::integration_id() ? (string) Igny8_Settings::integration_id() : '—' ); ?></td></tr>
			<tr><th scope="row"><?php esc_html_e( 'Last structure sync', 'igny8-sync' ); ?></th><td id="igny8-status-structure"><?php echo esc_html( Igny8_Admin::when( get_option( 'igny8_last_structure_sync' ) ) ); ?></td></tr>
			<tr><th scope="row"><?php esc_html_e( 'Last content sync', 'igny8-sync' ); ?></th><td id="igny8-status-content"><?php echo esc_html( Igny8_Admin::when( get_option( 'igny8_last_content_sync' ) ) ); ?></td></tr>
			<tr><th scope="row"><?php esc_html_e( 'Changes from IGNY8', 'igny8-sync' ); ?></th><td id="igny8-status-pushback"><?php echo esc_html( Igny8_Pushback::status_text() ); ?></td></tr>
			<tr><th scope="row"><?php esc_html_e( 'Last error', 'igny8-sync' ); ?></th><td id="igny8-status-error"><?php echo $igny8_error ? esc_html( Igny8_Admin::when( $igny8_error['time'] ) . ': ' . $igny8_error['message'] ) : esc_html__( 'none', 'igny8-sync' ); ?></td></tr>
		</tbody>
	</table>

	<h2><?php esc_html_e( 'Connection', 'igny8-sync' ); ?></h2>
	<form method="post" action="<?php echo esc_url( $igny8_post_url ); ?>" id="igny8-connect-form">
		<input type="hidden" name="action" value="igny8_connect">
		<?php wp_nonce_field( 'igny8_connect' ); ?>
		<table class="form-table" role="presentation">
			<tr>
				<th scope="row"><label for="igny8_api_base"><?php esc_html_e( 'API base URL', 'igny8-sync' ); ?></label></th>
				<td><input type="url" class="regular-text" id="igny8_api_base" name="igny8_api_base" required placeholder="https://igny8.example.com/api/v1" value="<?php echo esc_attr( Igny8_Settings::base_url() ); ?>"></td>
			</tr>
			<tr>
				<th scope="row"><label for="igny8_email"><?php esc_html_e( 'Email', 'igny8-sync' ); ?></label></th>
				<td><input type="email" class="regular-text" id="igny8_email" name="igny8_email" autocomplete="username" value="<?php echo esc_attr( (string) get_option( 'igny8_email', '' ) ); ?>"></td>
			</tr>
			<tr>
				<th scope="row"><label for="igny8_password"><?php esc_html_e( 'Password', 'igny8-sync' ); ?></label></th>
				<td><input type="password" class="regular-text" id="igny8_password" name="igny8_password" autocomplete="current-password" value="">
				<p class="description"><?php esc_html_e( 'Used once to log in; never stored.', 'igny8-sync' ); ?></p></td>
			</tr>
			<tr>
				<th scope="row"><label for="igny8_api_key"><?php esc_html_e( 'API key', 'igny8-sync' ); ?></label></th>
				<td><input type="password" class="regular-text" id="igny8_api_key" name="igny8_api_key" autocomplete="off" value=""
					placeholder="<?php echo esc_attr( '' !== $igny8_key ? sprintf( /* translators: %s: last characters of the key */ __( 'saved (…%s); leave empty to keep it', 'igny8-sync' ), substr( $igny8_key, -4 ) ) : '' ); ?>">
				<p class="description"><?php esc_html_e( 'The site API key from IGNY8. The plugin uses it for every request after connecting.', 'igny8-sync' ); ?></p></td>
			</tr>
		</table>
		<?php submit_button( __( 'Connect', 'igny8-sync' ), 'primary', 'igny8-connect', false ); ?>
	</form>

	<p class="igny8-actions">
		<?php foreach ( array( 'sync_now' => __( 'Sync now', 'igny8-sync' ), 'diagnose' => __( 'Diagnose', 'igny8-sync' ), 'disconnect' => __( 'Disconnect', 'igny8-sync' ) ) as $igny8_action => $igny8_label ) : ?>
			<form method="post" action="<?php echo esc_url( $igny8_post_url ); ?>" style="display:inline-block;margin-right:.5em" id="igny8-<?php echo esc_attr( str_replace( '_', '-', $igny8_action ) ); ?>-form">
				<input type="hidden" name="action" value="<?php echo esc_attr( 'igny8_' . $igny8_action ); ?>">
				<?php wp_nonce_field( 'igny8_' . $igny8_action ); ?>
				<?php submit_button( $igny8_label, 'secondary', 'igny8-' . str_replace( '_', '-', $igny8_action ), false, ( 'diagnose' !== $igny8_action && ! $igny8_connected ) ? array( 'disabled' => 'disabled' ) : null ); ?>
			</form>
		<?php endforeach; ?>
	</p>

	<?php if ( is_array( $diag ) ) : ?>
		<h2 id="igny8-diagnose-results"><?php esc_html_e( 'Diagnose', 'igny8-sync' ); ?></h2>
		<?php foreach ( $diag as $igny8_check ) : ?>
			<div class="notice inline <?php echo esc_attr( $igny8_classes[ $igny8_check['status'] ] ?? 'notice-info' ); ?> igny8-check" data-check="<?php echo esc_attr( $igny8_check['id'] ); ?>" data-status="<?php echo esc_attr( $igny8_check['status'] ); ?>">
				<p><strong><?php echo esc_html( $igny8_check['title'] ); ?></strong> — <?php echo esc_html( $igny8_check['message'] ); ?></p>
				<?php if ( '' !== $igny8_check['fix'] ) : ?>
					<p class="igny8-fix"><?php echo esc_html( $igny8_check['fix'] ); ?></p>
				<?php endif; ?>
			</div>
		<?php endforeach; ?>
	<?php endif; ?>

	<h2><?php esc_html_e( 'Content types', 'igny8-sync' ); ?></h2>
	<form method="post" action="<?php echo esc_url( $igny8_post_url ); ?>" id="igny8-types-form">
		<input type="hidden" name="action" value="igny8_save_types">
		<?php wp_nonce_field( 'igny8_save_types' ); ?>
		<table class="widefat striped" style="max-width:50em">
			<thead><tr><th><?php esc_html_e( 'Type', 'igny8-sync' ); ?></th><th><?php esc_html_e( 'Published / terms', 'igny8-sync' ); ?></th><th><?php esc_html_e( 'Sync', 'igny8-sync' ); ?></th><th><?php esc_html_e( 'Limit', 'igny8-sync' ); ?></th></tr></thead>
			<tbody>
			<?php
			$igny8_structure = Igny8_Structure::gather();
			foreach ( array( 'post_types', 'taxonomies' ) as $igny8_group ) :
				foreach ( (array) $igny8_structure[ $igny8_group ] as $igny8_slug => $igny8_t ) :
					$igny8_name = 'igny8_types[' . $igny8_group . '][' . $igny8_slug . ']';
					?>
				<tr>
					<td><?php echo esc_html( $igny8_t['label'] ); ?> <code><?php echo esc_html( $igny8_slug ); ?></code></td>
					<td><?php echo esc_html( number_format_i18n( $igny8_t['count'] ) ); ?></td>
					<td><input type="checkbox" name="<?php echo esc_attr( $igny8_name . '[enabled]' ); ?>" value="1" <?php checked( $igny8_t['enabled'] ); ?> aria-label="<?php echo esc_attr( sprintf( /* translators: %s: type label */ __( 'Sync %s', 'igny8-sync' ), $igny8_t['label'] ) ); ?>"></td>
					<td><input type="number" min="0" max="<?php echo esc_attr( (string) Igny8_Settings::MAX_LIMIT ); ?>" class="small-text" name="<?php echo esc_attr( $igny8_name . '[fetch_limit]' ); ?>" value="<?php echo esc_attr( (string) $igny8_t['fetch_limit'] ); ?>"></td>
				</tr>
					<?php
				endforeach;
			endforeach;
			?>
			</tbody>
		</table>
		<?php submit_button( __( 'Save content types', 'igny8-sync' ), 'secondary', 'igny8-save-types' ); ?>
	</form>
</div>
