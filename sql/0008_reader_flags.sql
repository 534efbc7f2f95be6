-- Reader flags (issue 20): readers report published comments; enough flags from accounts in good standing hide a
-- comment until a moderator decides, and a moderator's decision resolves the flags (upheld when the comment goes).
--
-- New SQLSTATEs: CD008 the comment is not there to flag (absent or not published) · CD009 a reader's own comment ·
-- CD011 too many flags (DETAIL: seconds until the next flag is allowed).

-- The policy's community settings, stored with each version like the burst limit (0006), so the API's role cannot
-- choose them. Versions stored before this migration get the loader's defaults for a policy without the section.
ALTER TABLE policy_versions
    ADD COLUMN flags_to_hide integer NOT NULL DEFAULT 3
        CONSTRAINT policy_versions_flags_to_hide_range CHECK (flags_to_hide >= 0),
    ADD COLUMN flags_per_hour integer NOT NULL DEFAULT 20
        CONSTRAINT policy_versions_flags_per_hour_range CHECK (flags_per_hour >= 1);
COMMENT ON COLUMN policy_versions.flags_to_hide IS
    'Unresolved flags from accounts in good standing that hide a published comment until a moderator decides (0: never).';
COMMENT ON COLUMN policy_versions.flags_per_hour IS 'Flags one reader may send in an hour.';

-- A third source of decisions besides the worker and the moderators: the readers' flags, when they hide a comment.
ALTER TABLE moderation_decisions DROP CONSTRAINT moderation_decisions_source_known;
ALTER TABLE moderation_decisions ADD CONSTRAINT moderation_decisions_source_known
    CHECK (source IN ('automatic', 'moderator', 'readers'));

CREATE TABLE comment_flags (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    comment_id  bigint NOT NULL REFERENCES comments (id),
    account_id  bigint NOT NULL REFERENCES accounts (id),
    reason      text NOT NULL
                CONSTRAINT comment_flags_reason_known CHECK (reason IN ('offensive', 'abusive', 'spam', 'personal_info', 'other')),
    note        text CONSTRAINT comment_flags_note_length CHECK (length(note) BETWEEN 1 AND 500),
    flagged_at  timestamptz NOT NULL DEFAULT now(),
    -- Set together by the moderator decision that resolves the flag: upheld when the comment was rejected or removed.
    resolved_by bigint REFERENCES moderation_decisions (id),
    resolved_at timestamptz,
    upheld      boolean,
    CONSTRAINT comment_flags_once_per_reader UNIQUE (comment_id, account_id),
    CONSTRAINT comment_flags_resolution_complete
        CHECK ((resolved_by IS NULL) = (resolved_at IS NULL) AND (resolved_at IS NULL) = (upheld IS NULL))
);
-- The reported queue: unresolved flags per comment.
CREATE INDEX comment_flags_unresolved ON comment_flags (comment_id) WHERE resolved_at IS NULL;
-- A reader's flags of the last hour (the rate limit) and their record (flaggers' accuracy).
CREATE INDEX comment_flags_account ON comment_flags (account_id, flagged_at);
-- The nightly report reads one day of flags.
CREATE INDEX comment_flags_flagged_at ON comment_flags (flagged_at);

-- The reader's account row, created on first sight and locked for the rest of the transaction, so one reader's
-- actions take turns (as post_comment does for posts, 0006). For the definer functions only: nobody is granted it.
CREATE FUNCTION lock_reader_account(provider text, subject text, display_name text, OUT id bigint, OUT status text,
                                    OUT suspended_until timestamptz)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
    SELECT a.id, a.status, a.suspended_until INTO id, status, suspended_until
    FROM accounts a WHERE a.provider = lock_reader_account.provider AND a.provider_subject = lock_reader_account.subject
    FOR UPDATE;
    IF id IS NULL THEN
        INSERT INTO accounts AS a (provider, provider_subject, display_name)
        VALUES (lock_reader_account.provider, lock_reader_account.subject, left(coalesce(lock_reader_account.display_name, ''), 100))
        ON CONFLICT ON CONSTRAINT accounts_provider_subject_unique DO NOTHING
        RETURNING a.id, a.status, a.suspended_until INTO id, status, suspended_until;
        IF id IS NULL THEN
            SELECT a.id, a.status, a.suspended_until INTO id, status, suspended_until
            FROM accounts a WHERE a.provider = lock_reader_account.provider AND a.provider_subject = lock_reader_account.subject
            FOR UPDATE;
        END IF;
    END IF;
END
$$;

