CREATE TABLE `content_bodies` (
	`content_id` integer PRIMARY KEY NOT NULL,
	`body` text NOT NULL,
	FOREIGN KEY (`content_id`) REFERENCES `content`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `content_changes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`integration_id` integer NOT NULL,
	`kind` text NOT NULL,
	`external_id` integer,
	`post_type` text NOT NULL,
	`fields_json` text NOT NULL,
	`base_json` text DEFAULT '{}' NOT NULL,
	`base_modified_at` text,
	`state` text DEFAULT 'pending' NOT NULL,
	`delivery` text,
	`attempts` integer DEFAULT 0 NOT NULL,
	`error` text,
	`conflict_json` text,
	`lease_owner` text,
	`lease_expires_at` integer,
	`next_attempt_at` integer,
	`created_by` integer,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`applied_at` text,
	FOREIGN KEY (`integration_id`) REFERENCES `integrations`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `content_changes_integration_state_idx` ON `content_changes` (`integration_id`,`state`,`id`);--> statement-breakpoint
CREATE INDEX `content_changes_integration_post_idx` ON `content_changes` (`integration_id`,`external_id`);--> statement-breakpoint
CREATE INDEX `content_changes_due_idx` ON `content_changes` (`state`,`next_attempt_at`);--> statement-breakpoint
CREATE TABLE `plugin_endpoints` (
	`integration_id` integer PRIMARY KEY NOT NULL,
	`url` text,
	`secret_enc` text,
	`registered_at` text,
	`last_seen_at` text,
	FOREIGN KEY (`integration_id`) REFERENCES `integrations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `content` ADD `excerpt` text;--> statement-breakpoint
ALTER TABLE `content` ADD `published_at` text;--> statement-breakpoint
ALTER TABLE `content` ADD `author_id` integer;--> statement-breakpoint
ALTER TABLE `content` ADD `author_name` text;