-- CommentDesk schema: the whole data model (see ../shared/DESIGN.md, "Data model").
-- Applied by `commentd migrate` inside one transaction; never edit this file once applied (add a new one).
-- Vocabularies are text with CHECK constraints rather than enum types: they read clearly in psql and reports,
-- and a value can be added by a later migration without ALTER TYPE.

-- Readers, identified by their login provider. Status is maintained by modctl together with account_sanctions.
CREATE TABLE accounts (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    provider         text NOT NULL CONSTRAINT accounts_provider_known CHECK (provider IN ('twitter', 'facebook')),
    provider_subject text NOT NULL CONSTRAINT accounts_subject_length CHECK (length(provider_subject) BETWEEN 1 AND 255),
    display_name     text NOT NULL DEFAULT '' CONSTRAINT accounts_display_name_length CHECK (length(display_name) <= 100),
    status           text NOT NULL DEFAULT 'active'
                     CONSTRAINT accounts_status_known CHECK (status IN ('active', 'suspended', 'banned')),
    suspended_until  timestamptz,
    first_seen_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT accounts_provider_subject_unique UNIQUE (provider, provider_subject),
    CONSTRAINT accounts_suspension_has_end CHECK ((status = 'suspended') = (suspended_until IS NOT NULL))
);

-- The site's articles. Comments are closed from comments_closed_at on (NULL: open).
CREATE TABLE articles (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ref                text NOT NULL CONSTRAINT articles_ref_unique UNIQUE
                       CONSTRAINT articles_ref_format CHECK (ref ~ '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$'),
    url                text CONSTRAINT articles_url_length CHECK (length(url) <= 2048),
    title              text CONSTRAINT articles_title_length CHECK (length(title) <= 500),
    published_at       timestamptz,
    comments_closed_at timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now()
);

-- Every submission, as submitted (NFC). account_id is NULL for an anonymous submission from a direct producer;
-- the worker rejects those as login_required. The auth_* columns keep the verified login that came with it.
CREATE TABLE comments (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    article_id        bigint NOT NULL REFERENCES articles (id),
    account_id        bigint REFERENCES accounts (id),
    body              text NOT NULL CONSTRAINT comments_body_size CHECK (octet_length(body) <= 65536),
    submitted_at      timestamptz NOT NULL DEFAULT now(),
    status            text NOT NULL DEFAULT 'queued'
                      CONSTRAINT comments_status_known CHECK (status IN ('queued', 'approved', 'held', 'rejected', 'removed')),
    status_changed_at timestamptz NOT NULL DEFAULT now(),
    idempotency_key   text CONSTRAINT comments_idempotency_key_length CHECK (length(idempotency_key) BETWEEN 1 AND 255),
    auth_provider     text,
    auth_subject      text,
    auth_issued_at    timestamptz,
    auth_expires_at   timestamptz,
    producer          text NOT NULL DEFAULT 'api' CONSTRAINT comments_producer_length CHECK (length(producer) BETWEEN 1 AND 64)
);
-- A retried POST with the same Idempotency-Key finds the first comment.
CREATE UNIQUE INDEX comments_account_idempotency ON comments (account_id, idempotency_key)
    WHERE account_id IS NOT NULL AND idempotency_key IS NOT NULL;
-- Public listing: an article's approved comments, newest first, keyset-paginated on (submitted_at, id).
CREATE INDEX comments_article_approved ON comments (article_id, submitted_at DESC, id DESC) WHERE status = 'approved';
-- Rate limits, duplicates and history: an account's recent comments.
CREATE INDEX comments_account_recent ON comments (account_id, submitted_at DESC) WHERE account_id IS NOT NULL;
-- The moderators' queue: held comments, oldest first.
CREATE INDEX comments_held ON comments (submitted_at, id) WHERE status = 'held';
-- Nightly reports scan one day of submissions.
CREATE INDEX comments_submitted_at ON comments (submitted_at);

