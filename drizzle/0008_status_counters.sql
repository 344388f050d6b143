CREATE TABLE `status_counters` (
	`integration_id` integer NOT NULL,
	`post_type` text NOT NULL,
	`status` text NOT NULL,
	`n` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`integration_id`, `post_type`, `status`),
	FOREIGN KEY (`integration_id`) REFERENCES `integrations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
-- Counts the items stored before this migration; src/content/items.ts keeps the counters from then on.
INSERT INTO `status_counters` (`integration_id`, `post_type`, `status`, `n`)
SELECT `integration_id`, `post_type`, `status`, count(*) FROM `content` GROUP BY `integration_id`, `post_type`, `status`;
