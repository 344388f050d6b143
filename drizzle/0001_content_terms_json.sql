DROP TABLE `content_term_links`;--> statement-breakpoint
ALTER TABLE `content` ADD `terms_json` text DEFAULT '{}' NOT NULL;