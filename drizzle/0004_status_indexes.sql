DROP INDEX "oauth_grants_profile_idx";--> statement-breakpoint
CREATE INDEX "mailboxes_failing_since_idx" ON "mailboxes" USING btree ("failing_since") WHERE "mailboxes"."failing_since" is not null;--> statement-breakpoint
CREATE INDEX "oauth_grants_profile_idx" ON "oauth_grants" USING btree ("profile_id","consented_at");