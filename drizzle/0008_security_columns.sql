CREATE TYPE "public"."token_endpoint_auth_method" AS ENUM('client_secret_post', 'client_secret_basic');--> statement-breakpoint
ALTER TABLE "oauth_authorizations" ADD COLUMN "nonce" text;--> statement-breakpoint
ALTER TABLE "oauth_authorizations" ADD COLUMN "last_polled_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "oauth_grants" ADD COLUMN "account_subject" text;--> statement-breakpoint
ALTER TABLE "server_profiles" ADD COLUMN "token_endpoint_auth_method" "token_endpoint_auth_method" DEFAULT 'client_secret_post' NOT NULL;--> statement-breakpoint
ALTER TABLE "server_profiles" ADD COLUMN "issuer" text;--> statement-breakpoint
ALTER TABLE "server_profiles" ADD COLUMN "jwks_endpoint" text;--> statement-breakpoint
ALTER TABLE "server_profiles" ADD COLUMN "trusted_certificates" jsonb DEFAULT '[]'::jsonb NOT NULL;