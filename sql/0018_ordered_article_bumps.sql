-- The published-version bumps (sql/0015) lock their articles in the order of their ids. The worker finishes batches
-- on two connections at once (commentd.worker.concurrency), and two batches that publish comments of the same
-- articles each updated those articles' rows in whatever order its plan read them: one could hold article A and wait
-- for B while the other held B and waited for A. PostgreSQL then cancelled one (SQLSTATE 40P01) and the worker finished
-- that batch comment by comment (measured: a drain of 33,000 comments at 7,925/s instead of about 12,000/s). Taking the
-- rows in ascending id order first, with the lock the UPDATE itself takes (FOR NO KEY UPDATE, which a new comment's
-- foreign-key check on its article does not wait for), makes such a cycle impossible.

CREATE OR REPLACE FUNCTION bump_published_articles(articles bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM articles a WHERE a.id = ANY (bump_published_articles.articles) ORDER BY a.id FOR NO KEY UPDATE;
    UPDATE articles a SET published_version = a.published_version + 1, published_changed_at = now()
    WHERE a.id = ANY (bump_published_articles.articles);
END
$$;
REVOKE EXECUTE ON FUNCTION bump_published_articles(bigint[]) FROM PUBLIC;

CREATE OR REPLACE FUNCTION bump_published_after_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM bump_published_articles(ARRAY(
        SELECT DISTINCT n.article_id FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE (o.status = 'approved' OR n.status = 'approved')
          AND (o.status, o.body, o.erased_at, o.parent_id) IS DISTINCT FROM (n.status, n.body, n.erased_at, n.parent_id)
    ));
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION bump_published_after_rename() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM bump_published_articles(ARRAY(
        SELECT DISTINCT c.article_id FROM comments c WHERE c.account_id = NEW.id AND c.status = 'approved'
    ));
    RETURN NULL;
END
$$;

-- CREATE OR REPLACE resets a function's security: the triggers stay definer functions as 0015 made them.
SELECT make_definer_functions(ARRAY['bump_published_after_update()', 'bump_published_after_rename()']::regprocedure[]);
