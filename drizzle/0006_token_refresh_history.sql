CREATE TABLE "token_refreshes" (
	"mailbox_id" uuid NOT NULL,
	"slot" integer NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"ok" boolean NOT NULL,
	"rotated" boolean DEFAULT false NOT NULL,
	"error" jsonb,
	CONSTRAINT "token_refreshes_mailbox_id_slot_pk" PRIMARY KEY("mailbox_id","slot")
);
--> statement-breakpoint
ALTER TABLE "oauth_grants" ADD COLUMN "refresh_attempts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "token_refreshes" ADD CONSTRAINT "token_refreshes_mailbox_id_mailboxes_id_fk" FOREIGN KEY ("mailbox_id") REFERENCES "public"."mailboxes"("id") ON DELETE cascade ON UPDATE no action;