-- The producer functions run with their owner's rights (SECURITY DEFINER), so a role allowed to call them (the API's,
-- see sql/roles.sql) can submit comments without any right to write the tables itself. Their search_path is fixed
-- to the one in force now, so a caller cannot slip its own objects in front of ours.
ALTER FUNCTION submit_comment(text, text, text, text, text, text, timestamptz, timestamptz, text)
    SECURITY DEFINER SET search_path FROM CURRENT;
ALTER FUNCTION post_comment(text, text, text, text, text, text, timestamptz, timestamptz, integer)
    SECURITY DEFINER SET search_path FROM CURRENT;
-- Only the roles granted EXECUTE in sql/roles.sql may call them (and the owner).
REVOKE EXECUTE ON FUNCTION submit_comment(text, text, text, text, text, text, timestamptz, timestamptz, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION post_comment(text, text, text, text, text, text, timestamptz, timestamptz, integer) FROM PUBLIC;
