-- Least privilege for the reader API (issue 15). What changes:
--
-- * Every SECURITY DEFINER function pins its search_path to this schema with pg_temp explicitly LAST. `SET search_path
--   FROM CURRENT` (0005) left pg_temp searched first for tables, so a caller could put its own temporary
--   `comment_queue` (with a trigger) in front of ours and run code with the owner's rights.
-- * post_comment no longer takes the burst limit from its caller: the limit is derived from the active policy when a
--   version is stored (policy_versions.reader_posts_per_minute, written by `commentd migrate` and `modctl policy
--   activate`), so the API's role cannot turn it off.
-- * A reader's posts take turns on their account row, created on first sight inside the same transaction, so a new
--   login's first burst is counted like any other (the old lock and count only applied once the account existed), and
--   nothing a caller can name (an advisory lock) decides it.
-- * A repeated Idempotency-Key must come with the same request: a fingerprint of the article and the text is stored
--   with the comment, and a different request under the same key is refused (CD007).
-- * A reader's own comment is read through reader_comment(), so the API's role needs no right to read other readers'
--   logins, token times or idempotency keys (sql/roles.sql grants it column by column).
--
-- New SQLSTATE: CD007 idempotency key reused for a different request.

ALTER TABLE policy_versions ADD COLUMN reader_posts_per_minute integer
    CONSTRAINT policy_versions_reader_posts_per_minute_range CHECK (reader_posts_per_minute >= 0);
COMMENT ON COLUMN policy_versions.reader_posts_per_minute IS
    'Posts per account per minute the reader API accepts before 429, derived from the policy''s rate_limit rules '
    '(NULL: not derived yet; commentd migrate fills it in). 0: no burst limit at the API.';

ALTER TABLE comments ADD COLUMN request_fingerprint bytea;
COMMENT ON COLUMN comments.request_fingerprint IS
    'SHA-256 of the article ref and the NFC text a reader posted with an Idempotency-Key (NULL before migration 0006).';

DROP FUNCTION post_comment(text, text, text, text, text, text, timestamptz, timestamptz, integer);

