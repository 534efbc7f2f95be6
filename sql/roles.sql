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
-- Behind PgBouncer in transaction mode (DATABASE_DIRECT_URL set), commentd applies no session settings of its own:
-- give the login roles the ones it would have set (a role's settings apply to sessions it logs in, not to its
-- groups' members, so they go on the login roles):
--
--   ALTER ROLE commentd_api_prod SET statement_timeout = '5s';
--   ALTER ROLE commentd_api_prod SET max_parallel_workers_per_gather = 0;
--   ALTER ROLE commentd_api_prod SET jit = off;
--   ALTER ROLE commentd_worker_prod SET max_parallel_workers_per_gather = 0;
--   ALTER ROLE commentd_worker_prod SET jit = off;
--   ALTER ROLE commentd_worker_prod SET enable_bitmapscan = off;
--
-- `commentd migrate` itself runs as the owner. Re-running this file is safe.

DO $$
DECLARE
    name text;
BEGIN
    FOREACH name IN ARRAY ARRAY['commentdesk_api', 'commentdesk_worker', 'commentdesk_moderator', 'commentdesk_report'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = name) THEN
            -- Roles belong to the cluster: two databases set up at once may both find the role missing.
            BEGIN
                EXECUTE format('CREATE ROLE %I NOLOGIN', name);
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                NULL;
            END;
        END IF;
        EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), name);
        EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', current_schema(), name);
    END LOOP;
END
$$;

-- Start from nothing on every object, so a re-run after an upgrade also takes back what is no longer needed.
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM commentdesk_api, commentdesk_worker, commentdesk_moderator, commentdesk_report;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA public FROM commentdesk_api, commentdesk_worker, commentdesk_moderator, commentdesk_report;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM commentdesk_api, commentdesk_worker, commentdesk_moderator, commentdesk_report;

-- Temporary objects are how a caller slips its own tables in front of ours (pg_temp is searched first unless a
-- search_path says otherwise): nobody gets TEMP on this database by default, only the role that needs it (the report).
DO $$ BEGIN EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database()); END $$;
DO $$ BEGIN EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM commentdesk_api, commentdesk_worker, commentdesk_moderator', current_database()); END $$;

-- The reader API (commentd serve): posts only through post_comment and post_reply (SECURITY DEFINER with a pinned search_path, see
-- sql/0006_least_privilege.sql), which applies bans, closed articles, the policy's burst limit and idempotency itself;
-- reads a reader's own comment only through reader_comment. Otherwise it reads just what it serves, column by column:
-- published lists (no logins, token times or idempotency keys), the active policy, the schema version for readiness.
-- Flags only through flag_comment, which applies the same checks, the policy's flag limit and its hiding threshold.
-- It cannot change a status, a decision or an account, call submit_comment, or lock an account's row.
GRANT EXECUTE ON FUNCTION post_comment(text, text, text, text, text, text, timestamptz, timestamptz) TO commentdesk_api;
GRANT EXECUTE ON FUNCTION reader_comment(bigint, text, text) TO commentdesk_api;
GRANT EXECUTE ON FUNCTION begin_reader_login(text, text, text, text), finish_reader_login(text, text) TO commentdesk_api;
GRANT EXECUTE ON FUNCTION flag_comment(bigint, text, text, text, text, text) TO commentdesk_api;
GRANT EXECUTE ON FUNCTION post_reply(text, bigint, text, text, text, text, text, timestamptz, timestamptz) TO commentdesk_api;
GRANT EXECUTE ON FUNCTION edit_comment(bigint, text, text, text, text, timestamptz, timestamptz), delete_comment(bigint, text, text)
    TO commentdesk_api;
GRANT EXECUTE ON FUNCTION reader_export(text, text), request_reader_erasure(text, text), cancel_reader_erasure(text, text)
    TO commentdesk_api;
GRANT EXECUTE ON FUNCTION record_refused_posts(text[], bigint[], timestamptz) TO commentdesk_api;
GRANT SELECT (id, ref, published_version, published_changed_at) ON articles TO commentdesk_api;
GRANT SELECT (id, article_id, account_id, parent_id, body, submitted_at, status, erased_at) ON comments TO commentdesk_api;
GRANT SELECT (id, display_name) ON accounts TO commentdesk_api;
GRANT SELECT (id, version, sha256, document, files, is_active, activated_by, activated_at) ON policy_versions TO commentdesk_api;
GRANT SELECT ON schema_migrations TO commentdesk_api;

-- The moderation worker (commentd work): leases queue rows, records automatic decisions, sets statuses.
GRANT SELECT, UPDATE, DELETE ON comment_queue TO commentdesk_worker;
GRANT SELECT ON comments, articles, accounts, account_approvals, policy_versions, moderation_decisions TO commentdesk_worker;
GRANT UPDATE (status, status_changed_at, reasons) ON comments TO commentdesk_worker;
GRANT INSERT ON moderation_decisions TO commentdesk_worker;
GRANT USAGE ON SEQUENCE moderation_decisions_id_seq TO commentdesk_worker, commentdesk_moderator;
GRANT SELECT ON history_partitions TO commentdesk_worker, commentdesk_report;
GRANT EXECUTE ON FUNCTION maintain_history_partitions(integer, bigint, interval, interval) TO commentdesk_worker;
GRANT EXECUTE ON FUNCTION erase_due_accounts(integer), prune_rejected_text(integer) TO commentdesk_worker;
-- Its loops register while they sleep, so that posts notify only then (0013).
GRANT SELECT, INSERT, UPDATE, DELETE ON queue_waiters TO commentdesk_worker;
GRANT EXECUTE ON FUNCTION claim_webhook_deliveries(integer, integer), finish_webhook_delivery(bigint, boolean, text, integer)
    TO commentdesk_worker;

-- Moderators (modctl): read everything, decide, sanction, close articles, claim comments for review, activate
-- policies. History stays as written: no UPDATE or DELETE on decisions or sanctions (the append-only triggers refuse
-- them too), and no DELETE of comments.
GRANT SELECT ON ALL TABLES IN SCHEMA public TO commentdesk_moderator;
GRANT INSERT ON moderation_decisions, account_sanctions TO commentdesk_moderator;
GRANT UPDATE (status, status_changed_at, reasons) ON comments TO commentdesk_moderator;
GRANT UPDATE (status, suspended_until) ON accounts TO commentdesk_moderator;
GRANT UPDATE (comments_closed_at) ON articles TO commentdesk_moderator;
GRANT SELECT, INSERT, UPDATE, DELETE ON review_claims TO commentdesk_moderator;
GRANT UPDATE (resolved_by, resolved_at, upheld) ON comment_flags TO commentdesk_moderator;
GRANT EXECUTE ON FUNCTION build_reader_export(bigint, boolean), erase_account(bigint, text) TO commentdesk_moderator;
GRANT INSERT, UPDATE (removed_at) ON webhook_endpoints TO commentdesk_moderator;
GRANT INSERT, UPDATE (is_active, deactivated_at) ON policy_versions TO commentdesk_moderator;

-- The nightly report (commentd report): reads the domain, and writes only its own output table. It gathers the day
-- into a temporary table, which needs TEMP on the database.
GRANT SELECT ON comments, articles, accounts, moderation_decisions, account_sanctions, policy_versions, comment_flags,
    refused_posts TO commentdesk_report;
GRANT SELECT, INSERT, UPDATE ON policy_reports TO commentdesk_report;
DO $$ BEGIN EXECUTE format('GRANT TEMPORARY ON DATABASE %I TO commentdesk_report', current_database()); END $$;
