-- Each article's published set has a version: bumped whenever what GET /v1/articles/{ref}/comments shows could change
-- (a comment or reply published, unpublished, edited, erased; an author's display name changed). The API answers a
-- conditional request from this one row (ETag and Last-Modified), without reading the comments, so a CDN or a
-- reverse proxy can serve a hot article's list and revalidate it cheaply.

ALTER TABLE articles
    ADD COLUMN published_version    bigint NOT NULL DEFAULT 0,
    ADD COLUMN published_changed_at timestamptz NOT NULL DEFAULT now();

COMMENT ON COLUMN articles.published_version IS 'Bumped whenever the article''s published comments could read differently (the list''s ETag).';
COMMENT ON COLUMN articles.published_changed_at IS 'When published_version last changed (the list''s Last-Modified).';

-- One bump per article per statement: a worker's batch that publishes 500 comments of one article updates its row once.
CREATE FUNCTION bump_published_after_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE articles a SET published_version = a.published_version + 1, published_changed_at = now()
    WHERE a.id IN (
        SELECT n.article_id FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE (o.status = 'approved' OR n.status = 'approved')
          AND (o.status, o.body, o.erased_at, o.parent_id) IS DISTINCT FROM (n.status, n.body, n.erased_at, n.parent_id)
    );
    RETURN NULL;
END
$$;

CREATE TRIGGER comments_published_update AFTER UPDATE ON comments
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION bump_published_after_update();

-- Comments arrive queued; one inserted already approved (an import) bumps its article too.
CREATE FUNCTION bump_published_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE articles SET published_version = published_version + 1, published_changed_at = now() WHERE id = NEW.article_id;
    RETURN NULL;
END
$$;

CREATE TRIGGER comments_published_insert AFTER INSERT ON comments
    FOR EACH ROW WHEN (NEW.status = 'approved') EXECUTE FUNCTION bump_published_after_insert();

-- A display name shown beside published comments changed (a reader's new name, an erasure).
CREATE FUNCTION bump_published_after_rename() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE articles a SET published_version = a.published_version + 1, published_changed_at = now()
    WHERE a.id IN (SELECT c.article_id FROM comments c WHERE c.account_id = NEW.id AND c.status = 'approved');
    RETURN NULL;
END
$$;

CREATE TRIGGER accounts_published_rename AFTER UPDATE OF display_name ON accounts
    FOR EACH ROW WHEN (OLD.display_name IS DISTINCT FROM NEW.display_name) EXECUTE FUNCTION bump_published_after_rename();

-- The triggers run for whichever role changed the comment (the worker, a moderator, the API's definer functions):
-- they update articles with their owner's rights, like the other definer functions.
SELECT make_definer_functions(ARRAY[
    'bump_published_after_update()', 'bump_published_after_insert()', 'bump_published_after_rename()'
]::regprocedure[]);
