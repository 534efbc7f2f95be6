-- Write-path efficiency (issue 21): no NOTIFY in a posting transaction unless a worker is asleep.
--
-- A NOTIFY takes a cluster-wide lock on the notification queue at commit, so a NOTIFY in every post made the posts of
-- all readers commit one after another. A worker that has had nothing to do for a while (its hot window) registers
-- here before it claims a last time and sleeps on LISTEN; a new queue row notifies only while such a registration is
-- live. A busy worker claims again at once, and one that had work a moment ago polls every few milliseconds, so
-- under load nobody notifies. Registrations expire by themselves (a worker renews its own each time it wakes), so a
-- worker that died leaves nothing that makes posts notify for long.
--
-- The table is UNLOGGED: it is transient (after a crash it is empty and workers register again as they sleep), and a
-- transaction that writes only unlogged rows does not wait for the WAL to reach disk.

CREATE UNLOGGED TABLE queue_waiters (
    -- The worker's id and its loop: "worker-1/0".
    waiter     text PRIMARY KEY CONSTRAINT queue_waiters_waiter_length CHECK (length(waiter) BETWEEN 1 AND 250),
    expires_at timestamptz NOT NULL
);
COMMENT ON TABLE queue_waiters IS
    'Worker loops asleep on LISTEN comment_queue until expires_at; a queue insert notifies only while one is live.';

CREATE OR REPLACE FUNCTION comment_queue_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM queue_waiters WHERE expires_at > now()) THEN
        PERFORM pg_notify('comment_queue', '');
    END IF;
    RETURN NULL;
END
$$;
-- Every role that enqueues (through the definer functions or a producer's own INSERT) must be able to look.
SELECT make_definer_functions(ARRAY['comment_queue_notify()']::regprocedure[]);
