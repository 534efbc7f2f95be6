import CommentAPI
import CommentStore
import Crypto
import CryptoExtras
import Foundation
import HTTPTypes
import HummingbirdTesting
import JWTKit
import NIOCore
import PostgresLibPQ
import PostgresTestSupport
import StandardsPolicy
import Testing

/// Validly signed tokens that carry what a verifier must not take at face value (issue 15, items 3, 7 and 13).
@Suite("Login tokens at the edges", .timeLimit(.minutes(5)))
struct LoginEdgeTests {
    /// An HS256 token signed with the test secret, with any header.
    static func signed(header: [String: Any], claims: TestLogin.Claims) throws -> String {
        let base64URL = TestLogin.base64URL
        let input = base64URL(try JSONSerialization.data(withJSONObject: header)) + "." + base64URL(try JSONEncoder().encode(claims))
        let mac = HMAC<SHA256>.authenticationCode(for: Data(input.utf8), using: SymmetricKey(data: Data(TestLogin.secret.utf8)))
        return input + "." + base64URL(Data(mac))
    }

    @Test func absurdTimesAndUnknownCriticalHeadersGet401AndTheServerLivesOn() async throws {
        try await withAPI { api in
            let now = Date().timeIntervalSince1970
            var farExpiry = TestLogin.Claims()
            farExpiry.exp = 1e13
            var tooLong = TestLogin.Claims()
            tooLong.exp = now + 2 * 86_400
            var farIssued = TestLogin.Claims()
            farIssued.iat = 1e13
            var negativeIssued = TestLogin.Claims()
            negativeIssued.iat = -5
            var ancientNotBefore = TestLogin.Claims()
            ancientNotBefore.nbf = -1e13
            // 200 user-perceived characters but 400 code points: over the database's 255 (length() counts code points).
            var wideSubject = TestLogin.Claims()
            wideSubject.sub = String(repeating: "e\u{301}", count: 200)
            let cases: [(String, String, String)] = [
                ("exp 1e13", try await TestLogin.token(farExpiry), "expiry"),
                ("exp beyond the maximum lifetime", try await TestLogin.token(tooLong), "expiry"),
                ("iat 1e13", try await TestLogin.token(farIssued), "issue time"),
                ("negative iat", try await TestLogin.token(negativeIssued), "issue time"),
                ("nbf -1e13", try await TestLogin.token(ancientNotBefore), "not-before"),
                ("sub of 400 code points", try await TestLogin.token(wideSubject), "subject"),
                ("crit header", try Self.signed(header: ["alg": "HS256", "typ": "JWT", "crit": ["exp"]], claims: TestLogin.Claims()), "critical"),
            ]
            for (name, token, expected) in cases {
                let response = try await api.post(body: "좋은 기사입니다", token: token)
                #expect(response.status == .unauthorized, "\(name): \(response.text)")
                #expect((response.json["detail"] as? String ?? "").contains(expected), "\(name): \(response.text)")
            }
            #expect(try await api.writes() == [0, 0, 0])
            // The same header without `crit` is fine, and the server is still there.
            let plain = try Self.signed(header: ["alg": "HS256", "typ": "JWT"], claims: TestLogin.Claims())
            #expect(try await api.post(body: "still serving", token: plain).status == .accepted)
        }
    }

    /// A provider claim in another case is the same provider for the API, the engine and the database (the API refused
    /// `Twitter` with 403 while the engine allowed it).
    @Test func providerNamesAreCaseInsensitive() async throws {
        try await withAPI { api in
            let response = try await api.post(body: "hello", token: try await TestLogin.token(subject: "cased", provider: "Twitter"))
            #expect(response.status == .accepted, "\(response.text)")
            #expect(try await api.db.query("SELECT provider FROM accounts").single().decode(String.self, at: 0) == "twitter")
        }
    }

    /// The configured maximum lifetime is what bounds `exp`.
    @Test func theMaximumLifetimeIsConfigurable() async throws {
        var login = TestLogin.configuration
        login.maxLifetimeSeconds = 3 * 86_400
        var claims = TestLogin.Claims()
        claims.exp = Date().timeIntervalSince1970 + 2 * 86_400
        let token = try await TestLogin.token(claims)
        try await withAPI(login: login) { api in
            let response = try await api.post(body: "two days is within three", token: token)
            #expect(response.status == .accepted)
        }
    }
}
