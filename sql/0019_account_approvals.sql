-- How many of each reader's comments are approved, kept as the statuses change, for the new-commenter rule
-- ("held until `first` have been approved"). The worker counted them in the comments table for every batch, author by
-- author, up to the rule's number. An author's approved comments lie anywhere in the history, so that count read old,
-- cold partitions for most authors of every batch and was planned over every partition: with the default policy,
-- moderation drained 8,790 comments/s on 3 million comments of history against 11,613/s on an empty database (36.6 ms
-- a batch for the count against 3.6 ms, 1,400 pages read from disk a batch; deploy/bench/history.sh, 2026-12-05).
-- Now the count is one row per reader, read with the batch's comments.
--
-- Kept by the comments' own triggers, whoever changes a status (the worker's batch, a moderator, an edit, an erasure,
-- an import): exact, the count of comments whose status is 'approved', as the count it replaces was. In a table of its
-- own rather than on the account's row: a reader's post locks that row (the burst limit), and a worker's batch would
-- otherwise hold the rows of its 500 authors until it commits.

CREATE TABLE account_approvals (
    account_id bigint PRIMARY KEY REFERENCES accounts (id),
    approved   integer NOT NULL
);
COMMENT ON TABLE account_approvals IS
    'How many of the reader''s comments have the status approved (the new-commenter rule); kept by the comments'' triggers.';

-- The readers' counts so far: one pass over the history (about as long as reading the comments table once).
INSERT INTO account_approvals (account_id, approved)
SELECT c.account_id, count(*) FROM comments c
WHERE c.status = 'approved' AND c.account_id IS NOT NULL
GROUP BY c.account_id;

-- A statement's changes, one row per reader whose count moved. The rows are taken in the order of the readers' ids: the
-- worker finishes batches on two connections at once, and two batches with authors in common must not each hold one
-- the other waits for (as sql/0018 does for articles).
CREATE FUNCTION count_approvals_after_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO account_approvals AS a (account_id, approved)
    SELECT d.account_id, sum(d.change)::integer
    FROM (SELECT n.account_id, 1 AS change FROM new_rows n WHERE n.status = 'approved' AND n.account_id IS NOT NULL
          UNION ALL
          SELECT o.account_id, -1 FROM old_rows o WHERE o.status = 'approved' AND o.account_id IS NOT NULL) d
    GROUP BY d.account_id
    HAVING sum(d.change) <> 0
    ORDER BY d.account_id
    ON CONFLICT (account_id) DO UPDATE SET approved = a.approved + excluded.approved;
    RETURN NULL;
END
$$;

-- Comments arrive queued; one inserted already approved (an import) counts too.
CREATE FUNCTION count_approvals_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO account_approvals AS a (account_id, approved) VALUES (NEW.account_id, 1)
    ON CONFLICT (account_id) DO UPDATE SET approved = a.approved + 1;
    RETURN NULL;
END
$$;

-- Named to fire after comments_published_update (triggers of an event fire in the order of their names), so that
-- every batch takes the articles' locks, then the readers' counts.
CREATE TRIGGER comments_z_count_approvals AFTER UPDATE ON comments
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION count_approvals_after_update();
CREATE TRIGGER comments_z_count_approved_insert AFTER INSERT ON comments
    FOR EACH ROW WHEN (NEW.status = 'approved' AND NEW.account_id IS NOT NULL) EXECUTE FUNCTION count_approvals_after_insert();

-- The triggers run for whichever role changed the comment (the worker, a moderator, the API's definer functions).
SELECT make_definer_functions(ARRAY['count_approvals_after_update()', 'count_approvals_after_insert()']::regprocedure[]);
