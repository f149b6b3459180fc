CREATE TYPE "public"."grant_standing" AS ENUM('ok', 'failing', 'revoked');
--> statement-breakpoint
CREATE TYPE "public"."token_standing" AS ENUM('none', 'healthy', 'refresh_failing', 'revoked');
--> statement-breakpoint
CREATE TABLE "mailbox_counts" (
	"field" text NOT NULL,
	"value" text NOT NULL,
	"change" integer NOT NULL
);
--> statement-breakpoint
DROP INDEX "oauth_grants_last_refresh_idx";
--> statement-breakpoint
DROP INDEX "oauth_grants_refresh_token_obtained_idx";
--> statement-breakpoint
DROP INDEX "oauth_grants_consented_idx";
--> statement-breakpoint
ALTER TABLE "mailboxes" ADD COLUMN "grant_standing" "grant_standing";
--> statement-breakpoint
ALTER TABLE "mailboxes" ADD COLUMN "grant_expires_at" timestamp with time zone;
--> statement-breakpoint
ALTER TABLE "mailboxes" ADD COLUMN "grant_refreshed_at" timestamp with time zone;
--> statement-breakpoint
ALTER TABLE "mailboxes" ADD COLUMN "grant_refresh_token_obtained_at" timestamp with time zone;
--> statement-breakpoint
ALTER TABLE "mailboxes" ADD COLUMN "grant_consented_at" timestamp with time zone;
--> statement-breakpoint
ALTER TABLE "mailboxes" ADD COLUMN "grant_refresh_due_at" timestamp with time zone GENERATED ALWAYS AS (case
        when grant_expires_at - coalesce(grant_refreshed_at, grant_consented_at)
          - least(greatest((grant_expires_at - coalesce(grant_refreshed_at, grant_consented_at)) / 3, interval '5 seconds'), interval '5 minutes')
          > interval '5 minutes'
        then timezone(interval '0', timezone(interval '0', grant_expires_at)
          - least(greatest((grant_expires_at - coalesce(grant_refreshed_at, grant_consented_at)) / 3, interval '5 seconds'), interval '5 minutes'))
      end) STORED;
--> statement-breakpoint
ALTER TABLE "mailboxes" ADD COLUMN "token_standing" "token_standing" GENERATED ALWAYS AS (case
          when grant_standing is null or connection = 'not_connected' then 'none'::token_standing
          when connection = 'needs_reconnect' or grant_standing = 'revoked' then 'revoked'::token_standing
          when grant_standing = 'failing' then 'refresh_failing'::token_standing
          else 'healthy'::token_standing
        end) STORED NOT NULL;
--> statement-breakpoint
-- The grants' status columns, copied onto their mailboxes (the triggers below keep them so).
UPDATE "mailboxes" AS m SET
  "grant_standing" = CASE WHEN g."revoked_at" IS NOT NULL THEN 'revoked' WHEN g."last_error" IS NOT NULL THEN 'failing' ELSE 'ok' END::grant_standing,
  "grant_expires_at" = nullif(g."access_token_expires_at", 'infinity'),
  "grant_refreshed_at" = nullif(g."last_refresh_at", 'infinity'),
  "grant_refresh_token_obtained_at" = nullif(g."refresh_token_obtained_at", 'infinity'),
  "grant_consented_at" = nullif(g."consented_at", 'infinity')
FROM "oauth_grants" AS g WHERE g."mailbox_id" = m."id";
--> statement-breakpoint
INSERT INTO "mailbox_counts" ("field", "value", "change")
SELECT counted.field, counted.value, count(*) FROM "mailboxes",
  LATERAL (VALUES ('status', "status"::text), ('approval', "approval"::text), ('connection', "connection"::text), ('token_standing', "token_standing"::text)) AS counted(field, value)
