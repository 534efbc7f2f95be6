-- Posting and moderation without planning over the whole history (issue 22). With many partitions, PostgreSQL 15 plans
-- a statement on a partitioned table again at every call (a plan kept for the session would cover every partition,
-- and its estimated cost grows with their number). Two such statements ran for every post and one for every decision:
--
-- 1. The reader's burst limit counted the author's posts of the last minute in `comments`. It now reads them from the
--    account's row, which post_comment locks anyway: `accounts.recent_posts` holds the times of the account's newest
--    posts (at most the policy's per-minute limit of them). A post refused by the limit adds nothing.
-- 2. The foreign keys from `comment_queue` and `moderation_decisions` to `comments`: PostgreSQL checks each inserted row
--    with a query on the referenced table, planned per row when that table has many partitions. The three tables
--    share their partition bounds (a comment's decisions and queue row are in the partition of the same range), so
--    each partition of the two references the comments partition of its own bounds: the check reads one plain table.
--    The worker's maintenance adds the two keys to each set of partitions it creates. What the keys guarantee is the
--    same: no decision or queue row without its comment.
-- 3. Such a check is planned once for the session once it has run a few times (the cheapest plan for a table of one
--    page, a sequential scan, when a partition has just started to fill) and planned again only when the table's
--    statistics change. Autovacuum analyzes a new partition within a minute or more, while every check reads it whole:
--    posting fell from 3,700 to 700 posts/s in the first 40 seconds of a partition (measured). A partition's
--    thousandth comment now has the three partitions of its range analyzed at once, and the sessions plan again.
-- 4. A reader's idempotency key was looked up in `comments` by account and key, in every partition (the partition key is
--    not in the condition): the comment box sends a key with every post. Reader keys now live in
--    `reader_idempotency_keys` for a day (long past any retry of a post), a table a day's posts large, with a primary
--    key that also makes each key unique per account again. Producers' keys (submit_comment, e.g. an import run again
--    weeks later) are still looked up in `comments`, for good.

ALTER TABLE history_partitions ADD COLUMN first_analyzed_at timestamptz;
COMMENT ON COLUMN history_partitions.first_analyzed_at IS
    'When its partitions were first analyzed, at its thousandth comment (before that, plans are made for an empty table).';
