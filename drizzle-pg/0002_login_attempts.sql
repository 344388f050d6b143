CREATE TABLE "login_attempts" (
	"key" text COLLATE "C" PRIMARY KEY NOT NULL,
	"hits_json" text COLLATE "C" DEFAULT '[]' NOT NULL,
	"last_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE INDEX "login_attempts_last_idx" ON "login_attempts" USING btree ("last_at");