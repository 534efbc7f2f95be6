-- Readers' rights (issue 20, PIPA / GDPR): an export of everything stored about a reader, and erasure.
--
-- Export: build_reader_export() assembles one JSON document; the reader's own copy (reader_export, for the API)
-- leaves out who among the moderators decided and their notes (other people's data); modctl's copy has everything.
--
-- Erasure: the reader's comments lose their text and every trace of the login (the subject in the comment rows, token
-- times, idempotency keys and fingerprints), the account loses its provider subject and display name, the flags the
-- reader sent lose their notes, and the decisions' hits lose the words they matched. Statuses, reasons, times and
-- counts stay, so the nightly report's past figures do not change; erased comments are never listed again. History is
-- otherwise append-only: the one UPDATE the decision table allows is this scrub, inside erase_account().
-- A reader's own request is scheduled after a grace period and carried out by the worker's maintenance.

ALTER TABLE accounts ADD COLUMN erased_at timestamptz;
ALTER TABLE comments ADD COLUMN erased_at timestamptz;
COMMENT ON COLUMN accounts.erased_at IS 'When the reader''s data was erased (the row stays, pseudonymous, for counts).';
COMMENT ON COLUMN comments.erased_at IS 'When the text was erased (with its author''s data); never listed again.';

-- Erasures asked for: by a moderator (done at once) or by the reader (due after the grace period).
CREATE TABLE account_erasures (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id   bigint NOT NULL REFERENCES accounts (id),
    requested_by text NOT NULL CONSTRAINT account_erasures_requested_by_length CHECK (length(requested_by) BETWEEN 1 AND 200),
    requested_at timestamptz NOT NULL DEFAULT now(),
    due_at       timestamptz NOT NULL,
    erased_at    timestamptz,
    cancelled_at timestamptz
);
CREATE UNIQUE INDEX account_erasures_one_pending ON account_erasures (account_id) WHERE erased_at IS NULL AND cancelled_at IS NULL;
CREATE INDEX account_erasures_due ON account_erasures (due_at) WHERE erased_at IS NULL AND cancelled_at IS NULL;

-- The decisions stay append-only, except for erasure's scrub of the matched words (hits) and the note.
CREATE OR REPLACE FUNCTION refuse_history_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'moderation_decisions' AND current_setting('commentdesk.erasing', true) = 'on'
       AND (to_jsonb(NEW) - 'hits' - 'note') = (to_jsonb(OLD) - 'hits' - 'note') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'CD010', HINT = 'Record a new decision or sanction instead.';
END
$$;

-- Everything stored about the account `account_id`, as one JSON document. `full`: with moderators' names and notes.
CREATE FUNCTION build_reader_export(account_id bigint, full_record boolean) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'account', jsonb_build_object(
            'provider', a.provider, 'subject', a.provider_subject, 'displayName', a.display_name, 'status', a.status,
            'suspendedUntil', a.suspended_until, 'firstSeenAt', a.first_seen_at, 'erasedAt', a.erased_at),
        'comments', coalesce((
            SELECT jsonb_agg(jsonb_build_object(
                'id', c.id, 'article', ar.ref, 'body', c.body, 'status', c.status, 'reasons', to_jsonb(c.reasons),
                'submittedAt', c.submitted_at, 'statusChangedAt', c.status_changed_at, 'parentId', c.parent_id,
                'revisionOf', c.revision_of, 'replacedBy', c.replaced_by, 'erasedAt', c.erased_at,
                'login', jsonb_build_object('provider', c.auth_provider, 'subject', c.auth_subject, 'issuedAt', c.auth_issued_at,
                                            'expiresAt', c.auth_expires_at),
                'decisions', coalesce((
                    SELECT jsonb_agg(jsonb_build_object(
                        'at', d.decided_at, 'source', d.source, 'outcome', d.outcome, 'reasons', to_jsonb(d.reasons),
                        'by', CASE WHEN full_record OR d.source <> 'moderator' THEN d.decided_by ELSE 'a moderator' END,
                        'note', CASE WHEN full_record OR d.source = 'author' THEN d.note END) ORDER BY d.decided_at, d.id)
                    FROM moderation_decisions d WHERE d.comment_id = c.id), '[]'::jsonb)) ORDER BY c.submitted_at, c.id)
            FROM comments c JOIN articles ar ON ar.id = c.article_id WHERE c.account_id = a.id), '[]'::jsonb),
        'sanctions', coalesce((
            SELECT jsonb_agg(jsonb_build_object(
                'kind', s.kind, 'until', s.until, 'reason', s.reason, 'at', s.issued_at,
                'by', CASE WHEN full_record THEN s.issued_by ELSE 'a moderator' END) ORDER BY s.issued_at, s.id)
            FROM account_sanctions s WHERE s.account_id = a.id), '[]'::jsonb),
        'flags', coalesce((
            SELECT jsonb_agg(jsonb_build_object(
                'comment', f.comment_id, 'reason', f.reason, 'note', f.note, 'at', f.flagged_at, 'upheld', f.upheld)
                ORDER BY f.flagged_at, f.id)
            FROM comment_flags f WHERE f.account_id = a.id), '[]'::jsonb),
        'erasure', (
            SELECT jsonb_build_object('requestedAt', e.requested_at, 'dueAt', e.due_at, 'erasedAt', e.erased_at)
            FROM account_erasures e WHERE e.account_id = a.id AND e.cancelled_at IS NULL ORDER BY e.id DESC LIMIT 1),
        'exportedAt', now())
    FROM accounts a WHERE a.id = build_reader_export.account_id