GROUP BY counted.field, counted.value;
--> statement-breakpoint
CREATE INDEX "mailboxes_token_expiry_idx" ON "mailboxes" USING btree ("token_standing","grant_expires_at","address","profile_id","status","grant_refresh_due_at","grant_consented_at");
--> statement-breakpoint
CREATE INDEX "mailboxes_token_refreshed_idx" ON "mailboxes" USING btree ("token_standing","grant_refreshed_at","address","profile_id","status");
--> statement-breakpoint
CREATE INDEX "mailboxes_token_obtained_idx" ON "mailboxes" USING btree ("token_standing","grant_refresh_token_obtained_at","address","profile_id","status");
--> statement-breakpoint
CREATE INDEX "mailboxes_token_consented_idx" ON "mailboxes" USING btree ("token_standing","grant_consented_at","address","profile_id","status");
--> statement-breakpoint
CREATE INDEX "mailboxes_token_failing_since_idx" ON "mailboxes" USING btree ("token_standing","failing_since","address") WHERE "mailboxes"."failing_since" is not null;
--> statement-breakpoint
CREATE INDEX "mailboxes_refresh_due_idx" ON "mailboxes" USING btree ("grant_refresh_due_at") WHERE "mailboxes"."token_standing" = 'healthy';
--> statement-breakpoint
CREATE INDEX "mailboxes_profile_consented_idx" ON "mailboxes" USING btree ("profile_id","grant_consented_at","token_standing","grant_refresh_due_at") WHERE "mailboxes"."token_standing" <> 'none';
--> statement-breakpoint
CREATE INDEX "mailboxes_profile_obtained_idx" ON "mailboxes" USING btree ("profile_id","grant_refresh_token_obtained_at") WHERE "mailboxes"."token_standing" <> 'none';
--> statement-breakpoint
CREATE INDEX "mailboxes_failure_code_idx" ON "mailboxes" USING btree (("status_reason" ->> 'code'),"profile_id") WHERE "mailboxes"."status" = 'failing';
--> statement-breakpoint
-- Which profiles, statuses, approvals, connections and standings go together: without these the
-- planner multiplies their shares as if they were independent, and walks a whole index in search of a
-- combination no mailbox has (a profile none of whose mailboxes fails, a healthy token that needs
-- reconnecting) instead of reading the few rows that match and sorting them.
CREATE STATISTICS "mailboxes_profile_states_stats" (mcv) ON "profile_id", "status", "token_standing" FROM "mailboxes";
--> statement-breakpoint
CREATE STATISTICS "mailboxes_states_stats" (mcv, dependencies) ON "status", "approval", "connection", "token_standing" FROM "mailboxes";
--> statement-breakpoint
-- Keeps the mailbox's copy of its grant in the grant's own statement. Grants are written before their
-- mailbox wherever both change in one transaction (connect, disconnect, refused refresh), so locking
-- the mailbox here keeps that order. Inserts and deletes are copied a statement at a time, for bulk
-- writes; an update a row at a time, and only when what is copied changes: a refresh lease, a check
-- or a key rotation leaves the mailbox alone and costs nothing.
CREATE FUNCTION copy_grants_to_mailboxes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Each statement names only the transition table its trigger has.
  IF TG_OP = 'DELETE' THEN
    UPDATE "mailboxes" AS m SET "grant_standing" = NULL, "grant_expires_at" = NULL, "grant_refreshed_at" = NULL,
      "grant_refresh_token_obtained_at" = NULL, "grant_consented_at" = NULL
    FROM old_grants AS g
    WHERE m."id" = g."mailbox_id";
  ELSE
    UPDATE "mailboxes" AS m SET
      "grant_standing" = CASE WHEN g."revoked_at" IS NOT NULL THEN 'revoked' WHEN g."last_error" IS NOT NULL THEN 'failing' ELSE 'ok' END::grant_standing,
      "grant_expires_at" = nullif(g."access_token_expires_at", 'infinity'),
      "grant_refreshed_at" = nullif(g."last_refresh_at", 'infinity'),
      "grant_refresh_token_obtained_at" = nullif(g."refresh_token_obtained_at", 'infinity'),
      "grant_consented_at" = nullif(g."consented_at", 'infinity')
    FROM new_grants AS g
    WHERE m."id" = g."mailbox_id";
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION copy_grant_to_mailbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW."mailbox_id" <> OLD."mailbox_id" THEN
    UPDATE "mailboxes" SET "grant_standing" = NULL, "grant_expires_at" = NULL, "grant_refreshed_at" = NULL,
      "grant_refresh_token_obtained_at" = NULL, "grant_consented_at" = NULL
    WHERE "id" = OLD."mailbox_id";
  END IF;
  UPDATE "mailboxes" SET
    "grant_standing" = CASE WHEN NEW."revoked_at" IS NOT NULL THEN 'revoked' WHEN NEW."last_error" IS NOT NULL THEN 'failing' ELSE 'ok' END::grant_standing,
    "grant_expires_at" = nullif(NEW."access_token_expires_at", 'infinity'),
    "grant_refreshed_at" = nullif(NEW."last_refresh_at", 'infinity'),
    "grant_refresh_token_obtained_at" = nullif(NEW."refresh_token_obtained_at", 'infinity'),
    "grant_consented_at" = nullif(NEW."consented_at", 'infinity')
  WHERE "id" = NEW."mailbox_id";
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "oauth_grants_copied_inserts" AFTER INSERT ON "oauth_grants" REFERENCING NEW TABLE AS new_grants FOR EACH STATEMENT EXECUTE FUNCTION copy_grants_to_mailboxes();
--> statement-breakpoint
CREATE TRIGGER "oauth_grants_copied_updates" AFTER UPDATE ON "oauth_grants" FOR EACH ROW
  WHEN ((OLD."mailbox_id", OLD."access_token_expires_at", OLD."last_refresh_at", OLD."refresh_token_obtained_at", OLD."consented_at",
      OLD."revoked_at" IS NULL, OLD."last_error" IS NULL)
    IS DISTINCT FROM (NEW."mailbox_id", NEW."access_token_expires_at", NEW."last_refresh_at", NEW."refresh_token_obtained_at", NEW."consented_at",
      NEW."revoked_at" IS NULL, NEW."last_error" IS NULL))
  EXECUTE FUNCTION copy_grant_to_mailbox();