-- Those with a thousand comments or more have been analyzed by autovacuum already or will be soon; the one filling
-- (a new database's first) is analyzed at its thousandth.
UPDATE history_partitions SET first_analyzed_at = now() WHERE lower_id + 1000 <= (SELECT last_value FROM comments_id_seq);

-- Runs for comment ids that are multiples of 1,000 (the trigger's condition): the first of them at least 1,000 past its
-- partition's lower bound analyzes the three partitions of that range. A definer function: ANALYZE needs the owner.
CREATE FUNCTION analyze_filling_partition() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v_lower bigint;
    v_table text;
    v_schema text := TG_TABLE_SCHEMA;
BEGIN
    UPDATE history_partitions h SET first_analyzed_at = now()
    WHERE h.lower_id <= NEW.id AND h.upper_id > NEW.id AND h.lower_id <= NEW.id - 1000 AND h.first_analyzed_at IS NULL
    RETURNING h.lower_id INTO v_lower;
    IF v_lower IS NOT NULL THEN
        FOREACH v_table IN ARRAY ARRAY['comments', 'moderation_decisions', 'comment_queue'] LOOP
            EXECUTE format('ANALYZE %I.%I', v_schema, v_table || '_from_' || v_lower);
        END LOOP;
    END IF;
    RETURN NULL;
END
$$;
SELECT make_definer_functions(ARRAY['analyze_filling_partition()']::regprocedure[]);
CREATE TRIGGER comments_analyze_filling_partition AFTER INSERT ON comments
    FOR EACH ROW WHEN (NEW.id % 1000 = 0) EXECUTE FUNCTION analyze_filling_partition();

CREATE TABLE reader_idempotency_keys (
    account_id      bigint NOT NULL REFERENCES accounts (id),
    idempotency_key text NOT NULL,
    comment_id      bigint NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, idempotency_key)
);
CREATE INDEX reader_idempotency_keys_created ON reader_idempotency_keys (created_at);
COMMENT ON TABLE reader_idempotency_keys IS
    'The Idempotency-Key of each reader post of the last day and the comment it created (comments are never deleted): a retry answers with that comment.';
-- The last day's, so that a retry across the upgrade still finds its comment.
INSERT INTO reader_idempotency_keys (account_id, idempotency_key, comment_id, created_at)
SELECT c.account_id, c.idempotency_key, c.id, c.submitted_at FROM comments c
WHERE c.id >= comment_id_floor(now() - interval '1 day') AND c.submitted_at > now() - interval '1 day'
  AND c.idempotency_key IS NOT NULL AND c.account_id IS NOT NULL
ON CONFLICT DO NOTHING;

ALTER TABLE accounts ADD COLUMN recent_posts timestamptz[] NOT NULL DEFAULT '{}';
COMMENT ON COLUMN accounts.recent_posts IS
    'When the account''s newest reader posts were submitted, oldest first (at most reader_posts_per_minute of them): the burst limit.';
-- Those of the last minute, so that the limit holds across the upgrade.
UPDATE accounts a SET recent_posts = r.times
FROM (SELECT c.account_id, array_agg(c.submitted_at ORDER BY c.submitted_at) AS times FROM comments c
      WHERE c.id >= comment_id_floor(now() - interval '1 minute') AND c.submitted_at > now() - interval '1 minute'
        AND c.account_id IS NOT NULL
      GROUP BY c.account_id) r
WHERE a.id = r.account_id;

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
    v_recent_posts    timestamptz[];
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
    SELECT a.id, a.status, a.suspended_until, a.display_name, a.recent_posts
    INTO v_account_id, v_account_status, v_suspended_until, v_display_name, v_recent_posts
    FROM accounts a WHERE a.provider = post_comment.provider AND a.provider_subject = post_comment.subject
    FOR UPDATE;
    IF v_account_id IS NULL THEN
        INSERT INTO accounts AS a (provider, provider_subject, display_name)
        VALUES (post_comment.provider, post_comment.subject, v_name)
        ON CONFLICT ON CONSTRAINT accounts_provider_subject_unique DO NOTHING
        RETURNING a.id, a.status, a.suspended_until, a.display_name, a.recent_posts
        INTO v_account_id, v_account_status, v_suspended_until, v_display_name, v_recent_posts;
        IF v_account_id IS NULL THEN
            SELECT a.id, a.status, a.suspended_until, a.display_name, a.recent_posts
            INTO v_account_id, v_account_status, v_suspended_until, v_display_name, v_recent_posts
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

    SELECT p.reader_posts_per_minute INTO v_limit FROM policy_versions p WHERE p.is_active;
    IF v_limit > 0 THEN
        -- The account's posts of the last minute, oldest first, from its row (locked above, so concurrent posts from
        -- one login are counted one after the other); the oldest of the newest `v_limit` says when the next is allowed.
        v_recent_posts := ARRAY(SELECT t FROM unnest(v_recent_posts) t WHERE t > now() - interval '1 minute' ORDER BY t);
        IF cardinality(v_recent_posts) >= v_limit THEN
            RAISE EXCEPTION 'too many posts' USING ERRCODE = 'CD006',
                DETAIL = greatest(1, ceil(extract(epoch FROM v_recent_posts[cardinality(v_recent_posts) - v_limit + 1]
                                                             + interval '1 minute' - now())))::integer::text;
        END IF;
        -- This post's time joins them (the newest `v_limit` are kept: no more are ever needed).
        v_recent_posts := v_recent_posts || now();
        UPDATE accounts SET recent_posts = v_recent_posts[greatest(1, cardinality(v_recent_posts) - v_limit + 1):]
        WHERE id = v_account_id;
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
    IF post_comment.idempotency_key IS NOT NULL THEN
        INSERT INTO reader_idempotency_keys (account_id, idempotency_key, comment_id)
        VALUES (v_account_id, post_comment.idempotency_key, v_comment_id);
    END IF;
    RETURN QUERY SELECT v_comment_id, false, 'queued'::text;
END
$$;

SELECT make_definer_functions(ARRAY['post_comment(text, text, text, text, text, text, timestamptz, timestamptz)']::regprocedure[]);

-- The keys, partition by partition (a comment queue partition dropped by retention has none to take).
ALTER TABLE comment_queue DROP CONSTRAINT comment_queue_comment_id_fkey;
ALTER TABLE moderation_decisions DROP CONSTRAINT moderation_decisions_comment_id_fkey;
DO $$
DECLARE
    r record;
    v_table text;
