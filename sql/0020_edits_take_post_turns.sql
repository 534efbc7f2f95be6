-- A reader's edits count towards the burst limit as posts do. An edit stores a new revision and queues it for the
-- worker like a new comment, but edit_comment (sql/0010) never looked at the limit: within a comment's edit window
-- (five minutes by default) one login could queue revisions as fast as it could send them. The limit's check now has
-- one home, take_post_turn, which post_comment (and post_reply through it) and edit_comment call with the reader's
-- account row locked. Deleting one's own comment queues nothing and is not counted.

-- Takes one of the reader's posts a minute (policy_versions.reader_posts_per_minute; 0 turns the limit off), or
-- refuses with CD006 and, as DETAIL, the seconds until the next is allowed. The caller holds the account's row
-- (FOR UPDATE), so concurrent posts and edits of one login are counted one after the other.
CREATE FUNCTION take_post_turn(account_id bigint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    v_limit  integer;
    v_recent timestamptz[];
BEGIN
    SELECT p.reader_posts_per_minute INTO v_limit FROM policy_versions p WHERE p.is_active;
    IF v_limit > 0 THEN
        -- The account's posts of the last minute, oldest first; the oldest of the newest `v_limit` says when the next
        -- is allowed.
        SELECT ARRAY(SELECT t FROM unnest(a.recent_posts) t WHERE t > now() - interval '1 minute' ORDER BY t)
        INTO v_recent FROM accounts a WHERE a.id = take_post_turn.account_id;
        IF cardinality(v_recent) >= v_limit THEN
            RAISE EXCEPTION 'too many posts' USING ERRCODE = 'CD006',
                DETAIL = greatest(1, ceil(extract(epoch FROM v_recent[cardinality(v_recent) - v_limit + 1]
                                                             + interval '1 minute' - now())))::integer::text;
        END IF;
        -- This one's time joins them (the newest `v_limit` are kept: no more are ever needed).
        v_recent := v_recent || now();
        UPDATE accounts a SET recent_posts = v_recent[greatest(1, cardinality(v_recent) - v_limit + 1):]
        WHERE a.id = take_post_turn.account_id;
    END IF;
END
$$;
REVOKE EXECUTE ON FUNCTION take_post_turn(bigint) FROM PUBLIC;

CREATE OR REPLACE FUNCTION post_comment(
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
        SELECT k.comment_id INTO v_comment_id FROM reader_idempotency_keys k
        WHERE k.account_id = v_account_id AND k.idempotency_key = post_comment.idempotency_key;
        IF v_comment_id IS NOT NULL THEN
            SELECT c.status, c.request_fingerprint INTO v_comment_status, v_stored_print FROM comments c WHERE c.id = v_comment_id;
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

    PERFORM take_post_turn(v_account_id);

    IF v_name <> '' AND v_name IS DISTINCT FROM v_display_name THEN
        UPDATE accounts SET display_name = v_name WHERE id = v_account_id;
    END IF;

    INSERT INTO comments (article_id, account_id, body, idempotency_key, request_fingerprint, auth_provider, auth_subject,
                          auth_issued_at, auth_expires_at, producer)
    VALUES (v_article_id, v_account_id, v_text, post_comment.idempotency_key, v_fingerprint, post_comment.provider,
            post_comment.subject, post_comment.token_issued_at, post_comment.token_expires_at, 'api')
    RETURNING id INTO v_comment_id;
    INSERT INTO comment_queue (comment_id) VALUES (v_comment_id);
    IF post_comment.idempotency_key IS NOT NULL THEN
        INSERT INTO reader_idempotency_keys (account_id, idempotency_key, comment_id)
        VALUES (v_account_id, post_comment.idempotency_key, v_comment_id);
    END IF;
    RETURN QUERY SELECT v_comment_id, false, 'queued'::text;
END
$$;

CREATE OR REPLACE FUNCTION edit_comment(
    comment_id       bigint,
    provider         text,
    subject          text,
    display_name     text,
    body             text,
    token_issued_at  timestamptz,
    token_expires_at timestamptz
) RETURNS TABLE (new_id bigint, status text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    v_account  record;
    v_old      comments;
    v_first_at timestamptz;
    v_window   integer;
    v_closed   timestamptz;
    v_new      bigint;
BEGIN
    IF edit_comment.provider IS NULL OR edit_comment.subject IS NULL OR edit_comment.subject = '' OR edit_comment.body IS NULL THEN
        RAISE EXCEPTION 'an edit needs a verified login and a text' USING ERRCODE = 'CD002';
    END IF;
    SELECT * INTO v_account FROM lock_reader_account(edit_comment.provider, edit_comment.subject, edit_comment.display_name);
    v_old := lock_own_comment(edit_comment.comment_id, v_account.id);
    IF v_old.replaced_by IS NOT NULL OR v_old.status = 'removed' THEN
        RAISE EXCEPTION 'the comment was replaced or removed' USING ERRCODE = 'CD014', DETAIL = coalesce(v_old.replaced_by::text, '');
    END IF;
    PERFORM require_good_standing(v_account.status, v_account.suspended_until);
    SELECT c.submitted_at INTO v_first_at FROM comments c WHERE c.id = coalesce(v_old.revision_of, v_old.id);
    SELECT p.edit_window_seconds INTO v_window FROM policy_versions p WHERE p.is_active;
    IF now() > v_first_at + make_interval(secs => coalesce(v_window, 300)) THEN
        RAISE EXCEPTION 'the edit window has passed' USING ERRCODE = 'CD015';
    END IF;
    SELECT a.comments_closed_at INTO v_closed FROM articles a WHERE a.id = v_old.article_id;
    IF v_closed IS NOT NULL AND v_closed <= now() THEN
        RAISE EXCEPTION 'comments are closed' USING ERRCODE = 'CD003';
    END IF;
    PERFORM take_post_turn(v_account.id);

    INSERT INTO comments (article_id, account_id, parent_id, revision_of, body, auth_provider, auth_subject, auth_issued_at,
                          auth_expires_at, producer)
    VALUES (v_old.article_id, v_old.account_id, v_old.parent_id, coalesce(v_old.revision_of, v_old.id),
            normalize(edit_comment.body, NFC), edit_comment.provider, edit_comment.subject, edit_comment.token_issued_at,
            edit_comment.token_expires_at, 'api')
    RETURNING id INTO v_new;
    INSERT INTO comment_queue (comment_id) VALUES (v_new);

    UPDATE comments c SET status = 'removed', status_changed_at = now(), reasons = ARRAY['edited'], replaced_by = v_new
    WHERE c.id = v_old.id;
    INSERT INTO moderation_decisions (comment_id, source, outcome, reasons, policy_version, decided_by, note)
    VALUES (v_old.id, 'author', 'reject', ARRAY['edited'], (SELECT p.id FROM policy_versions p WHERE p.is_active), 'author',
            'replaced by comment ' || v_new);
    UPDATE comments c SET parent_id = v_new WHERE c.parent_id = v_old.id;
    UPDATE comment_flags f SET comment_id = v_new WHERE f.comment_id = v_old.id AND f.resolved_at IS NULL;
    RETURN QUERY SELECT v_new, 'queued'::text;
END
$$;

SELECT make_definer_functions(ARRAY[
    'post_comment(text, text, text, text, text, text, timestamptz, timestamptz)',
    'edit_comment(bigint, text, text, text, text, timestamptz, timestamptz)'
]::regprocedure[]);
