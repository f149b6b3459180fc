ALTER TYPE "public"."user_role" ADD VALUE 'service';--> statement-breakpoint
CREATE TABLE "mailbox_system_uses" (
	"mailbox_id" uuid PRIMARY KEY NOT NULL,
	"service_id" uuid,
	"used_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "server_profiles" ADD COLUMN "allow_access_tokens" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "profile_ids" uuid[];--> statement-breakpoint
ALTER TABLE "mailbox_system_uses" ADD CONSTRAINT "mailbox_system_uses_mailbox_id_mailboxes_id_fk" FOREIGN KEY ("mailbox_id") REFERENCES "public"."mailboxes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mailbox_system_uses" ADD CONSTRAINT "mailbox_system_uses_service_id_users_id_fk" FOREIGN KEY ("service_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;