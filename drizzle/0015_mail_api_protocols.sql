CREATE TYPE "public"."outgoing_protocol" AS ENUM('smtp', 'graph', 'gmail_api');--> statement-breakpoint
ALTER TYPE "public"."incoming_protocol" ADD VALUE 'graph';--> statement-breakpoint
ALTER TYPE "public"."incoming_protocol" ADD VALUE 'gmail_api';--> statement-breakpoint
ALTER TABLE "server_profiles" ALTER COLUMN "incoming_host" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "server_profiles" ALTER COLUMN "incoming_port" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "server_profiles" ALTER COLUMN "incoming_security" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "server_profiles" ALTER COLUMN "outgoing_host" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "server_profiles" ALTER COLUMN "outgoing_port" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "server_profiles" ALTER COLUMN "outgoing_security" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "server_profiles" ADD COLUMN "outgoing_protocol" "outgoing_protocol" DEFAULT 'smtp' NOT NULL;--> statement-breakpoint
ALTER TABLE "server_profiles" ADD COLUMN "api_endpoint" text;