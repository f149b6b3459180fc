CREATE TABLE "mailbox_import_batches" (
	"import_id" uuid NOT NULL,
	"first_line" integer NOT NULL,
	"rows" jsonb NOT NULL,
	CONSTRAINT "mailbox_import_batches_import_id_first_line_pk" PRIMARY KEY("import_id","first_line")
);
--> statement-breakpoint
CREATE TABLE "mailbox_imports" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"job_id" uuid,
	"dry_run" boolean NOT NULL,
	"csv" text NOT NULL,
	"row_count" integer NOT NULL,
	"actor_id" uuid,
	"actor_label" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "mailbox_imports_job_id_unique" UNIQUE("job_id")
);
--> statement-breakpoint
ALTER TABLE "mailbox_import_batches" ADD CONSTRAINT "mailbox_import_batches_import_id_mailbox_imports_id_fk" FOREIGN KEY ("import_id") REFERENCES "public"."mailbox_imports"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mailbox_imports" ADD CONSTRAINT "mailbox_imports_actor_id_users_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "mailbox_imports_created_idx" ON "mailbox_imports" USING btree ("created_at");