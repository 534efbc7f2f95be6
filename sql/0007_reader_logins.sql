-- Reader login through X or Facebook (issue 19). Starting a login stores its `state` (and, for X, the PKCE verifier)
-- with the origin of the article page that asked; the provider's callback consumes the row once. The row outlives no
-- login: it is deleted when its callback comes (whatever the provider answered), and rows older than ten minutes are
-- refused and swept by the next login started. No provider token is stored anywhere.
--
-- The API's role reaches the table only through these two functions (SECURITY DEFINER, search_path pinned with
-- pg_temp last, as in 0006), so it can neither list pending logins nor read their verifiers.

CREATE TABLE reader_logins (
    state         text PRIMARY KEY CONSTRAINT reader_logins_state_length CHECK (length(state) BETWEEN 32 AND 128),
    provider      text NOT NULL CONSTRAINT reader_logins_provider_known CHECK (provider IN ('twitter', 'facebook')),
    code_verifier text CONSTRAINT reader_logins_code_verifier_length CHECK (length(code_verifier) BETWEEN 43 AND 128),
    return_origin text NOT NULL CONSTRAINT reader_logins_return_origin_length CHECK (length(return_origin) BETWEEN 1 AND 300),
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX reader_logins_created ON reader_logins (created_at);

CREATE FUNCTION begin_reader_login(state text, provider text, code_verifier text, return_origin text) RETURNS void
LANGUAGE sql AS $$
    DELETE FROM reader_logins WHERE created_at < now() - interval '10 minutes';
    INSERT INTO reader_logins (state, provider, code_verifier, return_origin)
    VALUES (begin_reader_login.state, begin_reader_login.provider, begin_reader_login.code_verifier, begin_reader_login.return_origin);
$$;

-- The login `state` named, for `provider`, if it was started in the last ten minutes; deleted in the same statement,
-- so a second callback with the same state (a replay) finds nothing.
CREATE FUNCTION finish_reader_login(state text, provider text)
RETURNS TABLE (code_verifier text, return_origin text)
LANGUAGE sql AS $$
    DELETE FROM reader_logins l
    WHERE l.state = finish_reader_login.state
    RETURNING CASE WHEN l.provider = finish_reader_login.provider AND l.created_at >= now() - interval '10 minutes'
                   THEN l.code_verifier END,
              CASE WHEN l.provider = finish_reader_login.provider AND l.created_at >= now() - interval '10 minutes'
                   THEN l.return_origin END;
$$;

DO $$
DECLARE
    fn regprocedure;
BEGIN
    FOREACH fn IN ARRAY ARRAY[
        'begin_reader_login(text, text, text, text)'::regprocedure,
        'finish_reader_login(text, text)'::regprocedure
    ] LOOP
        EXECUTE format('ALTER FUNCTION %s SECURITY DEFINER SET search_path = pg_catalog, %I, pg_temp', fn, current_schema());
        EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', fn);
    END LOOP;
END
$$;
