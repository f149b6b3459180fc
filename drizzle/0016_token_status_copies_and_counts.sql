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
CREATE INDEX "mailboxes_token_expiry_idx" ON "mailboxes" USING btree ("token_standing","grant_expires_at","address");
--> statement-breakpoint
CREATE INDEX "mailboxes_token_refreshed_idx" ON "mailboxes" USING btree ("token_standing","grant_refreshed_at","address");
--> statement-breakpoint
CREATE INDEX "mailboxes_token_obtained_idx" ON "mailboxes" USING btree ("token_standing","grant_refresh_token_obtained_at","address");
--> statement-breakpoint
CREATE INDEX "mailboxes_token_consented_idx" ON "mailboxes" USING btree ("token_standing","grant_consented_at","address");
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
-- the mailbox here keeps that order. Only the mailboxes whose copy changes are written: a refresh
-- lease or a check leaves them alone.
CREATE FUNCTION copy_grants_to_mailboxes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Each statement names only the transition tables its trigger has.
  IF TG_OP = 'DELETE' THEN
    UPDATE "mailboxes" AS m SET "grant_standing" = NULL, "grant_expires_at" = NULL, "grant_refreshed_at" = NULL,
      "grant_refresh_token_obtained_at" = NULL, "grant_consented_at" = NULL
    FROM old_grants AS g
    WHERE m."id" = g."mailbox_id";
  ELSIF TG_OP = 'UPDATE' THEN
    UPDATE "mailboxes" AS m SET "grant_standing" = NULL, "grant_expires_at" = NULL, "grant_refreshed_at" = NULL,
      "grant_refresh_token_obtained_at" = NULL, "grant_consented_at" = NULL
    FROM old_grants AS g
    WHERE m."id" = g."mailbox_id" AND NOT EXISTS (SELECT 1 FROM new_grants AS n WHERE n."mailbox_id" = g."mailbox_id");
  END IF;
  IF TG_OP <> 'DELETE' THEN
    UPDATE "mailboxes" AS m SET
      "grant_standing" = c.standing, "grant_expires_at" = c.expires_at, "grant_refreshed_at" = c.refreshed_at,
      "grant_refresh_token_obtained_at" = c.obtained_at, "grant_consented_at" = c.consented_at
    FROM (
      SELECT g."mailbox_id",
        CASE WHEN g."revoked_at" IS NOT NULL THEN 'revoked' WHEN g."last_error" IS NOT NULL THEN 'failing' ELSE 'ok' END::grant_standing AS standing,
        nullif(g."access_token_expires_at", 'infinity') AS expires_at,
        nullif(g."last_refresh_at", 'infinity') AS refreshed_at,
        nullif(g."refresh_token_obtained_at", 'infinity') AS obtained_at,
        nullif(g."consented_at", 'infinity') AS consented_at
      FROM new_grants AS g
    ) AS c
    WHERE m."id" = c."mailbox_id"
      AND (m."grant_standing", m."grant_expires_at", m."grant_refreshed_at", m."grant_refresh_token_obtained_at", m."grant_consented_at")
        IS DISTINCT FROM (c.standing, c.expires_at, c.refreshed_at, c.obtained_at, c.consented_at);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "oauth_grants_copied_inserts" AFTER INSERT ON "oauth_grants" REFERENCING NEW TABLE AS new_grants FOR EACH STATEMENT EXECUTE FUNCTION copy_grants_to_mailboxes();
--> statement-breakpoint
CREATE TRIGGER "oauth_grants_copied_updates" AFTER UPDATE ON "oauth_grants" REFERENCING OLD TABLE AS old_grants NEW TABLE AS new_grants FOR EACH STATEMENT EXECUTE FUNCTION copy_grants_to_mailboxes();
--> statement-breakpoint
CREATE TRIGGER "oauth_grants_copied_deletes" AFTER DELETE ON "oauth_grants" REFERENCING OLD TABLE AS old_grants FOR EACH STATEMENT EXECUTE FUNCTION copy_grants_to_mailboxes();
--> statement-breakpoint
-- Adds what each statement changed to mailbox_counts: one row per value it moved, never an update,
-- so that concurrent writers never wait on a counter. lib/tokens/health-summary.ts reads and folds them.
CREATE FUNCTION count_mailbox_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    DELETE FROM "mailbox_counts";
  ELSIF TG_OP = 'INSERT' THEN
    INSERT INTO "mailbox_counts" ("field", "value", "change")
    SELECT counted.field, counted.value, count(*) FROM new_mailboxes,
      LATERAL (VALUES ('status', "status"::text), ('approval', "approval"::text), ('connection', "connection"::text), ('token_standing', "token_standing"::text)) AS counted(field, value)
    GROUP BY counted.field, counted.value;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO "mailbox_counts" ("field", "value", "change")
    SELECT counted.field, counted.value, -count(*) FROM old_mailboxes,
      LATERAL (VALUES ('status', "status"::text), ('approval', "approval"::text), ('connection', "connection"::text), ('token_standing', "token_standing"::text)) AS counted(field, value)
    GROUP BY counted.field, counted.value;
  ELSE
    INSERT INTO "mailbox_counts" ("field", "value", "change")
    SELECT counted.field, counted.value, sum(counted.change) FROM (
      SELECT 1 AS change, "status", "approval", "connection", "token_standing" FROM new_mailboxes
      UNION ALL
      SELECT -1, "status", "approval", "connection", "token_standing" FROM old_mailboxes
    ) AS moved,
      LATERAL (VALUES ('status', "status"::text, moved.change), ('approval', "approval"::text, moved.change),
        ('connection', "connection"::text, moved.change), ('token_standing', "token_standing"::text, moved.change)) AS counted(field, value, change)
    GROUP BY counted.field, counted.value
    HAVING sum(counted.change) <> 0;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "mailboxes_counted_inserts" AFTER INSERT ON "mailboxes" REFERENCING NEW TABLE AS new_mailboxes FOR EACH STATEMENT EXECUTE FUNCTION count_mailbox_changes();
--> statement-breakpoint
CREATE TRIGGER "mailboxes_counted_updates" AFTER UPDATE ON "mailboxes" REFERENCING OLD TABLE AS old_mailboxes NEW TABLE AS new_mailboxes FOR EACH STATEMENT EXECUTE FUNCTION count_mailbox_changes();
--> statement-breakpoint
CREATE TRIGGER "mailboxes_counted_deletes" AFTER DELETE ON "mailboxes" REFERENCING OLD TABLE AS old_mailboxes FOR EACH STATEMENT EXECUTE FUNCTION count_mailbox_changes();
--> statement-breakpoint
CREATE TRIGGER "mailboxes_counted_truncates" AFTER TRUNCATE ON "mailboxes" FOR EACH STATEMENT EXECUTE FUNCTION count_mailbox_changes();
