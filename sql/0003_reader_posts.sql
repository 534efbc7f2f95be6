-- Reader posts through the API: the checks a reader must hear about at once, then submit_comment.
-- New SQLSTATEs: CD003 comments closed · CD004 account banned · CD005 account suspended (DETAIL: until, UTC) ·
-- CD006 too many posts (DETAIL: seconds until the next post is allowed).
--
-- The worker still applies every rule itself (DESIGN.md): these checks only spare a reader the wait for a
-- decision the policy would reach anyway, and keep refused requests from writing anything.

-- Posts a comment for a verified reader. Returns the comment's id, whether this was a replay of an earlier post
-- with the same idempotency key (which creates nothing and answers with the first comment), and its status.
-- A replay is answered before any other check, so a retry after the article closed still finds its comment.
-- max_per_minute > 0 limits an account's posts in the last minute; posts from one account are serialized by a
-- transaction-scoped advisory lock while they are counted, so concurrent bursts cannot overshoot it.
CREATE FUNCTION post_comment(
    article_ref      text,
    provider         text,
    subject          text,
    display_name     text,
    body             text,
    idempotency_key  text,
    token_issued_at  timestamptz,
    token_expires_at timestamptz,
    max_per_minute   integer DEFAULT 0
) RETURNS TABLE (comment_id bigint, replayed boolean, status text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    v_closed_at       timestamptz;
    v_account_id      bigint;
    v_account_status  text;
    v_suspended_until timestamptz;
    v_comment_id      bigint;
    v_comment_status  text;
    v_recent          integer;
    v_oldest          timestamptz;
BEGIN
    IF post_comment.provider IS NULL OR post_comment.subject IS NULL OR post_comment.subject = '' THEN
        RAISE EXCEPTION 'a reader post needs a verified login' USING ERRCODE = 'CD002';
    END IF;
    SELECT a.comments_closed_at INTO v_closed_at FROM articles a WHERE a.ref = post_comment.article_ref;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown article' USING ERRCODE = 'CD001';
    END IF;

    SELECT a.id, a.status, a.suspended_until INTO v_account_id, v_account_status, v_suspended_until
    FROM accounts a WHERE a.provider = post_comment.provider AND a.provider_subject = post_comment.subject;
    IF v_account_id IS NOT NULL THEN
        IF post_comment.idempotency_key IS NOT NULL THEN
            SELECT c.id, c.status INTO v_comment_id, v_comment_status FROM comments c
            WHERE c.account_id = v_account_id AND c.idempotency_key = post_comment.idempotency_key;
            IF v_comment_id IS NOT NULL THEN
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
    END IF;

    IF v_closed_at IS NOT NULL AND v_closed_at <= now() THEN
        RAISE EXCEPTION 'comments are closed' USING ERRCODE = 'CD003';
    END IF;

    IF post_comment.max_per_minute > 0 AND v_account_id IS NOT NULL THEN
        -- 17220 = 0x4344, "CD": our namespace for advisory locks keyed by account.
        PERFORM pg_advisory_xact_lock(17220, hashint8(v_account_id));
        SELECT count(*), min(r.submitted_at) INTO v_recent, v_oldest
        FROM (SELECT c.submitted_at FROM comments c
              WHERE c.account_id = v_account_id AND c.submitted_at > now() - interval '1 minute'
              ORDER BY c.submitted_at DESC LIMIT post_comment.max_per_minute) r;
        IF v_recent >= post_comment.max_per_minute THEN
            RAISE EXCEPTION 'too many posts' USING ERRCODE = 'CD006',
                DETAIL = greatest(1, ceil(extract(epoch FROM v_oldest + interval '1 minute' - now())))::integer::text;
        END IF;
    END IF;

    RETURN QUERY SELECT submit_comment(
        post_comment.article_ref, post_comment.provider, post_comment.subject, post_comment.display_name,
        post_comment.body, post_comment.idempotency_key, post_comment.token_issued_at, post_comment.token_expires_at,
        'api'), false, 'queued'::text;
END
$$;
