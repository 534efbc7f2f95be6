-- History in partitions: `comments`, `moderation_decisions` and `comment_queue` become partitioned by range of
-- comment id, all three with the same bounds, recorded in `history_partitions`. A comment id is issued by one
-- sequence as comments arrive, so an id range is a period of time: a comment, its decisions and its queue row live in
-- the same partition period. The present (the newest partition) stays small whatever the history's size; the queue's
-- finished partitions are dropped whole; a query bounded by time finds its first partition with `comment_id_floor`.
--
-- Why id and not submitted_at: a partitioned table's primary and unique keys must contain the partition column, so
-- partitioning by time would put submitted_at into every key and into the seven foreign keys that point at comments.
-- By comment id, only two keys move: moderation_decisions' primary key becomes (id, comment_id) (a flag is resolved by
-- a decision on its own comment, so comment_flags references (comment_id, resolved_by)), and the comment queue's
-- becomes (id, comment_id), id first so that a row is still found by its id alone. The idempotency key's uniqueness
-- per account cannot be a unique index any more (it lacks the id): every writer that stores a key first locks the
-- author's account row, then looks the key up (post_comment, and post_reply through it, did so already;
-- submit_comment now does too).
--
-- The existing tables are renamed and attached as the first partitions with their indexes, which PostgreSQL reuses
-- (nothing is rebuilt but the two changed primary keys and the idempotency index). PostgreSQL 15 allows no identity
-- column on a partitioned table, so the three ids become DEFAULT nextval of sequences that continue where the identity
-- stopped; roles that insert need USAGE on them, granted here to those that could insert before (and by roles.sql).
-- The migration holds its locks until it commits: on a large database, run it in a quiet hour (OPERATIONS.md).

CREATE TABLE history_partitions (
    lower_id           bigint PRIMARY KEY,
    upper_id           bigint NOT NULL CONSTRAINT history_partitions_upper_unique UNIQUE,
    created_at         timestamptz NOT NULL DEFAULT now(),
    filled_at          timestamptz,
    first_submitted_at timestamptz,
    last_submitted_at  timestamptz,
    queue_dropped_at   timestamptz,
    CONSTRAINT history_partitions_range CHECK (upper_id > lower_id),
    CONSTRAINT history_partitions_sealed CHECK ((first_submitted_at IS NULL) = (last_submitted_at IS NULL))
);
COMMENT ON TABLE history_partitions IS
    'The comment-id ranges of the partitions of comments, moderation_decisions and comment_queue (same bounds for all three).';
COMMENT ON COLUMN history_partitions.filled_at IS 'When maintenance first saw the comment id sequence past upper_id.';
COMMENT ON COLUMN history_partitions.last_submitted_at IS
    'The newest submitted_at in the partition, recorded an hour after it filled (NULL: the partition may still receive comments).';
COMMENT ON COLUMN history_partitions.queue_dropped_at IS 'When its comment_queue partition was dropped (every row finished and pruned).';