$$;

-- The reader's own export, for the API: NULL when the login has no account (nothing is stored).
CREATE FUNCTION reader_export(provider text, subject text) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT build_reader_export(a.id, false) FROM accounts a
    WHERE a.provider = reader_export.provider AND a.provider_subject = reader_export.subject
$$;

-- Erases account `account_id` now (see the top of this file). Returns the number of comments whose text was erased.
CREATE FUNCTION erase_account(account_id bigint, erased_by text) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    v_comments  integer;
    v_pattern   text;
    v_pseudonym text;
BEGIN
    PERFORM 1 FROM accounts a WHERE a.id = erase_account.account_id FOR UPDATE;
    PERFORM set_config('commentdesk.erasing', 'on', true);
    UPDATE moderation_decisions d
    SET hits = (SELECT coalesce(jsonb_agg(h - 'matched' - 'start' - 'end'), '[]'::jsonb) FROM jsonb_array_elements(d.hits) h),
        note = CASE WHEN d.source = 'author' THEN NULL ELSE d.note END
    WHERE d.comment_id IN (SELECT c.id FROM comments c WHERE c.account_id = erase_account.account_id);
    PERFORM set_config('commentdesk.erasing', 'off', true);
    UPDATE comments c
    SET body = '', idempotency_key = NULL, request_fingerprint = NULL, auth_subject = NULL, auth_issued_at = NULL,
        auth_expires_at = NULL, erased_at = coalesce(c.erased_at, now())
    WHERE c.account_id = erase_account.account_id;
    GET DIAGNOSTICS v_comments = ROW_COUNT;
    UPDATE comment_flags f SET note = NULL WHERE f.account_id = erase_account.account_id;
    -- Stored reports name sanctioned accounts as provider:subject: that name becomes the pseudonym, as a whole word only
    -- (twitter:1 must not touch twitter:12).
    SELECT '(?<![A-Za-z0-9_:.@-])' || regexp_replace(a.provider || ':' || a.provider_subject, '([.^$*+?()\[\]{}|\\-])', '\\\1', 'g')
           || '(?![A-Za-z0-9_.@-])', 'erased:' || a.id
    INTO v_pattern, v_pseudonym
    FROM accounts a WHERE a.id = erase_account.account_id AND a.erased_at IS NULL;
    IF v_pattern IS NOT NULL THEN
        UPDATE policy_reports r
        SET summary = regexp_replace(r.summary::text, v_pattern, v_pseudonym, 'g')::jsonb,
            markdown = regexp_replace(r.markdown, v_pattern, v_pseudonym, 'g'),
            html = regexp_replace(r.html, v_pattern, v_pseudonym, 'g'),
            csv = regexp_replace(r.csv, v_pattern, v_pseudonym, 'g')
        WHERE r.summary::text ~ v_pattern;
    END IF;
    UPDATE accounts a SET provider_subject = 'erased:' || a.id, display_name = '', erased_at = coalesce(a.erased_at, now())
    WHERE a.id = erase_account.account_id;
    UPDATE account_erasures e SET erased_at = now()
    WHERE e.account_id = erase_account.account_id AND e.erased_at IS NULL AND e.cancelled_at IS NULL;
    IF NOT FOUND THEN
        INSERT INTO account_erasures (account_id, requested_by, due_at, erased_at)
        VALUES (erase_account.account_id, erase_account.erased_by, now(), now());
    END IF;
    RETURN v_comments;
END
$$;