BEGIN
    FOR r IN SELECT lower_id FROM history_partitions ORDER BY lower_id LOOP
        FOREACH v_table IN ARRAY ARRAY['moderation_decisions', 'comment_queue'] LOOP
            CONTINUE WHEN to_regclass(v_table || '_from_' || r.lower_id) IS NULL;
            EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I FOREIGN KEY (comment_id) REFERENCES %I (id)',
                           v_table || '_from_' || r.lower_id, v_table || '_from_' || r.lower_id || '_comment_id_fkey',
                           'comments_from_' || r.lower_id);
        END LOOP;
    END LOOP;
END
$$;

CREATE OR REPLACE FUNCTION maintain_history_partitions(ahead integer, min_size bigint, seal_after interval, queue_retention interval)
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
        FOREACH v_table IN ARRAY ARRAY['moderation_decisions', 'comment_queue'] LOOP
            EXECUTE format('ALTER TABLE %1$I.%2$I ADD CONSTRAINT %3$I FOREIGN KEY (comment_id) REFERENCES %1$I.%4$I (id)',
                           v_schema, v_table || '_from_' || v_lower, v_table || '_from_' || v_lower || '_comment_id_fkey',
                           'comments_from_' || v_lower);
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

    -- Reader idempotency keys are kept for a day.
    DELETE FROM reader_idempotency_keys k WHERE k.created_at < now() - interval '1 day';

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

-- Erasure (sql/0011) also forgets the reader's idempotency keys and the times of their last posts.
CREATE OR REPLACE FUNCTION erase_account(account_id bigint, erased_by text) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    v_comments  integer;
    v_pattern   text;
    v_pseudonym text;
BEGIN
    PERFORM 1 FROM accounts a WHERE a.id = erase_account.account_id FOR UPDATE;
    PERFORM set_config('commentdesk.erasing', 'on', true);
    UPDATE moderation_decisions d
    SET hits = (SELECT coalesce(jsonb_agg(h - 'matched' - 'start' - 'end'), '[]'::jsonb) FROM jsonb_array_elements(d.hits) h),
        note = CASE WHEN d.source = 'author' THEN NULL ELSE d.note END
    WHERE d.comment_id IN (SELECT c.id FROM comments c WHERE c.account_id = erase_account.account_id);
    PERFORM set_config('commentdesk.erasing', 'off', true);
    UPDATE comments c
    SET body = '', idempotency_key = NULL, request_fingerprint = NULL, auth_subject = NULL, auth_issued_at = NULL,
        auth_expires_at = NULL, erased_at = coalesce(c.erased_at, now())
    WHERE c.account_id = erase_account.account_id;
    GET DIAGNOSTICS v_comments = ROW_COUNT;
    UPDATE comment_flags f SET note = NULL WHERE f.account_id = erase_account.account_id;
    -- Stored reports name sanctioned accounts as provider:subject: that name becomes the pseudonym, as a whole word only
    -- (twitter:1 must not touch twitter:12).
    SELECT '(?<![A-Za-z0-9_:.@-])' || regexp_replace(a.provider || ':' || a.provider_subject, '([.^$*+?()\[\]{}|\\-])', '\\\1', 'g')
           || '(?![A-Za-z0-9_.@-])', 'erased:' || a.id
    INTO v_pattern, v_pseudonym
    FROM accounts a WHERE a.id = erase_account.account_id AND a.erased_at IS NULL;
    IF v_pattern IS NOT NULL THEN
        UPDATE policy_reports r
        SET summary = regexp_replace(r.summary::text, v_pattern, v_pseudonym, 'g')::jsonb,
            markdown = regexp_replace(r.markdown, v_pattern, v_pseudonym, 'g'),
            html = regexp_replace(r.html, v_pattern, v_pseudonym, 'g'),
            csv = regexp_replace(r.csv, v_pattern, v_pseudonym, 'g')
        WHERE r.summary::text ~ v_pattern;
    END IF;
    DELETE FROM reader_idempotency_keys k WHERE k.account_id = erase_account.account_id;
    UPDATE accounts a SET provider_subject = 'erased:' || a.id, display_name = '', erased_at = coalesce(a.erased_at, now()),
                          recent_posts = '{}'
    WHERE a.id = erase_account.account_id;
    UPDATE account_erasures e SET erased_at = now()
    WHERE e.account_id = erase_account.account_id AND e.erased_at IS NULL AND e.cancelled_at IS NULL;
    IF NOT FOUND THEN
        INSERT INTO account_erasures (account_id, requested_by, due_at, erased_at)
        VALUES (erase_account.account_id, erase_account.erased_by, now(), now());
    END IF;
    RETURN v_comments;
END
$$;
SELECT make_definer_functions(ARRAY['erase_account(bigint, text)']::regprocedure[]);
