-- Posts the API refused before storing anything (too long, empty, not logged in, banned, …): counted per minute and
-- reason, so the Board's report shows what readers tried and were turned away from, not only what was stored.
-- No text, no reader: only how many. The API adds its counts every few seconds through record_refused_posts.

CREATE TABLE refused_posts (
    minute timestamptz NOT NULL CONSTRAINT refused_posts_whole_minute CHECK (minute = date_trunc('minute', minute)),
    reason text NOT NULL CONSTRAINT refused_posts_reason_code CHECK (reason ~ '^[a-z][a-z0-9_]{0,63}$'),
    posts  bigint NOT NULL CONSTRAINT refused_posts_positive CHECK (posts > 0),
    PRIMARY KEY (minute, reason)
);

COMMENT ON TABLE refused_posts IS 'Posts refused before they were stored, counted per minute and reason code (no text, no reader).';

-- Adds counts for one minute (the minute `at` falls in); reasons[i] was refused counts[i] times.
CREATE FUNCTION record_refused_posts(reasons text[], counts bigint[], at timestamptz) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO refused_posts (minute, reason, posts)
    SELECT date_trunc('minute', record_refused_posts.at), r.reason, r.posts
    FROM unnest(record_refused_posts.reasons, record_refused_posts.counts) AS r(reason, posts)
    WHERE r.posts > 0 AND cardinality(record_refused_posts.reasons) <= 64  -- one flush holds a few reasons, never a flood
    ON CONFLICT (minute, reason) DO UPDATE SET posts = refused_posts.posts + EXCLUDED.posts
$$;

SELECT make_definer_functions(ARRAY['record_refused_posts(text[], bigint[], timestamptz)']::regprocedure[]);
