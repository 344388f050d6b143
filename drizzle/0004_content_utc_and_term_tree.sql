DROP INDEX `content_integration_type_idx`;--> statement-breakpoint
ALTER TABLE `content` ADD `modified_at_utc` text GENERATED ALWAYS AS (strftime('%Y-%m-%dT%H:%M:%fZ', modified_at)) VIRTUAL;--> statement-breakpoint
CREATE INDEX `content_integration_modified_idx` ON `content` (`integration_id`,`modified_at_utc`);--> statement-breakpoint
CREATE INDEX `content_integration_type_modified_idx` ON `content` (`integration_id`,`post_type`,`modified_at_utc`);--> statement-breakpoint
ALTER TABLE `content_taxonomy` ADD `tree_path` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `content_taxonomy` ADD `depth` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `content_taxonomy_tree_idx` ON `content_taxonomy` (`integration_id`,`taxonomy`,`tree_path`);