-- Converts one table: `key` is its partition column, [1, upper) the range of its existing rows and of what follows.
CREATE FUNCTION history_partition_table(tbl text, key text, upper bigint, next_id bigint, drop_constraints text[],
                                        drop_indexes text[], keys text[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    part text := tbl || '_from_1';
    definitions text[];
    r record;
BEGIN
    EXECUTE format('ALTER TABLE %I ALTER COLUMN id DROP IDENTITY', tbl);
    FOR r IN SELECT tgname FROM pg_trigger WHERE tgrelid = tbl::regclass AND NOT tgisinternal LOOP
        EXECUTE format('DROP TRIGGER %I ON %I', r.tgname, tbl);
    END LOOP;
    FOR r IN SELECT unnest(drop_constraints) AS name LOOP
        EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', tbl, r.name);
    END LOOP;
    FOR r IN SELECT unnest(drop_indexes) AS name LOOP
        EXECUTE format('DROP INDEX %I', r.name);
    END LOOP;
    -- The remaining indexes keep their definitions (the parent's are created from them) and are reused on attach.
    definitions := ARRAY(SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i
                         WHERE i.indrelid = tbl::regclass
                           AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid));
    FOR r IN SELECT c.relname AS name, k.conname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
             LEFT JOIN pg_constraint k ON k.conindid = i.indexrelid
             WHERE i.indrelid = tbl::regclass LOOP
        IF r.conname IS NOT NULL THEN
            EXECUTE format('ALTER TABLE %I RENAME CONSTRAINT %I TO %I', tbl, r.conname, r.conname || '_from_1');
        ELSE
            EXECUTE format('ALTER INDEX %I RENAME TO %I', r.name, r.name || '_from_1');
        END IF;
    END LOOP;
    EXECUTE format('ALTER TABLE %I RENAME TO %I', tbl, part);

    EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING COMMENTS) PARTITION BY RANGE (%I)',
                   tbl, part, key);
    EXECUTE format('CREATE SEQUENCE %I START WITH %s OWNED BY %I.id', tbl || '_id_seq', next_id, tbl);
    EXECUTE format('ALTER TABLE %I ALTER COLUMN id SET DEFAULT nextval(%L)', tbl, tbl || '_id_seq');
    FOR r IN SELECT unnest(keys) AS definition LOOP
        EXECUTE format('ALTER TABLE %I ADD %s', tbl, r.definition);
    END LOOP;
    FOR r IN SELECT unnest(definitions) AS definition LOOP
        EXECUTE replace(r.definition, format(' ON %s.%s ', current_schema(), part), format(' ON %I ', tbl));
    END LOOP;
    EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES FROM (1) TO (%s)', tbl, part, upper);

    -- The same rights on the new parent (partitions are reached through it), and the sequence to those who insert.
    FOR r IN SELECT CASE grantee WHEN 'PUBLIC' THEN 'PUBLIC' ELSE quote_ident(grantee) END AS grantee, privilege_type
             FROM information_schema.table_privileges
             WHERE table_schema = current_schema() AND table_name = part AND grantee <> current_user LOOP
        EXECUTE format('GRANT %s ON %I TO %s', r.privilege_type, tbl, r.grantee);
        IF r.privilege_type = 'INSERT' THEN
            EXECUTE format('GRANT USAGE ON SEQUENCE %I TO %s', tbl || '_id_seq', r.grantee);
        END IF;
    END LOOP;
    FOR r IN SELECT CASE grantee WHEN 'PUBLIC' THEN 'PUBLIC' ELSE quote_ident(grantee) END AS grantee, privilege_type, column_name
             FROM information_schema.column_privileges
             WHERE table_schema = current_schema() AND table_name = part AND grantee <> current_user LOOP
        EXECUTE format('GRANT %s (%I) ON %I TO %s', r.privilege_type, r.column_name, tbl, r.grantee);
    END LOOP;
    EXECUTE format('REVOKE ALL ON %I FROM PUBLIC', part);
END
$$;

DO $$
DECLARE
    next_comment bigint;
    next_decision bigint;
    next_queue bigint;
    size bigint;
    upper bigint;