-- Posts a comment for a verified reader. Returns the comment's id, whether this was a replay of an earlier post with
-- the same idempotency key (which creates nothing and answers with the first comment), and its status.
-- A replay is answered before any other check, so a retry after the article closed still finds its comment; a replay
-- whose article or text differ from the first request's is refused (CD007).
CREATE FUNCTION post_comment(
    article_ref      text,
    provider         text,
    subject          text,
    display_name     text,
    body             text,
    idempotency_key  text,
    token_issued_at  timestamptz,
    token_expires_at timestamptz
) RETURNS TABLE (comment_id bigint, replayed boolean, status text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    v_article_id      bigint;
    v_closed_at       timestamptz;
    v_account_id      bigint;
    v_account_status  text;
    v_suspended_until timestamptz;
    v_display_name    text;
    v_name            text := left(coalesce(post_comment.display_name, ''), 100);
    v_text            text;
    v_fingerprint     bytea;
    v_comment_id      bigint;
    v_comment_status  text;
    v_stored_print    bytea;
    v_limit           integer;
    v_recent          integer;
    v_oldest          timestamptz;
BEGIN
    IF post_comment.provider IS NULL OR post_comment.subject IS NULL OR post_comment.subject = '' THEN
        RAISE EXCEPTION 'a reader post needs a verified login' USING ERRCODE = 'CD002';
    END IF;
    IF post_comment.body IS NULL THEN
        RAISE EXCEPTION 'a comment needs a body' USING ERRCODE = 'CD002';
    END IF;
    SELECT a.id, a.comments_closed_at INTO v_article_id, v_closed_at FROM articles a WHERE a.ref = post_comment.article_ref;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown article' USING ERRCODE = 'CD001';
    END IF;

    -- One login's posts take turns on its account row for the rest of the transaction. A first post creates the row;
    -- a concurrent first post waits on the unique index until that commits, then finds and locks it. (The API's role
    -- cannot take this lock itself: FOR UPDATE needs UPDATE, which it does not have.)
    SELECT a.id, a.status, a.suspended_until, a.display_name
    INTO v_account_id, v_account_status, v_suspended_until, v_display_name
    FROM accounts a WHERE a.provider = post_comment.provider AND a.provider_subject = post_comment.subject
    FOR UPDATE;
    IF v_account_id IS NULL THEN
        INSERT INTO accounts AS a (provider, provider_subject, display_name)
        VALUES (post_comment.provider, post_comment.subject, v_name)
        ON CONFLICT ON CONSTRAINT accounts_provider_subject_unique DO NOTHING
        RETURNING a.id, a.status, a.suspended_until, a.display_name
        INTO v_account_id, v_account_status, v_suspended_until, v_display_name;
        IF v_account_id IS NULL THEN
            SELECT a.id, a.status, a.suspended_until, a.display_name
            INTO v_account_id, v_account_status, v_suspended_until, v_display_name
            FROM accounts a WHERE a.provider = post_comment.provider AND a.provider_subject = post_comment.subject
            FOR UPDATE;
        END IF;
    END IF;

    v_text := normalize(post_comment.body, NFC);
    IF post_comment.idempotency_key IS NOT NULL THEN
        v_fingerprint := sha256(convert_to(post_comment.article_ref || E'\n' || v_text, 'UTF8'));
        SELECT c.id, c.status, c.request_fingerprint INTO v_comment_id, v_comment_status, v_stored_print FROM comments c
        WHERE c.account_id = v_account_id AND c.idempotency_key = post_comment.idempotency_key;
        IF v_comment_id IS NOT NULL THEN
            IF v_stored_print IS NOT NULL AND v_stored_print <> v_fingerprint THEN
                RAISE EXCEPTION 'idempotency key reused for a different request' USING ERRCODE = 'CD007';
            END IF;
            RETURN QUERY SELECT v_comment_id, true, v_comment_status;
            RETURN;
        END IF;
    END IF;

    IF v_account_status = 'banned' THEN
        RAISE EXCEPTION 'account banned' USING ERRCODE = 'CD004';
    END IF;
    IF v_account_status = 'suspended' AND v_suspended_until > now() THEN
        RAISE EXCEPTION 'account suspended' USING ERRCODE = 'CD005',
            DETAIL = to_char(v_suspended_until AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"');
    END IF;
    IF v_closed_at IS NOT NULL AND v_closed_at <= now() THEN
        RAISE EXCEPTION 'comments are closed' USING ERRCODE = 'CD003';
    END IF;

    SELECT p.reader_posts_per_minute INTO v_limit FROM policy_versions p WHERE p.is_active;
    IF v_limit > 0 THEN
        SELECT count(*), min(r.submitted_at) INTO v_recent, v_oldest
        FROM (SELECT c.submitted_at FROM comments c
              WHERE c.account_id = v_account_id AND c.submitted_at > now() - interval '1 minute'
              ORDER BY c.submitted_at DESC LIMIT v_limit) r;
        IF v_recent >= v_limit THEN
            RAISE EXCEPTION 'too many posts' USING ERRCODE = 'CD006',
                DETAIL = greatest(1, ceil(extract(epoch FROM v_oldest + interval '1 minute' - now())))::integer::text;
        END IF;
    END IF;

    IF v_name <> '' AND v_name IS DISTINCT FROM v_display_name THEN
        UPDATE accounts SET display_name = v_name WHERE id = v_account_id;
    END IF;

    INSERT INTO comments (article_id, account_id, body, idempotency_key, request_fingerprint, auth_provider, auth_subject,
                          auth_issued_at, auth_expires_at, producer)
    VALUES (v_article_id, v_account_id, v_text, post_comment.idempotency_key, v_fingerprint, post_comment.provider,
            post_comment.subject, post_comment.token_issued_at, post_comment.token_expires_at, 'api')
    RETURNING id INTO v_comment_id;
    INSERT INTO comment_queue (comment_id) VALUES (v_comment_id);
    RETURN QUERY SELECT v_comment_id, false, 'queued'::text;
END
$$;

-- What an author may see about their own comment: nothing when `comment_id` is not theirs (or does not exist).
CREATE FUNCTION reader_comment(comment_id bigint, provider text, subject text)
RETURNS TABLE (id bigint, article_ref text, status text, submitted_at timestamptz, status_changed_at timestamptz, reasons text[])
LANGUAGE sql STABLE AS $$
    SELECT c.id, ar.ref, c.status, c.submitted_at, c.status_changed_at, c.reasons
    FROM comments c
    JOIN accounts acc ON acc.id = c.account_id
    JOIN articles ar ON ar.id = c.article_id
    WHERE c.id = reader_comment.comment_id
      AND acc.provider = reader_comment.provider AND acc.provider_subject = reader_comment.subject
$$;

-- Every definer function: this schema first (pg_catalog is always searched before it), pg_temp explicitly last.
DO $$
DECLARE
    fn regprocedure;
BEGIN
    FOREACH fn IN ARRAY ARRAY[
        'submit_comment(text, text, text, text, text, text, timestamptz, timestamptz, text)'::regprocedure,
        'post_comment(text, text, text, text, text, text, timestamptz, timestamptz)'::regprocedure,
        'reader_comment(bigint, text, text)'::regprocedure
    ] LOOP
        EXECUTE format('ALTER FUNCTION %s SECURITY DEFINER SET search_path = pg_catalog, %I, pg_temp', fn, current_schema());
        EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', fn);
    END LOOP;
END
$$;
