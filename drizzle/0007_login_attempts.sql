CREATE TABLE `login_attempts` (
	`key` text PRIMARY KEY NOT NULL,
	`hits_json` text DEFAULT '[]' NOT NULL,
	`last_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `login_attempts_last_idx` ON `login_attempts` (`last_at`);