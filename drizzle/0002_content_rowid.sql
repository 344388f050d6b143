PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_content` (
	`id` integer PRIMARY KEY NOT NULL,
	`integration_id` integer NOT NULL,
	`external_id` integer NOT NULL,
	`post_type` text NOT NULL,
	`title` text DEFAULT '' NOT NULL,
	`slug` text DEFAULT '' NOT NULL,
	`status` text DEFAULT '' NOT NULL,
	`url` text DEFAULT '' NOT NULL,
	`modified_at` text,
	`seo_title` text,
	`seo_description` text,
	`terms_json` text DEFAULT '{}' NOT NULL,
	`fingerprint` text DEFAULT '' NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (`integration_id`) REFERENCES `integrations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
INSERT INTO `__new_content`("id", "integration_id", "external_id", "post_type", "title", "slug", "status", "url", "modified_at", "seo_title", "seo_description", "terms_json", "fingerprint", "created_at", "updated_at") SELECT "id", "integration_id", "external_id", "post_type", "title", "slug", "status", "url", "modified_at", "seo_title", "seo_description", "terms_json", "fingerprint", "created_at", "updated_at" FROM `content`;--> statement-breakpoint
DROP TABLE `content`;--> statement-breakpoint
ALTER TABLE `__new_content` RENAME TO `content`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE UNIQUE INDEX `content_integration_external_uq` ON `content` (`integration_id`,`external_id`);--> statement-breakpoint
CREATE INDEX `content_integration_type_idx` ON `content` (`integration_id`,`post_type`,`modified_at`);--> statement-breakpoint
CREATE TABLE `__new_content_taxonomy` (
	`id` integer PRIMARY KEY NOT NULL,
	`integration_id` integer NOT NULL,
	`taxonomy` text NOT NULL,
	`external_id` integer NOT NULL,
	`name` text DEFAULT '' NOT NULL,
	`slug` text DEFAULT '' NOT NULL,
	`parent_external_id` integer DEFAULT 0 NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`fingerprint` text DEFAULT '' NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')) NOT NULL,
	FOREIGN KEY (`integration_id`) REFERENCES `integrations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
INSERT INTO `__new_content_taxonomy`("id", "integration_id", "taxonomy", "external_id", "name", "slug", "parent_external_id", "description", "fingerprint", "created_at", "updated_at") SELECT "id", "integration_id", "taxonomy", "external_id", "name", "slug", "parent_external_id", "description", "fingerprint", "created_at", "updated_at" FROM `content_taxonomy`;--> statement-breakpoint
DROP TABLE `content_taxonomy`;--> statement-breakpoint
ALTER TABLE `__new_content_taxonomy` RENAME TO `content_taxonomy`;--> statement-breakpoint
CREATE UNIQUE INDEX `content_taxonomy_integration_tax_external_uq` ON `content_taxonomy` (`integration_id`,`taxonomy`,`external_id`);--> statement-breakpoint
CREATE INDEX `content_taxonomy_parent_idx` ON `content_taxonomy` (`integration_id`,`taxonomy`,`parent_external_id`);