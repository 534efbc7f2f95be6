-- The reason codes of each comment's latest decision, kept on the comment beside its status, in the same statements
-- that set the status (worker, reaper, moderators). The moderators' queue lists and counts held comments by reason
-- from one covering index instead of looking up 100,000 decisions (issue 6: `modctl queue` within 200 ms).
ALTER TABLE comments ADD COLUMN reasons text[] NOT NULL DEFAULT '{}';

UPDATE comments c SET reasons = d.reasons
FROM (
    SELECT DISTINCT ON (comment_id) comment_id, reasons
    FROM moderation_decisions
    ORDER BY comment_id, decided_at DESC, id DESC
) d
WHERE d.comment_id = c.id AND d.reasons <> '{}';

DROP INDEX comments_held;
CREATE INDEX comments_held ON comments (submitted_at, id) INCLUDE (reasons) WHERE status = 'held';
