ALTER TABLE "oauth_grants" ADD COLUMN "refresh_lease_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "oauth_grants" ADD COLUMN "last_checked_at" timestamp with time zone;