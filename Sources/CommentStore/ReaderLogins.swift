public import PostgresLibPQ

/// Logins through X or Facebook in flight (issue 19): what `/auth/{provider}/login` keeps for its callback, through
/// the SECURITY DEFINER functions of sql/0007_reader_logins.sql.
public struct ReaderLogins: Sendable {
    /// What a login's callback gets back: the PKCE verifier (X) and the article page's origin to hand the token to.
    public struct Pending: Sendable, Equatable {
        public var codeVerifier: String?
        public var returnOrigin: String

        public init(codeVerifier: String?, returnOrigin: String) {
            self.codeVerifier = codeVerifier
            self.returnOrigin = returnOrigin
        }
    }

    public init() {}

    /// Keeps a login started now. `provider` is the login claim's name (`twitter`, `facebook`).
    public func begin(state: String, provider: String, codeVerifier: String?, returnOrigin: String, on connection: PostgresConnection) async throws {
        try await connection.query("SELECT begin_reader_login(\(state), \(provider), \(codeVerifier), \(returnOrigin))")
    }

    /// The login `state` names, consumed: nil when there is none, it is older than ten minutes, it was started for
    /// another provider, or it was already used.
    public func finish(state: String, provider: String, on connection: PostgresConnection) async throws -> Pending? {
        let rows = try await connection.query("SELECT code_verifier, return_origin FROM finish_reader_login(\(state), \(provider))")
        guard let row = rows.first else { return nil }
        let (verifier, origin) = try row.decode((String?, String?).self)
        guard let origin else { return nil }
        return Pending(codeVerifier: verifier, returnOrigin: origin)
    }
}