BEGIN
    SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END INTO next_comment FROM comments_id_seq;
    SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END INTO next_decision FROM moderation_decisions_id_seq;
    SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END INTO next_queue FROM comment_queue_id_seq;
    -- The first partition holds everything so far and a month more (by the last 30 days' ids, at least 100,000).
    SELECT greatest(count(*), 100000) INTO size FROM comments WHERE submitted_at > now() - interval '30 days';
    upper := next_comment + size;

    -- Foreign keys that point at comments or at moderation_decisions come back below, pointing at the parents.
    ALTER TABLE comment_flags DROP CONSTRAINT comment_flags_comment_id_fkey, DROP CONSTRAINT comment_flags_resolved_by_fkey;
    ALTER TABLE review_claims DROP CONSTRAINT review_claims_comment_id_fkey;
    ALTER TABLE comment_queue DROP CONSTRAINT comment_queue_comment_id_fkey;
    ALTER TABLE moderation_decisions DROP CONSTRAINT moderation_decisions_comment_id_fkey;
    ALTER TABLE comments DROP CONSTRAINT comments_parent_id_fkey, DROP CONSTRAINT comments_revision_of_fkey,
        DROP CONSTRAINT comments_replaced_by_fkey;

    PERFORM history_partition_table('comments', 'id', upper, next_comment, '{}', ARRAY['comments_account_idempotency'],
                                    ARRAY['PRIMARY KEY (id)']);
    PERFORM history_partition_table('moderation_decisions', 'comment_id', upper, next_decision,
                                    ARRAY['moderation_decisions_pkey'], '{}', ARRAY['PRIMARY KEY (id, comment_id)']);
    PERFORM history_partition_table('comment_queue', 'comment_id', upper, next_queue, ARRAY['comment_queue_pkey'], '{}',
                                    ARRAY['PRIMARY KEY (id, comment_id)', 'CONSTRAINT comment_queue_comment_unique UNIQUE (comment_id)']);
    INSERT INTO history_partitions (lower_id, upper_id) VALUES (1, upper);
END
$$;
DROP FUNCTION history_partition_table(text, text, bigint, bigint, text[], text[], text[]);

-- The partitions' own foreign keys to articles, accounts and policy versions are taken over by the parents' (the
-- same constraints, so PostgreSQL attaches them without checking the rows again).
ALTER TABLE comments
    ADD CONSTRAINT comments_article_id_fkey FOREIGN KEY (article_id) REFERENCES articles (id),
    ADD CONSTRAINT comments_account_id_fkey FOREIGN KEY (account_id) REFERENCES accounts (id),
    ADD CONSTRAINT comments_parent_id_fkey FOREIGN KEY (parent_id) REFERENCES comments (id),
    ADD CONSTRAINT comments_revision_of_fkey FOREIGN KEY (revision_of) REFERENCES comments (id),
    ADD CONSTRAINT comments_replaced_by_fkey FOREIGN KEY (replaced_by) REFERENCES comments (id);
ALTER TABLE moderation_decisions
    ADD CONSTRAINT moderation_decisions_comment_id_fkey FOREIGN KEY (comment_id) REFERENCES comments (id),
    ADD CONSTRAINT moderation_decisions_policy_version_fkey FOREIGN KEY (policy_version) REFERENCES policy_versions (id);
ALTER TABLE comment_queue ADD CONSTRAINT comment_queue_comment_id_fkey FOREIGN KEY (comment_id) REFERENCES comments (id);
ALTER TABLE review_claims ADD CONSTRAINT review_claims_comment_id_fkey FOREIGN KEY (comment_id) REFERENCES comments (id);
ALTER TABLE comment_flags
    ADD CONSTRAINT comment_flags_comment_id_fkey FOREIGN KEY (comment_id) REFERENCES comments (id),
    ADD CONSTRAINT comment_flags_resolved_by_fkey FOREIGN KEY (comment_id, resolved_by)
        REFERENCES moderation_decisions (comment_id, id);
-- Drop the partitions' copies the parents' did not take over (none are expected; this keeps the schema single).
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT conrelid::regclass AS tbl, conname FROM pg_constraint
             WHERE contype = 'f' AND conparentid = 0
               AND conrelid IN ('comments_from_1'::regclass, 'moderation_decisions_from_1'::regclass, 'comment_queue_from_1'::regclass) LOOP
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', r.tbl, r.conname);
    END LOOP;
END
$$;

-- The triggers, on the parents (they fire for every partition).
CREATE TRIGGER comment_queue_notify AFTER INSERT ON comment_queue
    FOR EACH STATEMENT EXECUTE FUNCTION comment_queue_notify();
CREATE TRIGGER moderation_decisions_append_only BEFORE UPDATE OR DELETE ON moderation_decisions
    FOR EACH ROW EXECUTE FUNCTION refuse_history_change();
CREATE TRIGGER moderation_decisions_no_truncate BEFORE TRUNCATE ON moderation_decisions
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_history_change();
CREATE TRIGGER comment_status_events AFTER UPDATE ON comments
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION comment_status_events();
CREATE TRIGGER comments_published_update AFTER UPDATE ON comments
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION bump_published_after_update();
CREATE TRIGGER comments_published_insert AFTER INSERT ON comments
    FOR EACH ROW WHEN (NEW.status = 'approved') EXECUTE FUNCTION bump_published_after_insert();

-- The append-only trigger runs on each partition, where TG_TABLE_NAME is the partition's: it judges and names the
-- partitioned table (the same rule as 0011 otherwise: erasure may scrub a decision's hits and note, nothing else).
CREATE OR REPLACE FUNCTION refuse_history_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v_table text := coalesce((SELECT p.relname FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent WHERE i.inhrelid = TG_RELID),
                             TG_TABLE_NAME);
BEGIN
    IF TG_OP = 'UPDATE' AND v_table = 'moderation_decisions' AND current_setting('commentdesk.erasing', true) = 'on'
       AND (to_jsonb(NEW) - 'hits' - 'note') = (to_jsonb(OLD) - 'hits' - 'note') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '% is append-only: % is not allowed', v_table, TG_OP
        USING ERRCODE = 'CD010', HINT = 'Record a new decision or sanction instead.';
END
$$;

-- Its return type was the old table's row type (now the first partition's): the same function on the parent's.
DROP FUNCTION lock_own_comment(bigint, bigint);
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

-- A producer's retry with the same key: the author's account row is locked before the key is looked up, so two
-- retries take turns and the second finds the first's comment (there is no unique index to conflict on any more).
CREATE OR REPLACE FUNCTION submit_comment(
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
        IF v_account_id IS NULL OR submit_comment.idempotency_key IS NOT NULL THEN
            SELECT a.id INTO v_account_id FROM accounts a
            WHERE a.provider = submit_comment.provider AND a.provider_subject = submit_comment.subject
            FOR NO KEY UPDATE;
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
    RETURNING c.id INTO v_comment_id;
    INSERT INTO comment_queue (comment_id) VALUES (v_comment_id);
    RETURN v_comment_id;
END
$$;

-- The first comment id that can have been submitted at or after `since`: the lower bound of the oldest partition
-- whose newest comment is that recent, or that may still receive comments. A query bounded by time adds
-- `id >= floor` with the floor computed first and passed as a value, and PostgreSQL leaves the older partitions out
-- of the plan. (Called inside the comparison, it would be computed again for every row; as a sub-select, once, but the
-- partitions are then pruned only when the query runs, after every partition's scan was prepared.)
-- (PL/pgSQL, whose plan is kept for the session: an SQL function's query is planned again at every call.)
CREATE FUNCTION comment_id_floor(since timestamptz) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT coalesce(min(h.lower_id), 1) FROM history_partitions h
            WHERE h.last_submitted_at IS NULL OR h.last_submitted_at >= comment_id_floor.since);
END
$$;

-- A reader's burst limit reads the author's last minute in the newest partitions only (the same function otherwise).
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
    v_limit           integer;
    v_recent          integer;
    v_oldest          timestamptz;
    v_floor           bigint;
    v_ceiling         bigint;
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
        -- The floor is a value when the query starts, so the older partitions are pruned before any is read (as a
        -- sub-select it prunes only while the query runs, after every partition's scan was prepared). The author's
        -- newest `v_limit` comments are read first and those of the last minute counted from them: only the author's
        -- index can give them, whatever the statistics say about the last minute. (With the minute inside, a partition
        -- whose statistics predate the minute's posts was read through its submitted_at index: every post of the
        -- minute, by everyone, for each post: 12,600 pages a call at 16,000 posts a minute.)
        -- The ceiling (the last id issued; the author's earlier posts committed before this one got the account lock)
        -- leaves out the empty partitions kept ahead, so the query is planned on the newest one alone: with many
        -- partitions PostgreSQL plans it at every call, and planning the ones ahead cost more than running it.
        v_floor := comment_id_floor(now() - interval '1 minute');
        SELECT s.last_value INTO v_ceiling FROM comments_id_seq s;
        SELECT count(*), min(r.submitted_at) INTO v_recent, v_oldest
        FROM (SELECT c.submitted_at FROM comments c
              WHERE c.account_id = v_account_id AND c.id >= v_floor AND c.id <= v_ceiling
              ORDER BY c.submitted_at DESC LIMIT v_limit) r
        WHERE r.submitted_at > now() - interval '1 minute';
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

-- CREATE OR REPLACE resets a function's security: both stay definer functions as 0006 made them.
SELECT make_definer_functions(ARRAY[
    'submit_comment(text, text, text, text, text, text, timestamptz, timestamptz, text)',
    'post_comment(text, text, text, text, text, text, timestamptz, timestamptz)'
]::regprocedure[]);

-- The worker's maintenance, every few minutes: (1) records when the comment id sequence passed a partition, and
-- `seal_after` later (an hour: a transaction still holding one of its ids would be that old) the partition's first
-- and last submitted_at, which comment_id_floor reads; (2) keeps `ahead` partitions beyond the one being filled, each sized
-- by the ids of the last 30 days and at least `min_size`; (3) drops the comment queue's partitions whose every row is
-- finished and was pruned, or finished before `queue_retention` ago; (4) analyzes the three partitioned tables when
-- their partitions hold a tenth more rows than they did at the last analysis (autovacuum analyzes the partitions, never
-- the partitioned tables themselves, and without their statistics the planner knows neither how large they are nor
-- that a comment id is unique: it joined a batch of 500 ids to every comment). Returns what it did, for the log.
CREATE FUNCTION maintain_history_partitions(ahead integer, min_size bigint, seal_after interval, queue_retention interval)
RETURNS TABLE (created integer, sealed integer, queue_dropped integer, analyzed integer)
LANGUAGE plpgsql AS $$
DECLARE
    v_next bigint;
    v_size bigint;
    v_previous bigint;
    v_lower bigint;
    v_upper bigint;
    v_table text;
    v_options text;
    -- A definer function's search path starts with pg_catalog: new tables are named in the parents' schema.
    v_schema text := (SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = 'comments'::regclass);
    r record;
BEGIN
    IF ahead < 1 OR ahead > 12 OR min_size < 1000 OR seal_after < interval '0' OR queue_retention < interval '0' THEN
        RAISE EXCEPTION 'maintain_history_partitions: ahead must be 1 to 12, min_size at least 1000, intervals not negative'
            USING ERRCODE = '22023';
    END IF;
    -- One maintainer at a time (several workers run this); the others skip this round.
    IF NOT pg_try_advisory_xact_lock(hashtext('commentdesk.history_partitions')) THEN
        RETURN QUERY SELECT 0, 0, 0, 0;
        RETURN;
    END IF;
    created := 0;
    sealed := 0;
    queue_dropped := 0;
    analyzed := 0;
    SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END INTO v_next FROM comments_id_seq;

    UPDATE history_partitions SET filled_at = now() WHERE upper_id <= v_next AND filled_at IS NULL;
    FOR r IN SELECT lower_id, upper_id FROM history_partitions
             WHERE filled_at <= now() - seal_after AND last_submitted_at IS NULL ORDER BY lower_id LOOP
        UPDATE history_partitions h
        SET first_submitted_at = coalesce(s.first, h.created_at), last_submitted_at = coalesce(s.last, h.created_at)
        FROM (SELECT min(c.submitted_at) AS first, max(c.submitted_at) AS last FROM comments c
              WHERE c.id >= r.lower_id AND c.id < r.upper_id) s
        WHERE h.lower_id = r.lower_id;
        sealed := sealed + 1;
    END LOOP;

    LOOP
        EXIT WHEN (SELECT count(*) FROM history_partitions WHERE lower_id > v_next) >= ahead;
        IF v_size IS NULL THEN
            -- The ids issued in the last 30 days: from the first comment of the period to the next id.
            SELECT greatest(v_next - coalesce((SELECT c.id FROM comments c
                                               WHERE c.id >= (SELECT comment_id_floor(now() - interval '30 days'))
                                                 AND c.submitted_at > now() - interval '30 days'
                                               ORDER BY c.submitted_at LIMIT 1), v_next), min_size)
            INTO v_size;
        END IF;
        SELECT lower_id, upper_id INTO v_previous, v_lower FROM history_partitions ORDER BY lower_id DESC LIMIT 1;
        v_upper := v_lower + v_size;
        -- Each new partition takes its table's storage settings from the partition before it (the queue's fill factor
        -- and autovacuum settings), since a partitioned table has none of its own.
        FOREACH v_table IN ARRAY ARRAY['comments', 'moderation_decisions', 'comment_queue'] LOOP
            SELECT coalesce(' WITH (' || array_to_string(c.reloptions, ', ') || ')', '') INTO v_options
            FROM pg_class c WHERE c.oid = to_regclass(format('%I.%I', v_schema, v_table || '_from_' || v_previous));
            EXECUTE format('CREATE TABLE %I.%I PARTITION OF %I.%I FOR VALUES FROM (%s) TO (%s)%s',
                           v_schema, v_table || '_from_' || v_lower, v_schema, v_table, v_lower, v_upper, coalesce(v_options, ''));
        END LOOP;
        INSERT INTO history_partitions (lower_id, upper_id) VALUES (v_lower, v_upper);
        created := created + 1;
    END LOOP;

    FOR r IN SELECT h.lower_id, h.upper_id FROM history_partitions h
             WHERE h.last_submitted_at IS NOT NULL AND h.queue_dropped_at IS NULL ORDER BY h.lower_id LOOP
        EXIT WHEN EXISTS (SELECT 1 FROM comment_queue q WHERE q.comment_id >= r.lower_id AND q.comment_id < r.upper_id
                          AND (q.state NOT IN ('done', 'dead') OR q.finished_at >= now() - queue_retention));
        EXECUTE format('ALTER TABLE %I.comment_queue DETACH PARTITION %I.%I', v_schema, v_schema, 'comment_queue_from_' || r.lower_id);
        EXECUTE format('DROP TABLE %I.%I', v_schema, 'comment_queue_from_' || r.lower_id);
        UPDATE history_partitions SET queue_dropped_at = now() WHERE lower_id = r.lower_id;
        queue_dropped := queue_dropped + 1;
    END LOOP;

    FOREACH v_table IN ARRAY ARRAY['comments', 'moderation_decisions', 'comment_queue'] LOOP
        IF (SELECT coalesce(sum(greatest(c.reltuples, 0)), 0) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = format('%I.%I', v_schema, v_table)::regclass)
           > 1.1 * (SELECT greatest(c.reltuples, 0) FROM pg_class c WHERE c.oid = format('%I.%I', v_schema, v_table)::regclass) + 1000
        THEN
            EXECUTE format('ANALYZE %I.%I', v_schema, v_table);
            analyzed := analyzed + 1;
        END IF;
    END LOOP;
    RETURN NEXT;
END
$$;
SELECT make_definer_functions(ARRAY['maintain_history_partitions(integer, bigint, interval, interval)']::regprocedure[]);

-- Partitions ahead of the sequence from the start.
SELECT * FROM maintain_history_partitions(2, 100000, interval '1 hour', interval '1 hour');
