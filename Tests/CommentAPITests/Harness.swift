import CommentAPI
import CommentStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import JWTKit
import NIOCore
import PostgresLibPQ
import PostgresTestSupport
import StandardsPolicy
import Testing

/// The login the tests play: a fake of the site's login provider (the one boundary we do not own).
enum TestLogin {
    /// A fixture for tests only; deployments read theirs from the environment.
    static let secret = "commentdesk-tests-only-hs256-secret-0123456789"
    static let issuer = "https://login.test.invalid"
    static let audience = "commentdesk-tests"

    static var configuration: LoginConfiguration {
        LoginConfiguration(key: .sharedSecret(Array(secret.utf8)), issuer: issuer, audience: audience)
    }

    /// Claims as the login provider would issue them; a test changes or removes what it attacks.
    struct Claims: JWTPayload {
        var iss: String? = TestLogin.issuer
        var aud: String? = TestLogin.audience
        var sub: String? = "reader-1"
        var exp: Double? = Date().timeIntervalSince1970 + 600
        var nbf: Double?
        var iat: Double? = Date().timeIntervalSince1970
        var provider: String? = "twitter"
        var name: String? = "Reader One"

        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    static func token(_ claims: Claims = Claims(), keys: JWTKeyCollection? = nil) async throws -> String {
        if let keys { return try await keys.sign(claims) }
        return try await JWTKeyCollection().add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256).sign(claims)
    }

    static func token(subject: String, provider: String = "twitter") async throws -> String {
        var claims = Claims()
        claims.sub = subject
        claims.provider = provider
        return try await token(claims)
    }

