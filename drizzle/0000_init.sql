CREATE TYPE "public"."approval_state" AS ENUM('pending', 'approved', 'rejected');--> statement-breakpoint
CREATE TYPE "public"."auth_type" AS ENUM('oauth2_code', 'oauth2_device', 'password');--> statement-breakpoint
CREATE TYPE "public"."connection_state" AS ENUM('not_connected', 'connected', 'needs_reconnect');--> statement-breakpoint
CREATE TYPE "public"."incoming_protocol" AS ENUM('imap', 'pop3');--> statement-breakpoint
CREATE TYPE "public"."mailbox_status" AS ENUM('inactive', 'active', 'failing', 'disabled');--> statement-breakpoint
CREATE TYPE "public"."oauth_flow" AS ENUM('code', 'device');--> statement-breakpoint
CREATE TYPE "public"."publishing_status" AS ENUM('production', 'testing');--> statement-breakpoint
CREATE TYPE "public"."server_type" AS ENUM('gmail', 'microsoft365', 'custom');--> statement-breakpoint
CREATE TYPE "public"."sync_mode" AS ENUM('server_side', 'none');--> statement-breakpoint
CREATE TYPE "public"."test_direction" AS ENUM('incoming', 'outgoing');--> statement-breakpoint
CREATE TYPE "public"."test_status" AS ENUM('not_run', 'success', 'failure');--> statement-breakpoint
CREATE TYPE "public"."transport_security" AS ENUM('tls', 'starttls', 'none');--> statement-breakpoint
CREATE TYPE "public"."user_role" AS ENUM('admin', 'owner', 'support');--> statement-breakpoint
CREATE TABLE "api_keys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"name" text NOT NULL,
	"key_hash" text NOT NULL,
	"prefix" text NOT NULL,
	"created_by_id" uuid,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "api_keys_key_hash_unique" UNIQUE("key_hash")
);
--> statement-breakpoint
CREATE TABLE "audit_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor_id" uuid,
	"actor_label" text NOT NULL,
	"action" text NOT NULL,
	"target_type" text NOT NULL,
	"target_id" text,
	"mailbox_id" uuid,
	"profile_id" uuid,
	"detail" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "connection_test_steps" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"test_id" uuid NOT NULL,
	"direction" "test_direction" NOT NULL,
	"name" text NOT NULL,
	"ok" boolean NOT NULL,
	"duration_ms" integer NOT NULL,
	"detail" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "connection_tests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"mailbox_id" uuid NOT NULL,
	"started_by_id" uuid,
	"ok" boolean,
	"activated" boolean DEFAULT false NOT NULL,
	"incoming" jsonb NOT NULL,
	"outgoing" jsonb NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "mailboxes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"address" text NOT NULL,
	"owner_id" uuid NOT NULL,
	"profile_id" uuid NOT NULL,
	"shared" boolean DEFAULT false NOT NULL,
	"connected_as" text,
	"incoming" "sync_mode" DEFAULT 'server_side' NOT NULL,
	"outgoing" "sync_mode" DEFAULT 'server_side' NOT NULL,
	"approval" "approval_state" DEFAULT 'pending' NOT NULL,
	"connection" "connection_state" DEFAULT 'not_connected' NOT NULL,
	"status" "mailbox_status" DEFAULT 'inactive' NOT NULL,
	"incoming_status" "test_status" DEFAULT 'not_run' NOT NULL,
	"outgoing_status" "test_status" DEFAULT 'not_run' NOT NULL,
	"status_reason" jsonb,
	"failing_since" timestamp with time zone,
	"last_test_at" timestamp with time zone,
	"password" text,
	"password_hint" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "mailboxes_address_unique" UNIQUE("address")
);
--> statement-breakpoint
CREATE TABLE "oauth_authorizations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"flow" "oauth_flow" NOT NULL,
	"state_hash" text,
	"user_id" uuid NOT NULL,
	"mailbox_id" uuid NOT NULL,
	"profile_id" uuid NOT NULL,
	"code_verifier" text,
	"device_code" text,
	"user_code" text,
	"verification_uri" text,
	"poll_interval_seconds" integer,
	"redirect_uri" text,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	"outcome" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "oauth_authorizations_state_hash_unique" UNIQUE("state_hash")
);
--> statement-breakpoint
CREATE TABLE "oauth_grants" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"mailbox_id" uuid NOT NULL,
	"profile_id" uuid NOT NULL,
	"account" text NOT NULL,
	"scopes" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"access_token" text,
	"access_token_expires_at" timestamp with time zone,
	"refresh_token" text,
	"refresh_token_obtained_at" timestamp with time zone,
	"consented_at" timestamp with time zone NOT NULL,
	"last_refresh_at" timestamp with time zone,
	"last_error" jsonb,
	"revoked_at" timestamp with time zone,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "oauth_grants_mailbox_id_unique" UNIQUE("mailbox_id")
);
--> statement-breakpoint
CREATE TABLE "reconnect_links" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"token_hash" text NOT NULL,
	"mailbox_id" uuid NOT NULL,
	"created_by_id" uuid,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "reconnect_links_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "server_profiles" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"server_type" "server_type" NOT NULL,
	"auth_type" "auth_type" NOT NULL,
	"client_id" text,
	"client_secret" text,
	"client_secret_hint" text,
	"client_secret_expires_at" timestamp with time zone,
	"tenant" text,
	"publishing_status" "publishing_status",
	"authorization_endpoint" text,
	"token_endpoint" text,
	"device_endpoint" text,
	"revocation_endpoint" text,
	"userinfo_endpoint" text,
	"scopes" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"incoming_protocol" "incoming_protocol" DEFAULT 'imap' NOT NULL,
	"incoming_host" text NOT NULL,
	"incoming_port" integer NOT NULL,
	"incoming_security" "transport_security" NOT NULL,
	"outgoing_host" text NOT NULL,
	"outgoing_port" integer NOT NULL,
	"outgoing_security" "transport_security" NOT NULL,
	"allow_self_signed" boolean DEFAULT false NOT NULL,
	"internal_server" boolean DEFAULT false NOT NULL,
	"is_default" boolean DEFAULT false NOT NULL,
	"mailbox_cap" integer,
	"mailbox_count" integer DEFAULT 0 NOT NULL,
	"process_email_from" timestamp with time zone,
	"min_polling_interval_minutes" integer DEFAULT 5 NOT NULL,
	"max_concurrent_connections" integer DEFAULT 10 NOT NULL,
	"move_failed_to_undeliverable" boolean DEFAULT false NOT NULL,
	"connection_timeout_seconds" integer DEFAULT 30 NOT NULL,
	"client_error" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "server_profiles_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"email" text NOT NULL,
	"name" text,
	"role" "user_role" NOT NULL,
	"password_hash" text,
	"deactivated_at" timestamp with time zone,
	"last_sign_in_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "users_email_unique" UNIQUE("email")
);
--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_created_by_id_users_id_fk" FOREIGN KEY ("created_by_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "audit_events" ADD CONSTRAINT "audit_events_actor_id_users_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "connection_test_steps" ADD CONSTRAINT "connection_test_steps_test_id_connection_tests_id_fk" FOREIGN KEY ("test_id") REFERENCES "public"."connection_tests"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "connection_tests" ADD CONSTRAINT "connection_tests_mailbox_id_mailboxes_id_fk" FOREIGN KEY ("mailbox_id") REFERENCES "public"."mailboxes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "connection_tests" ADD CONSTRAINT "connection_tests_started_by_id_users_id_fk" FOREIGN KEY ("started_by_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mailboxes" ADD CONSTRAINT "mailboxes_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "mailboxes" ADD CONSTRAINT "mailboxes_profile_id_server_profiles_id_fk" FOREIGN KEY ("profile_id") REFERENCES "public"."server_profiles"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "oauth_authorizations" ADD CONSTRAINT "oauth_authorizations_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "oauth_authorizations" ADD CONSTRAINT "oauth_authorizations_mailbox_id_mailboxes_id_fk" FOREIGN KEY ("mailbox_id") REFERENCES "public"."mailboxes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "oauth_authorizations" ADD CONSTRAINT "oauth_authorizations_profile_id_server_profiles_id_fk" FOREIGN KEY ("profile_id") REFERENCES "public"."server_profiles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "oauth_grants" ADD CONSTRAINT "oauth_grants_mailbox_id_mailboxes_id_fk" FOREIGN KEY ("mailbox_id") REFERENCES "public"."mailboxes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "oauth_grants" ADD CONSTRAINT "oauth_grants_profile_id_server_profiles_id_fk" FOREIGN KEY ("profile_id") REFERENCES "public"."server_profiles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reconnect_links" ADD CONSTRAINT "reconnect_links_mailbox_id_mailboxes_id_fk" FOREIGN KEY ("mailbox_id") REFERENCES "public"."mailboxes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reconnect_links" ADD CONSTRAINT "reconnect_links_created_by_id_users_id_fk" FOREIGN KEY ("created_by_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "api_keys_user_idx" ON "api_keys" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "audit_events_at_idx" ON "audit_events" USING btree ("at");--> statement-breakpoint
CREATE INDEX "audit_events_mailbox_idx" ON "audit_events" USING btree ("mailbox_id","at");--> statement-breakpoint
CREATE INDEX "audit_events_profile_idx" ON "audit_events" USING btree ("profile_id","at");--> statement-breakpoint
CREATE INDEX "connection_test_steps_test_idx" ON "connection_test_steps" USING btree ("test_id","id");--> statement-breakpoint
CREATE INDEX "connection_tests_mailbox_idx" ON "connection_tests" USING btree ("mailbox_id","started_at");--> statement-breakpoint
CREATE INDEX "mailboxes_profile_idx" ON "mailboxes" USING btree ("profile_id","address");--> statement-breakpoint
CREATE INDEX "mailboxes_owner_idx" ON "mailboxes" USING btree ("owner_id","address");--> statement-breakpoint
CREATE INDEX "mailboxes_status_idx" ON "mailboxes" USING btree ("status","address");--> statement-breakpoint
CREATE INDEX "mailboxes_approval_idx" ON "mailboxes" USING btree ("approval","address");--> statement-breakpoint
CREATE INDEX "mailboxes_connection_idx" ON "mailboxes" USING btree ("connection","address");--> statement-breakpoint
CREATE INDEX "oauth_authorizations_mailbox_idx" ON "oauth_authorizations" USING btree ("mailbox_id");--> statement-breakpoint
CREATE INDEX "oauth_authorizations_expiry_idx" ON "oauth_authorizations" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "oauth_grants_profile_idx" ON "oauth_grants" USING btree ("profile_id");--> statement-breakpoint
CREATE INDEX "oauth_grants_expiry_idx" ON "oauth_grants" USING btree ("access_token_expires_at");--> statement-breakpoint
CREATE INDEX "reconnect_links_mailbox_idx" ON "reconnect_links" USING btree ("mailbox_id");--> statement-breakpoint
CREATE UNIQUE INDEX "server_profiles_one_default_idx" ON "server_profiles" USING btree ("is_default") WHERE "server_profiles"."is_default";