-- The work queue: one row per comment, leased by workers with a fencing token (DESIGN.md, "The queue").
CREATE TABLE comment_queue (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    comment_id       bigint NOT NULL CONSTRAINT comment_queue_comment_unique UNIQUE REFERENCES comments (id),
    state            text NOT NULL DEFAULT 'ready'
                     CONSTRAINT comment_queue_state_known CHECK (state IN ('ready', 'running', 'done', 'dead')),
    run_at           timestamptz NOT NULL DEFAULT now(),
    attempts         integer NOT NULL DEFAULT 0 CONSTRAINT comment_queue_attempts_nonnegative CHECK (attempts >= 0),
    max_attempts     integer NOT NULL DEFAULT 5 CONSTRAINT comment_queue_max_attempts_positive CHECK (max_attempts > 0),
    lease_token      uuid,
    lease_expires_at timestamptz,
    leased_by        text,
    last_error       text,
    enqueued_at      timestamptz NOT NULL DEFAULT now(),
    finished_at      timestamptz,
    CONSTRAINT comment_queue_lease_iff_running
        CHECK ((state = 'running') = (lease_token IS NOT NULL AND lease_expires_at IS NOT NULL)),
    CONSTRAINT comment_queue_finished_iff_final CHECK ((state IN ('done', 'dead')) = (finished_at IS NOT NULL))
) WITH (
    -- Rows churn constantly: vacuum early and often, and leave room for HOT updates.
    fillfactor = 70,
    autovacuum_vacuum_scale_factor = 0.01,
    autovacuum_vacuum_threshold = 1000,
    autovacuum_analyze_scale_factor = 0.02,
    autovacuum_vacuum_cost_delay = 0
);
-- Partial indexes: the claim reads only ready rows, the reaper only running ones, pruning only finished ones.
CREATE INDEX comment_queue_ready ON comment_queue (run_at, id) WHERE state = 'ready';
CREATE INDEX comment_queue_running ON comment_queue (lease_expires_at) WHERE state = 'running';
CREATE INDEX comment_queue_finished ON comment_queue (finished_at) WHERE state IN ('done', 'dead');

-- One payload-free NOTIFY per enqueueing statement (PostgreSQL folds repeats within a transaction), so commits
-- are not serialized by per-row notifications. Workers also poll, so a lost notification only delays.
CREATE FUNCTION comment_queue_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('comment_queue', '');
    RETURN NULL;
END
$$;
CREATE TRIGGER comment_queue_notify AFTER INSERT ON comment_queue
    FOR EACH STATEMENT EXECUTE FUNCTION comment_queue_notify();

-- Standards Board Policy versions: the YAML and the term-list files beside it, with the bundle's SHA-256.
CREATE TABLE policy_versions (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    version        text NOT NULL CONSTRAINT policy_versions_version_length CHECK (length(version) BETWEEN 1 AND 100),
    document       text NOT NULL,
    files          jsonb NOT NULL DEFAULT '{}' CONSTRAINT policy_versions_files_object CHECK (jsonb_typeof(files) = 'object'),
    sha256         text NOT NULL CONSTRAINT policy_versions_sha256_format CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    is_active      boolean NOT NULL DEFAULT false,
    activated_by   text NOT NULL,
    activated_at   timestamptz NOT NULL DEFAULT now(),
    deactivated_at timestamptz,
    CONSTRAINT policy_versions_active_not_deactivated CHECK (NOT (is_active AND deactivated_at IS NOT NULL))
);
-- Exactly one active policy at a time (at most one by this index; `commentd migrate` seeds the first).
CREATE UNIQUE INDEX policy_versions_one_active ON policy_versions ((true)) WHERE is_active;
CREATE INDEX policy_versions_activated_at ON policy_versions (activated_at);

