DROP INDEX "content_integration_modified_idx";--> statement-breakpoint
DROP INDEX "content_integration_type_modified_idx";--> statement-breakpoint
CREATE INDEX "content_integration_modified_idx" ON "content" USING btree ("integration_id","modified_at_utc" NULLS FIRST,"id");--> statement-breakpoint
CREATE INDEX "content_integration_type_modified_idx" ON "content" USING btree ("integration_id","post_type","modified_at_utc" NULLS FIRST,"id");