    /// base64url without padding, as JWTs encode their parts.
    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// A token with `alg: none` and no signature.
    static func unsignedToken(_ claims: Claims = Claims()) throws -> String {
        let header = base64URL(Data(#"{"alg":"none","typ":"JWT"}"#.utf8))
        return "\(header).\(base64URL(try JSONEncoder().encode(claims)))."
    }
}

/// A running API on a fresh migrated database with one open article, `a-1`, and one closed, `closed-1`.
struct APIHarness {
    let client: any TestClientProtocol
    let db: PostgresClient

    func post(_ ref: String = "a-1", json: String, token: String?, headers: HTTPFields = [:], path: String? = nil) async throws -> TestResponse {
        var fields = headers
        fields[.contentType] = "application/json"
        if let token { fields[.authorization] = "Bearer \(token)" }
        return try await client.execute(
            uri: path ?? "/v1/articles/\(ref)/comments",
            method: .post,
            headers: fields,
            body: ByteBuffer(string: json)
        )
    }

    func post(_ ref: String = "a-1", body: String, token: String?, headers: HTTPFields = [:]) async throws -> TestResponse {
        let json = String(decoding: try JSONEncoder().encode(["body": body]), as: UTF8.self)
        return try await post(ref, json: json, token: token, headers: headers)
    }

    /// Posts on a connection of its own, for requests that must really run at the same time.
    func postOnNewConnection(_ ref: String = "a-1", body: String, token: String) async throws -> HTTPResponse.Status {
        try await postOnce(port: try #require(client.port), ref: ref, body: body, token: token).head.status
    }

    func get(_ uri: String, token: String? = nil) async throws -> TestResponse {
        var fields: HTTPFields = [:]
        if let token { fields[.authorization] = "Bearer \(token)" }
        return try await client.execute(uri: uri, method: .get, headers: fields)
    }

    /// Rows in the tables a post writes to; all zero means a refused request wrote nothing.
    func writes() async throws -> [Int] {
        [
            try await db.count("SELECT count(*) FROM comments"), try await db.count("SELECT count(*) FROM comment_queue"),
            try await db.count("SELECT count(*) FROM accounts"),
        ]
    }
}

/// The default configuration's read timeout is long: the live test client connects before `body` runs, and a body that
/// sets up data first (on a loaded CI machine, for seconds) must not find its connection cut before its first request.
/// The tests of the timeout pass their own.
func withAPI(
    configuration: APIConfiguration = APIConfiguration(port: 0, requestReadTimeout: .seconds(120)),
    postsPerMinute: Int = 0,
    login: LoginConfiguration = TestLogin.configuration,
    _ body: @Sendable (APIHarness) async throws -> Void
) async throws {
    try await withMigratedDatabase(label: "api") { db in
        try await db.query("SELECT register_article('a-1', 'https://news.test/a-1', 'Open article', now())")
        try await db.query("SELECT register_article('closed-1', 'https://news.test/closed-1', 'Closed article', now())")
        try await db.query("UPDATE articles SET comments_closed_at = now() - interval '1 hour' WHERE ref = 'closed-1'")
        // The burst limit is the active policy's (derived when it is stored); tests choose theirs here.
        try await db.query("UPDATE policy_versions SET reader_posts_per_minute = \(postsPerMinute) WHERE is_active")
        var configuration = configuration
        configuration.port = 0
        let app = try await CommentAPI.application(configuration: configuration, login: login, client: db, logger: TestPostgres.logger)
        try await app.test(.live) { client in try await body(APIHarness(client: client, db: db)) }
    }
}

/// Readies a database for the real `commentd serve`: migrated (unless `commentd migrate` does it), the default policy
/// active, article `a-1` open, and no burst limit.
func prepareForServe(_ configuration: PostgresConfiguration, migrate: Bool = true) async throws {
    try await PostgresConnection.withConnection(configuration: configuration, logger: TestPostgres.logger) { connection in
        if migrate { try await Migrator(logger: TestPostgres.logger).migrate(on: connection) }
        try await PolicyVersions().seed(.standardsBoard, by: "tests", on: connection)
        try await connection.query("SELECT register_article('a-1', NULL, NULL, NULL)")
        try await connection.query("UPDATE policy_versions SET reader_posts_per_minute = 0 WHERE is_active")
    }
}

/// The environment a `commentd` process of the tests needs: its database and the tests' login, plus `extra`.
func commentdEnvironment(databaseURL: String, _ extra: [String: String] = [:]) -> [String: String] {
    [
        "DATABASE_URL": databaseURL, "COMMENTD_JWT_SECRET": TestLogin.secret, "COMMENTD_JWT_ISSUER": TestLogin.issuer,
        "COMMENTD_JWT_AUDIENCE": TestLogin.audience,
    ].merging(extra) { _, given in given }
}

extension TestResponse {
    /// The body parsed as a JSON object (empty when it is not one).
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:]
    }

    var text: String { String(buffer: body) }
}

/// One POST of a comment on a new connection to 127.0.0.1:`port`, closed afterwards.
func postOnce(port: Int, ref: String = "a-1", body: String, token: String) async throws -> TestClient.Response {
    try await postOnce(
        port: port,
        path: "/v1/articles/\(ref)/comments",
        json: String(decoding: try JSONEncoder().encode(["body": body]), as: UTF8.self),
        token: token
    )
}

/// One POST of `json` to `path` on a new connection to 127.0.0.1:`port`, closed afterwards.
func postOnce(port: Int, path: String, json: String, token: String) async throws -> TestClient.Response {
    try await requestOnce(
        port: port,
        path: path,
        method: .post,
        headers: [.contentType: "application/json", .authorization: "Bearer \(token)"],
        body: ByteBuffer(string: json)
    )
}

/// One request on a new connection to 127.0.0.1:`port`, closed afterwards.
func requestOnce(
    port: Int,
    path: String,
    method: HTTPRequest.Method = .get,
    headers: HTTPFields = [:],
    body: ByteBuffer? = nil
) async throws -> TestClient.Response {
    let connection = TestClient(host: "127.0.0.1", port: port, configuration: .init(timeout: .seconds(60)))
    connection.connect()
    let request = TestClient.Request(path, method: method, authority: "localhost", headers: headers, body: body)
    do {
        let response = try await connection.execute(request)
        try await connection.shutdown()
        return response
    } catch {
        try? await connection.shutdown()
        throw error
    }
}

extension TestClient.Response {
    var status: HTTPResponse.Status { head.status }
    var headers: HTTPFields { head.headerFields }
    var text: String { body.map { String(buffer: $0) } ?? "" }
}