-- Refuses a banned account (CD004) or one suspended until later (CD005, DETAIL: the end, UTC).
CREATE FUNCTION require_good_standing(status text, suspended_until timestamptz) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF status = 'banned' THEN
        RAISE EXCEPTION 'account banned' USING ERRCODE = 'CD004';
    END IF;
    IF status = 'suspended' AND suspended_until > now() THEN
        RAISE EXCEPTION 'account suspended' USING ERRCODE = 'CD005',
            DETAIL = to_char(suspended_until AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"');
    END IF;
END
$$;
REVOKE EXECUTE ON FUNCTION lock_reader_account(text, text, text), require_good_standing(text, timestamptz) FROM PUBLIC;

-- Flags a published comment for a verified reader. Returns the flag's id, whether it was created now (false: this reader
-- had flagged the comment before, and nothing changed) and the comment's status afterwards (held when this flag hid it).
-- Flags on one comment take turns on its row, so the flag that reaches the threshold hides it exactly once.
CREATE FUNCTION flag_comment(
    comment_id   bigint,
    provider     text,
    subject      text,
    display_name text,
    reason       text,
    note         text
) RETURNS TABLE (flag_id bigint, created boolean, status text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    v_account_id      bigint;
    v_account_status  text;
    v_suspended_until timestamptz;
    v_author          bigint;
    v_status          text;
    v_flag_id         bigint;
    v_per_hour        integer;
    v_to_hide         integer;
    v_policy          bigint;
    v_recent          integer;
    v_oldest          timestamptz;
    v_standing_flags  integer;
    v_reasons         jsonb;
BEGIN
    IF flag_comment.provider IS NULL OR flag_comment.subject IS NULL OR flag_comment.subject = '' THEN
        RAISE EXCEPTION 'a flag needs a verified login' USING ERRCODE = 'CD002';
    END IF;

    SELECT a.id, a.status, a.suspended_until INTO v_account_id, v_account_status, v_suspended_until
    FROM lock_reader_account(flag_comment.provider, flag_comment.subject, flag_comment.display_name) a;

    SELECT c.account_id, c.status INTO v_author, v_status FROM comments c WHERE c.id = flag_comment.comment_id FOR UPDATE;
    -- A repeated flag answers with the first, whatever happened to the comment since (a retry must not fail).
    SELECT f.id INTO v_flag_id FROM comment_flags f WHERE f.comment_id = flag_comment.comment_id AND f.account_id = v_account_id;
    IF v_flag_id IS NOT NULL THEN
        RETURN QUERY SELECT v_flag_id, false, v_status;
        RETURN;
    END IF;
    -- Readers see only published comments; anything else is as absent to them.
    IF v_status IS DISTINCT FROM 'approved' THEN
        RAISE EXCEPTION 'no published comment to flag' USING ERRCODE = 'CD008';
    END IF;
    IF v_author = v_account_id THEN
        RAISE EXCEPTION 'a reader cannot flag their own comment' USING ERRCODE = 'CD009';
    END IF;
    PERFORM require_good_standing(v_account_status, v_suspended_until);

    SELECT p.id, p.flags_per_hour, p.flags_to_hide INTO v_policy, v_per_hour, v_to_hide FROM policy_versions p WHERE p.is_active;
    v_per_hour := coalesce(v_per_hour, 20);
    SELECT count(*), min(r.flagged_at) INTO v_recent, v_oldest
    FROM (SELECT f.flagged_at FROM comment_flags f
          WHERE f.account_id = v_account_id AND f.flagged_at > now() - interval '1 hour'
          ORDER BY f.flagged_at DESC LIMIT v_per_hour) r;
    IF v_recent >= v_per_hour THEN
        RAISE EXCEPTION 'too many flags' USING ERRCODE = 'CD011',
            DETAIL = greatest(1, ceil(extract(epoch FROM v_oldest + interval '1 hour' - now())))::integer::text;
    END IF;

    INSERT INTO comment_flags (comment_id, account_id, reason, note)
    VALUES (flag_comment.comment_id, v_account_id, flag_comment.reason, nullif(flag_comment.note, ''))
    RETURNING id INTO v_flag_id;

    -- Hide it when enough readers in good standing flagged it, unless a moderator already kept it after flags: then the
    -- flags wait in the reported queue and the moderators' word stands.
    IF v_to_hide > 0 AND NOT EXISTS (
        SELECT 1 FROM moderation_decisions d
        WHERE d.comment_id = flag_comment.comment_id AND d.source = 'moderator' AND d.outcome = 'approve'
          AND EXISTS (SELECT 1 FROM comment_flags f WHERE f.resolved_by = d.id)
    ) THEN
        SELECT coalesce(sum(x.n), 0)::integer, jsonb_object_agg(x.reason, x.n) INTO v_standing_flags, v_reasons
        FROM (SELECT f.reason, count(*) AS n FROM comment_flags f JOIN accounts a ON a.id = f.account_id
              WHERE f.comment_id = flag_comment.comment_id AND f.resolved_at IS NULL
                AND (a.status = 'active' OR (a.status = 'suspended' AND a.suspended_until <= now()))
              GROUP BY f.reason) x;
        IF v_standing_flags >= v_to_hide THEN
            INSERT INTO moderation_decisions (comment_id, source, outcome, reasons, hits, policy_version, decided_by)
            VALUES (flag_comment.comment_id, 'readers', 'hold', ARRAY['reader_flags'],
                    jsonb_build_array(jsonb_build_object('rule', 'reader-flags', 'action', 'hold', 'reason', 'reader_flags',
                                                         'flags', v_standing_flags, 'threshold', v_to_hide, 'byReason', v_reasons)),
                    v_policy, 'reader-flags');
            UPDATE comments c SET status = 'held', status_changed_at = now(), reasons = ARRAY['reader_flags']
            WHERE c.id = flag_comment.comment_id;
            v_status := 'held';
        END IF;
    END IF;
    RETURN QUERY SELECT v_flag_id, true, v_status;
END
$$;

-- A definer function like the others (0006): this schema first, pg_temp explicitly last; only roles.sql grants it.
DO $$
BEGIN
    EXECUTE format('ALTER FUNCTION flag_comment(bigint, text, text, text, text, text) SECURITY DEFINER '
                   'SET search_path = pg_catalog, %I, pg_temp', current_schema());
END
$$;
REVOKE EXECUTE ON FUNCTION flag_comment(bigint, text, text, text, text, text) FROM PUBLIC;