--> statement-breakpoint
CREATE TRIGGER "oauth_grants_copied_deletes" AFTER DELETE ON "oauth_grants" REFERENCING OLD TABLE AS old_grants FOR EACH STATEMENT EXECUTE FUNCTION copy_grants_to_mailboxes();
--> statement-breakpoint
-- Adds what each write changed to mailbox_counts: rows of changes, never an update, so that concurrent
-- writers never wait on a counter; lib/tokens/health-summary.ts reads and folds them. Inserts and
-- deletes are counted a statement at a time, for bulk writes; an update a row at a time, and only when
-- it moves a counted value: a token refresh rewrites the mailbox's copy of its grant, not its standing.
CREATE FUNCTION count_mailbox_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    DELETE FROM "mailbox_counts";
  ELSIF TG_OP = 'INSERT' THEN
    INSERT INTO "mailbox_counts" ("field", "value", "change")
    SELECT counted.field, counted.value, count(*) FROM new_mailboxes,
      LATERAL (VALUES ('status', "status"::text), ('approval', "approval"::text), ('connection', "connection"::text), ('token_standing', "token_standing"::text)) AS counted(field, value)
    GROUP BY counted.field, counted.value;
  ELSE
    INSERT INTO "mailbox_counts" ("field", "value", "change")
    SELECT counted.field, counted.value, -count(*) FROM old_mailboxes,
      LATERAL (VALUES ('status', "status"::text), ('approval', "approval"::text), ('connection', "connection"::text), ('token_standing', "token_standing"::text)) AS counted(field, value)
    GROUP BY counted.field, counted.value;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION count_mailbox_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "mailbox_counts" ("field", "value", "change")
  SELECT moved.field, counted.value, counted.change
  FROM (VALUES ('status', OLD."status"::text, NEW."status"::text), ('approval', OLD."approval"::text, NEW."approval"::text),
      ('connection', OLD."connection"::text, NEW."connection"::text), ('token_standing', OLD."token_standing"::text, NEW."token_standing"::text))
    AS moved(field, before, after),
    LATERAL (VALUES (moved.before, -1), (moved.after, 1)) AS counted(value, change)
  WHERE moved.before <> moved.after;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "mailboxes_counted_inserts" AFTER INSERT ON "mailboxes" REFERENCING NEW TABLE AS new_mailboxes FOR EACH STATEMENT EXECUTE FUNCTION count_mailbox_changes();
--> statement-breakpoint
CREATE TRIGGER "mailboxes_counted_updates" AFTER UPDATE ON "mailboxes" FOR EACH ROW
  WHEN ((OLD."status", OLD."approval", OLD."connection", OLD."token_standing") IS DISTINCT FROM (NEW."status", NEW."approval", NEW."connection", NEW."token_standing"))
  EXECUTE FUNCTION count_mailbox_change();
--> statement-breakpoint
CREATE TRIGGER "mailboxes_counted_deletes" AFTER DELETE ON "mailboxes" REFERENCING OLD TABLE AS old_mailboxes FOR EACH STATEMENT EXECUTE FUNCTION count_mailbox_changes();
--> statement-breakpoint
CREATE TRIGGER "mailboxes_counted_truncates" AFTER TRUNCATE ON "mailboxes" FOR EACH STATEMENT EXECUTE FUNCTION count_mailbox_changes();
