-- The producer contract: the SQL functions that any trusted producer (the API, a CMS import) calls.
-- Raised errors use CommentDesk's own SQLSTATEs so callers can tell them apart:
--   CD001 unknown article · CD002 invalid submission argument · CD010 append-only table (0001_schema.sql)

-- Creates an article or updates its URL, title and publication time. Returns its id.
CREATE FUNCTION register_article(ref text, url text, title text, published_at timestamptz) RETURNS bigint
LANGUAGE sql AS $$
    INSERT INTO articles (ref, url, title, published_at)
    VALUES (register_article.ref, register_article.url, register_article.title, register_article.published_at)
    ON CONFLICT ON CONSTRAINT articles_ref_unique DO UPDATE
        SET url = EXCLUDED.url, title = EXCLUDED.title, published_at = EXCLUDED.published_at
    RETURNING id
$$;

-- Stores a submitted comment and its queue row in the caller's transaction, and returns the comment id.
--
-- provider NULL means anonymous: the comment is queued without an account, and the worker rejects it
-- (login_required). With a provider, the account (provider, subject) is created on first sight, and its display
-- name updated when it changed. A repeated (account, idempotency_key) returns the first comment's id and creates
-- nothing. The body is stored NFC-normalized. Rules about content, length and standing are the worker's: this
-- function accepts what it can store, so every submission gets a recorded decision.
CREATE FUNCTION submit_comment(
    article_ref      text,
    provider         text,
    subject          text,
    display_name     text,
    body             text,
    idempotency_key  text,
    token_issued_at  timestamptz DEFAULT NULL,
    token_expires_at timestamptz DEFAULT NULL,
    producer         text DEFAULT 'api'
) RETURNS bigint
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    v_article_id bigint;
    v_account_id bigint;
    v_comment_id bigint;
BEGIN
    IF submit_comment.body IS NULL THEN
        RAISE EXCEPTION 'a comment needs a body' USING ERRCODE = 'CD002';
    END IF;
    SELECT a.id INTO v_article_id FROM articles a WHERE a.ref = submit_comment.article_ref;
    IF v_article_id IS NULL THEN
        RAISE EXCEPTION 'unknown article' USING ERRCODE = 'CD001';
    END IF;

    IF submit_comment.provider IS NOT NULL THEN
        IF submit_comment.subject IS NULL OR submit_comment.subject = '' THEN
            RAISE EXCEPTION 'a login needs a subject' USING ERRCODE = 'CD002';
        END IF;
        -- Writes only when the account is new or its display name changed: no dead tuple per post.
        INSERT INTO accounts AS a (provider, provider_subject, display_name)
        VALUES (submit_comment.provider, submit_comment.subject, left(coalesce(submit_comment.display_name, ''), 100))
        ON CONFLICT ON CONSTRAINT accounts_provider_subject_unique DO UPDATE
            SET display_name = EXCLUDED.display_name
            WHERE a.display_name IS DISTINCT FROM EXCLUDED.display_name AND EXCLUDED.display_name <> ''
        RETURNING a.id INTO v_account_id;
        IF v_account_id IS NULL THEN
            SELECT a.id INTO v_account_id FROM accounts a
            WHERE a.provider = submit_comment.provider AND a.provider_subject = submit_comment.subject;
        END IF;

        IF submit_comment.idempotency_key IS NOT NULL THEN
            SELECT c.id INTO v_comment_id FROM comments c
            WHERE c.account_id = v_account_id AND c.idempotency_key = submit_comment.idempotency_key;
            IF v_comment_id IS NOT NULL THEN
                RETURN v_comment_id;
            END IF;
        END IF;
    END IF;

    INSERT INTO comments AS c (article_id, account_id, body, idempotency_key, auth_provider, auth_subject,
                               auth_issued_at, auth_expires_at, producer)
    VALUES (v_article_id, v_account_id, normalize(submit_comment.body, NFC),
            CASE WHEN v_account_id IS NULL THEN NULL ELSE submit_comment.idempotency_key END,
            submit_comment.provider, CASE WHEN submit_comment.provider IS NULL THEN NULL ELSE submit_comment.subject END,
            submit_comment.token_issued_at, submit_comment.token_expires_at, coalesce(submit_comment.producer, 'api'))
    ON CONFLICT (account_id, idempotency_key) WHERE account_id IS NOT NULL AND idempotency_key IS NOT NULL
        DO NOTHING
    RETURNING c.id INTO v_comment_id;

    IF v_comment_id IS NULL THEN
        -- A concurrent retry with the same key committed first: answer with its comment.
        SELECT c.id INTO v_comment_id FROM comments c
        WHERE c.account_id = v_account_id AND c.idempotency_key = submit_comment.idempotency_key;
        RETURN v_comment_id;
    END IF;

    INSERT INTO comment_queue (comment_id) VALUES (v_comment_id);
    RETURN v_comment_id;
END
$$;
