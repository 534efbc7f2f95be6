-- CommentDesk's database roles: one group role per process, each granted only what that process does.
-- Not a migration: a DBA applies it after `commentd migrate`, connected to the CommentDesk database as the owner of
-- its tables (the role that ran the migrations), and again after upgrades that add tables:
--
--   psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -f sql/roles.sql
--
-- Then give each process a login role in its group (passwords in the process's secret store, never in this file):
--
--   CREATE ROLE commentd_api_prod LOGIN IN ROLE commentdesk_api;        -- commentd serve
--   CREATE ROLE commentd_worker_prod LOGIN IN ROLE commentdesk_worker;  -- commentd work
--   CREATE ROLE kim LOGIN IN ROLE commentdesk_moderator;                -- modctl, one per moderator
--   CREATE ROLE commentd_report_prod LOGIN IN ROLE commentdesk_report;  -- commentd report
--   \password commentd_api_prod                                         -- or SCRAM via your secret manager
--
-- `commentd migrate` itself runs as the owner. Re-running this file is safe.

DO $$
DECLARE
    name text;
BEGIN
    FOREACH name IN ARRAY ARRAY['commentdesk_api', 'commentdesk_worker', 'commentdesk_moderator', 'commentdesk_report'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = name) THEN
            EXECUTE format('CREATE ROLE %I NOLOGIN', name);
        END IF;
        EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), name);
        EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', current_schema(), name);
    END LOOP;
END
$$;

-- Start from nothing on every object, so a re-run after an upgrade also takes back what is no longer needed.
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM commentdesk_api, commentdesk_worker, commentdesk_moderator, commentdesk_report;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA public FROM commentdesk_api, commentdesk_worker, commentdesk_moderator, commentdesk_report;

-- The reader API (commentd serve): submits comments only through post_comment/submit_comment (SECURITY DEFINER, see
-- sql/0005_definer_functions.sql) and reads what readers may see. It cannot change a status, a decision or an account.
GRANT EXECUTE ON FUNCTION post_comment(text, text, text, text, text, text, timestamptz, timestamptz, integer) TO commentdesk_api;
GRANT EXECUTE ON FUNCTION submit_comment(text, text, text, text, text, text, timestamptz, timestamptz, text) TO commentdesk_api;
GRANT SELECT ON articles, comments, accounts, policy_versions, schema_migrations TO commentdesk_api;

-- The moderation worker (commentd work): leases queue rows, records automatic decisions, sets statuses.
GRANT SELECT, UPDATE, DELETE ON comment_queue TO commentdesk_worker;
GRANT SELECT ON comments, articles, accounts, policy_versions, moderation_decisions TO commentdesk_worker;
GRANT UPDATE (status, status_changed_at, reasons) ON comments TO commentdesk_worker;
GRANT INSERT ON moderation_decisions TO commentdesk_worker;

-- Moderators (modctl): read everything, decide, sanction, close articles, claim comments for review, activate
-- policies. History stays as written: no UPDATE or DELETE on decisions or sanctions (the append-only triggers refuse
-- them too), and no DELETE of comments.
GRANT SELECT ON ALL TABLES IN SCHEMA public TO commentdesk_moderator;
GRANT INSERT ON moderation_decisions, account_sanctions TO commentdesk_moderator;
GRANT UPDATE (status, status_changed_at, reasons) ON comments TO commentdesk_moderator;
GRANT UPDATE (status, suspended_until) ON accounts TO commentdesk_moderator;
GRANT UPDATE (comments_closed_at) ON articles TO commentdesk_moderator;
GRANT SELECT, INSERT, UPDATE, DELETE ON review_claims TO commentdesk_moderator;
GRANT INSERT, UPDATE (is_active, deactivated_at) ON policy_versions TO commentdesk_moderator;

-- The nightly report (commentd report): reads the domain, and writes only its own output table. It gathers the day
-- into a temporary table, which needs TEMP on the database.
GRANT SELECT ON comments, articles, accounts, moderation_decisions, account_sanctions, policy_versions TO commentdesk_report;
GRANT SELECT, INSERT, UPDATE ON policy_reports TO commentdesk_report;
DO $$ BEGIN EXECUTE format('GRANT TEMPORARY ON DATABASE %I TO commentdesk_report', current_database()); END $$;
