DROP INDEX "mailboxes_failing_since_idx";--> statement-breakpoint
CREATE INDEX "oauth_grants_last_refresh_idx" ON "oauth_grants" USING btree ("last_refresh_at");--> statement-breakpoint
CREATE INDEX "oauth_grants_refresh_token_obtained_idx" ON "oauth_grants" USING btree ("refresh_token_obtained_at");--> statement-breakpoint
CREATE INDEX "oauth_grants_consented_idx" ON "oauth_grants" USING btree ("consented_at");--> statement-breakpoint
CREATE INDEX "mailboxes_failing_since_idx" ON "mailboxes" USING btree ("failing_since","address") WHERE "mailboxes"."failing_since" is not null;