-- Every moderation decision, automatic or by a moderator. Append-only: a reversal is a new row.
CREATE TABLE moderation_decisions (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    comment_id     bigint NOT NULL REFERENCES comments (id),
    source         text NOT NULL CONSTRAINT moderation_decisions_source_known CHECK (source IN ('automatic', 'moderator')),
    outcome        text NOT NULL CONSTRAINT moderation_decisions_outcome_known CHECK (outcome IN ('approve', 'hold', 'reject')),
    reasons        text[] NOT NULL DEFAULT '{}',
    hits           jsonb NOT NULL DEFAULT '[]' CONSTRAINT moderation_decisions_hits_array CHECK (jsonb_typeof(hits) = 'array'),
    policy_version bigint REFERENCES policy_versions (id),
    decided_by     text NOT NULL CONSTRAINT moderation_decisions_decided_by_length CHECK (length(decided_by) BETWEEN 1 AND 200),
    note           text CONSTRAINT moderation_decisions_note_length CHECK (length(note) <= 2000),
    decided_at     timestamptz NOT NULL DEFAULT now()
);
-- At most one automatic decision per comment: the last line of defence of exactly-once processing.
CREATE UNIQUE INDEX moderation_decisions_one_automatic ON moderation_decisions (comment_id) WHERE source = 'automatic';
CREATE INDEX moderation_decisions_comment ON moderation_decisions (comment_id, decided_at);
CREATE INDEX moderation_decisions_decided_at ON moderation_decisions (decided_at);
CREATE INDEX moderation_decisions_moderator ON moderation_decisions (decided_by, decided_at) WHERE source = 'moderator';

-- Warnings, suspensions, bans and unbans. Append-only like decisions.
CREATE TABLE account_sanctions (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES accounts (id),
    kind       text NOT NULL CONSTRAINT account_sanctions_kind_known CHECK (kind IN ('warn', 'suspend', 'ban', 'unban')),
    until      timestamptz,
    reason     text NOT NULL CONSTRAINT account_sanctions_reason_length CHECK (length(reason) BETWEEN 1 AND 1000),
    issued_by  text NOT NULL CONSTRAINT account_sanctions_issued_by_length CHECK (length(issued_by) BETWEEN 1 AND 200),
    issued_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT account_sanctions_until_iff_suspend CHECK ((kind = 'suspend') = (until IS NOT NULL))
);
CREATE INDEX account_sanctions_account ON account_sanctions (account_id, issued_at);
CREATE INDEX account_sanctions_issued_at ON account_sanctions (issued_at);

-- History cannot be edited: UPDATE, DELETE and TRUNCATE on the append-only tables are refused.
CREATE FUNCTION refuse_history_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'CD010', HINT = 'Record a new decision or sanction instead.';
END
$$;
CREATE TRIGGER moderation_decisions_append_only BEFORE UPDATE OR DELETE ON moderation_decisions
    FOR EACH ROW EXECUTE FUNCTION refuse_history_change();
CREATE TRIGGER moderation_decisions_no_truncate BEFORE TRUNCATE ON moderation_decisions
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_history_change();
CREATE TRIGGER account_sanctions_append_only BEFORE UPDATE OR DELETE ON account_sanctions
    FOR EACH ROW EXECUTE FUNCTION refuse_history_change();
CREATE TRIGGER account_sanctions_no_truncate BEFORE TRUNCATE ON account_sanctions
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_history_change();

-- A moderator's short claim on a held comment while reviewing it (modctl review), so two never see the same one.
CREATE TABLE review_claims (
    comment_id    bigint PRIMARY KEY REFERENCES comments (id),
    moderator     text NOT NULL,
    claimed_until timestamptz NOT NULL
);

-- Nightly policy reports: one row per report date (re-running a date replaces it), with the rendered outputs.
CREATE TABLE policy_reports (
    report_date  date PRIMARY KEY,
    time_zone    text NOT NULL,
    generated_at timestamptz NOT NULL DEFAULT now(),
    summary      jsonb NOT NULL,
    markdown     text NOT NULL,
    html         text NOT NULL,
    csv          text NOT NULL
);
