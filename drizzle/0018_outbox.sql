CREATE TYPE "public"."outbox_status" AS ENUM('queued', 'sending', 'sent', 'failed');--> statement-breakpoint
CREATE TABLE "outbox_messages" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"mailbox_id" uuid NOT NULL,
	"requested_by_id" uuid,
	"idempotency_key" text,
	"request_hash" text NOT NULL,
	"status" "outbox_status" DEFAULT 'queued' NOT NULL,
	"recipients" jsonb NOT NULL,
	"subject" text NOT NULL,
	"content" jsonb,
	"message_id_header" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"lease_until" timestamp with time zone,
	"handoff_started_at" timestamp with time zone,
	"last_attempt_at" timestamp with time zone,
	"server_response" text,
	"error" jsonb,
	"sent_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "server_profiles" ADD COLUMN "send_rate_per_minute" integer DEFAULT 30 NOT NULL;--> statement-breakpoint
ALTER TABLE "server_profiles" ADD COLUMN "queued_message_expiry_hours" integer DEFAULT 24 NOT NULL;--> statement-breakpoint
ALTER TABLE "outbox_messages" ADD CONSTRAINT "outbox_messages_mailbox_id_mailboxes_id_fk" FOREIGN KEY ("mailbox_id") REFERENCES "public"."mailboxes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outbox_messages" ADD CONSTRAINT "outbox_messages_requested_by_id_users_id_fk" FOREIGN KEY ("requested_by_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "outbox_messages_mailbox_idx" ON "outbox_messages" USING btree ("mailbox_id","created_at");--> statement-breakpoint
CREATE INDEX "outbox_messages_mailbox_attempt_idx" ON "outbox_messages" USING btree ("mailbox_id","last_attempt_at");--> statement-breakpoint
CREATE UNIQUE INDEX "outbox_messages_idempotency_idx" ON "outbox_messages" USING btree ("requested_by_id","idempotency_key") WHERE "outbox_messages"."idempotency_key" is not null;--> statement-breakpoint
CREATE INDEX "outbox_messages_due_idx" ON "outbox_messages" USING btree ("next_attempt_at") WHERE "outbox_messages"."status" = 'queued';--> statement-breakpoint
CREATE INDEX "outbox_messages_lease_idx" ON "outbox_messages" USING btree ("lease_until") WHERE "outbox_messages"."lease_until" is not null;