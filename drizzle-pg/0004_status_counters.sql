CREATE TABLE "status_counters" (
	"integration_id" bigint NOT NULL,
	"post_type" text COLLATE "C" NOT NULL,
	"status" text COLLATE "C" NOT NULL,
	"n" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "status_counters_integration_id_post_type_status_pk" PRIMARY KEY("integration_id","post_type","status")
);
--> statement-breakpoint
ALTER TABLE "status_counters" ADD CONSTRAINT "status_counters_integration_id_integrations_id_fk" FOREIGN KEY ("integration_id") REFERENCES "public"."integrations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- Counts the items stored before this migration; src/content/items.ts keeps the counters from then on.
INSERT INTO "status_counters" ("integration_id", "post_type", "status", "n")
SELECT "integration_id", "post_type", "status", count(*) FROM "content" GROUP BY "integration_id", "post_type", "status";
