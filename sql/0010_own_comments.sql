-- A reader's own comments (issue 20): edit within the policy's window, delete at any time.
--
-- An edit is a new comment that replaces the old one: the new text is queued and moderated like any post (the worker's
-- one automatic decision per comment stays true), the old row keeps the earlier text for the audit, removed with
-- reason `edited` and pointing at its replacement; replies and open flags move to the new revision. A delete removes
-- the comment from view with reason `deleted_by_author`; its text stays until the retention policy prunes it.
-- Both are recorded as decisions of a fourth source, `author`.
--
-- New SQLSTATEs: CD013 no such comment of this reader · CD014 the comment was replaced or removed (DETAIL: the id of
-- its replacement, when there is one) · CD015 the edit window has passed.

ALTER TABLE policy_versions ADD COLUMN edit_window_seconds integer NOT NULL DEFAULT 300
    CONSTRAINT policy_versions_edit_window_range CHECK (edit_window_seconds >= 0);
COMMENT ON COLUMN policy_versions.edit_window_seconds IS
    'How long after posting a reader may edit a comment (community.edit_window_minutes; 0: never).';

ALTER TABLE comments
    ADD COLUMN revision_of bigint REFERENCES comments (id),
    ADD COLUMN replaced_by bigint REFERENCES comments (id);
COMMENT ON COLUMN comments.revision_of IS 'For an edited comment: the first version (the edit window counts from it).';
COMMENT ON COLUMN comments.replaced_by IS 'The revision that replaced this text (the row itself stays for the audit).';

ALTER TABLE moderation_decisions DROP CONSTRAINT moderation_decisions_source_known;
ALTER TABLE moderation_decisions ADD CONSTRAINT moderation_decisions_source_known
    CHECK (source IN ('automatic', 'moderator', 'readers', 'author'));

-- The author's own comment, locked; CD013 when it is not theirs (or does not exist).
CREATE FUNCTION lock_own_comment(comment_id bigint, account_id bigint) RETURNS comments
LANGUAGE plpgsql AS $$
DECLARE
    v_comment comments;
BEGIN
    SELECT * INTO v_comment FROM comments c
    WHERE c.id = lock_own_comment.comment_id AND c.account_id = lock_own_comment.account_id
    FOR UPDATE;
    IF v_comment.id IS NULL THEN
        RAISE EXCEPTION 'no such comment of this reader' USING ERRCODE = 'CD013';
    END IF;
    RETURN v_comment;
END
$$;
REVOKE EXECUTE ON FUNCTION lock_own_comment(bigint, bigint) FROM PUBLIC;

-- Replaces the author's comment with a new text, within the edit window. Returns the new revision's id.
CREATE FUNCTION edit_comment(
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

-- Removes the author's comment from view. Deleting a removed comment changes nothing (a retry succeeds).
CREATE FUNCTION delete_comment(comment_id bigint, provider text, subject text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    v_account record;
    v_comment comments;
BEGIN
    IF delete_comment.provider IS NULL OR delete_comment.subject IS NULL OR delete_comment.subject = '' THEN
        RAISE EXCEPTION 'a delete needs a verified login' USING ERRCODE = 'CD002';
    END IF;
    SELECT * INTO v_account FROM lock_reader_account(delete_comment.provider, delete_comment.subject, NULL);
    v_comment := lock_own_comment(delete_comment.comment_id, v_account.id);
    IF v_comment.status = 'removed' THEN
        RETURN;
    END IF;
    UPDATE comments c SET status = 'removed', status_changed_at = now(), reasons = ARRAY['deleted_by_author']
    WHERE c.id = v_comment.id;
    INSERT INTO moderation_decisions (comment_id, source, outcome, reasons, policy_version, decided_by)
    VALUES (v_comment.id, 'author', 'reject', ARRAY['deleted_by_author'], (SELECT p.id FROM policy_versions p WHERE p.is_active),
            'author');
END
$$;

DO $$
DECLARE
    fn regprocedure;
BEGIN
    FOREACH fn IN ARRAY ARRAY[
        'edit_comment(bigint, text, text, text, text, timestamptz, timestamptz)'::regprocedure,
        'delete_comment(bigint, text, text)'::regprocedure
    ] LOOP
        EXECUTE format('ALTER FUNCTION %s SECURITY DEFINER SET search_path = pg_catalog, %I, pg_temp', fn, current_schema());
        EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', fn);
    END LOOP;
END
$$;