-- A reader asks for erasure: due after `grace` (the policy's, passed by the API from the active version), cancelled if
-- they ask again to keep their account (cancel_reader_erasure). Returns when it is due.
CREATE FUNCTION request_reader_erasure(provider text, subject text) RETURNS timestamptz
LANGUAGE plpgsql AS $$
DECLARE
    v_account bigint;
    v_due     timestamptz;
BEGIN
    SELECT a.id INTO v_account FROM accounts a
    WHERE a.provider = request_reader_erasure.provider AND a.provider_subject = request_reader_erasure.subject FOR UPDATE;
    IF v_account IS NULL THEN
        RAISE EXCEPTION 'no such comment of this reader' USING ERRCODE = 'CD013';
    END IF;
    SELECT e.due_at INTO v_due FROM account_erasures e
    WHERE e.account_id = v_account AND e.erased_at IS NULL AND e.cancelled_at IS NULL;
    IF v_due IS NULL THEN
        INSERT INTO account_erasures (account_id, requested_by, due_at)
        VALUES (v_account, 'reader', now() + make_interval(days => (SELECT p.erasure_grace_days FROM policy_versions p WHERE p.is_active)))
        RETURNING due_at INTO v_due;
    END IF;
    RETURN v_due;
END
$$;

CREATE FUNCTION cancel_reader_erasure(provider text, subject text) RETURNS boolean
LANGUAGE sql AS $$
    UPDATE account_erasures e SET cancelled_at = now()
    FROM accounts a
    WHERE a.id = e.account_id AND a.provider = cancel_reader_erasure.provider AND a.provider_subject = cancel_reader_erasure.subject
      AND e.erased_at IS NULL AND e.cancelled_at IS NULL
    RETURNING true
$$;

ALTER TABLE policy_versions
    ADD COLUMN erasure_grace_days integer NOT NULL DEFAULT 7
        CONSTRAINT policy_versions_erasure_grace_range CHECK (erasure_grace_days BETWEEN 0 AND 90),
    ADD COLUMN rejected_text_days integer
        CONSTRAINT policy_versions_rejected_text_range CHECK (rejected_text_days >= 1);
COMMENT ON COLUMN policy_versions.erasure_grace_days IS 'Days between a reader''s erasure request and the erasure (privacy.erasure_grace_days).';
COMMENT ON COLUMN policy_versions.rejected_text_days IS
    'Rejected and removed comments lose their text this many days after the decision (privacy.rejected_text_days; NULL: kept).';

-- Makes functions definer functions as 0006 does (this schema first, pg_temp explicitly last) callable only by the
-- roles sql/roles.sql grants them to. For migrations from here on; the owner runs it.
CREATE FUNCTION make_definer_functions(functions regprocedure[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    fn regprocedure;
BEGIN
    FOREACH fn IN ARRAY functions LOOP
        EXECUTE format('ALTER FUNCTION %s SECURITY DEFINER SET search_path = pg_catalog, %I, pg_temp', fn, current_schema());
        EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', fn);
    END LOOP;
END
$$;
REVOKE EXECUTE ON FUNCTION make_definer_functions(regprocedure[]) FROM PUBLIC;

SELECT make_definer_functions(ARRAY[
    'reader_export(text, text)', 'request_reader_erasure(text, text)', 'cancel_reader_erasure(text, text)', 'erase_account(bigint, text)'
]::regprocedure[]);
REVOKE EXECUTE ON FUNCTION build_reader_export(bigint, boolean) FROM PUBLIC;

-- The worker's maintenance: erasures whose grace period has passed, and the retention of rejected text.
CREATE FUNCTION erase_due_accounts(max_accounts integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    v_account bigint;
    v_done    integer := 0;
BEGIN
    FOR v_account IN
        SELECT e.account_id FROM account_erasures e
        WHERE e.due_at <= now() AND e.erased_at IS NULL AND e.cancelled_at IS NULL
        ORDER BY e.due_at LIMIT max_accounts
        FOR UPDATE SKIP LOCKED
    LOOP
        PERFORM erase_account(v_account, 'reader request');
        v_done := v_done + 1;
    END LOOP;
    RETURN v_done;
END
$$;

-- Rejected and removed comments lose their text (and the decisions' matched words) once the active policy's
-- privacy.rejected_text_days have passed since they were decided; at most `max_comments` a call.
CREATE FUNCTION prune_rejected_text(max_comments integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    v_days  integer;
    v_ids   bigint[];
BEGIN
    SELECT p.rejected_text_days INTO v_days FROM policy_versions p WHERE p.is_active;
    IF v_days IS NULL THEN
        RETURN 0;
    END IF;
    SELECT array_agg(c.id) INTO v_ids FROM (
        SELECT c.id FROM comments c
        WHERE c.status IN ('rejected', 'removed') AND c.erased_at IS NULL
          AND c.status_changed_at < now() - make_interval(days => v_days)
        ORDER BY c.status_changed_at LIMIT max_comments
        FOR UPDATE SKIP LOCKED) c;
    IF v_ids IS NULL THEN
        RETURN 0;
    END IF;
    PERFORM set_config('commentdesk.erasing', 'on', true);
    UPDATE moderation_decisions d
    SET hits = (SELECT coalesce(jsonb_agg(h - 'matched' - 'start' - 'end'), '[]'::jsonb) FROM jsonb_array_elements(d.hits) h)
    WHERE d.comment_id = ANY(v_ids);
    PERFORM set_config('commentdesk.erasing', 'off', true);
    UPDATE comments c SET body = '', erased_at = now() WHERE c.id = ANY(v_ids);
    RETURN cardinality(v_ids);
END
$$;
-- Rejected text past retention is found by its decision time.
CREATE INDEX comments_decided_not_shown ON comments (status_changed_at) WHERE status IN ('rejected', 'removed') AND erased_at IS NULL;

SELECT make_definer_functions(ARRAY['erase_due_accounts(integer)', 'prune_rejected_text(integer)']::regprocedure[]);
