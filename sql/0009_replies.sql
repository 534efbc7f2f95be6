-- Replies (issue 20): one level. A reply names the published comment it answers; a reply to a reply attaches to that
-- reply's parent. Posting goes through post_comment as before (every reader check, the burst limit, idempotency), with
-- the parent checked and recorded in the same transaction.
--
-- New SQLSTATE: CD012 the comment replied to is not published on this article (absent, held, rejected or removed).

ALTER TABLE comments ADD COLUMN parent_id bigint REFERENCES comments (id);
COMMENT ON COLUMN comments.parent_id IS 'The top-level comment this one replies to (NULL: a top-level comment).';
-- An article's published replies under each parent, oldest first (the listing and its pages).
CREATE INDEX comments_parent_approved ON comments (parent_id, submitted_at, id) WHERE status = 'approved' AND parent_id IS NOT NULL;
-- The top-level listing no longer reads replies: its own partial index.
CREATE INDEX comments_article_approved_top ON comments (article_id, submitted_at DESC, id DESC)
    WHERE status = 'approved' AND parent_id IS NULL;

-- Posts a reply to `parent_id` for a verified reader (see post_comment). A retry with the same idempotency key answers
-- with the first reply; the same key for a reply to another comment is refused (CD007).
CREATE FUNCTION post_reply(
    article_ref      text,
    parent_id        bigint,
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
    v_root     bigint;
    v_posted   record;
    v_existing bigint;
BEGIN
    -- The parent (or, for a reply to a reply, its parent), published on this article. Not locked: a parent removed
    -- after this check leaves a reply the moderators see with it.
    SELECT coalesce(p.parent_id, p.id) INTO v_root
    FROM comments p JOIN articles a ON a.id = p.article_id
    WHERE p.id = post_reply.parent_id AND a.ref = post_reply.article_ref AND p.status = 'approved';
    IF v_root IS NULL THEN
        RAISE EXCEPTION 'the comment replied to is not published on this article' USING ERRCODE = 'CD012';
    END IF;
    IF v_root <> post_reply.parent_id
       AND NOT EXISTS (SELECT 1 FROM comments r WHERE r.id = v_root AND r.status = 'approved') THEN
        RAISE EXCEPTION 'the comment replied to is not published on this article' USING ERRCODE = 'CD012';
    END IF;

    SELECT * INTO v_posted
    FROM post_comment(post_reply.article_ref, post_reply.provider, post_reply.subject, post_reply.display_name,
                      post_reply.body, post_reply.idempotency_key, post_reply.token_issued_at, post_reply.token_expires_at);
    IF v_posted.replayed THEN
        SELECT c.parent_id INTO v_existing FROM comments c WHERE c.id = v_posted.comment_id;
        IF v_existing IS DISTINCT FROM v_root THEN
            RAISE EXCEPTION 'idempotency key reused for a different request' USING ERRCODE = 'CD007';
        END IF;
    ELSE
        UPDATE comments c SET parent_id = v_root WHERE c.id = v_posted.comment_id;
    END IF;
    RETURN QUERY SELECT v_posted.comment_id, v_posted.replayed, v_posted.status;
END
$$;

DO $$
BEGIN
    EXECUTE format('ALTER FUNCTION post_reply(text, bigint, text, text, text, text, text, timestamptz, timestamptz) SECURITY DEFINER '
                   'SET search_path = pg_catalog, %I, pg_temp', current_schema());
END
$$;
REVOKE EXECUTE ON FUNCTION post_reply(text, bigint, text, text, text, text, text, timestamptz, timestamptz) FROM PUBLIC;
