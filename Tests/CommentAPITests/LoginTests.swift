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
import Settings
import StandardsPolicy
import Testing

@Suite("Login requirement", .timeLimit(.minutes(5)))
struct LoginTests {
    /// Every refused token: 401 with a Bearer challenge, and nothing written.
    @Test func refusedTokensGet401AndWriteNothing() async throws {
        try await withAPI { api in
            var expired = TestLogin.Claims()
            expired.exp = Date().timeIntervalSince1970 - 120
            var notYet = TestLogin.Claims()
            notYet.nbf = Date().timeIntervalSince1970 + 600
            var noSubject = TestLogin.Claims()
            noSubject.sub = nil
            var noProvider = TestLogin.Claims()
            noProvider.provider = nil
            var noExpiry = TestLogin.Claims()
            noExpiry.exp = nil
            var otherIssuer = TestLogin.Claims()
            otherIssuer.iss = "https://evil.test"
            var noIssuer = TestLogin.Claims()
            noIssuer.iss = nil
            var otherAudience = TestLogin.Claims()
            otherAudience.aud = "another-site"
            let wrongKey = await JWTKeyCollection().add(hmac: HMACKey(from: "another-secret-of-at-least-32-bytes!!"), digestAlgorithm: .sha256)
            let valid = try await TestLogin.token()
            let tampered = valid.split(separator: ".").enumerated()
                .map { $0.offset == 1 ? Substring(try! TestLogin.unsignedToken().split(separator: ".")[1]) : $0.element }
                .joined(separator: ".")

            let cases: [(String, String?, String)] = [
                ("no token", nil, ""),
                ("alg none", try TestLogin.unsignedToken(), "algorithm"),
                ("wrong key", try await TestLogin.token(keys: wrongKey), "signature"),
                ("payload swapped under a valid signature", tampered, "signature"),
                ("expired", try await TestLogin.token(expired), "expired"),
                ("not yet valid", try await TestLogin.token(notYet), "not valid yet"),
                ("no sub", try await TestLogin.token(noSubject), "subject"),
                ("no provider", try await TestLogin.token(noProvider), "provider"),
                ("no exp", try await TestLogin.token(noExpiry), "expiry"),
                ("other issuer", try await TestLogin.token(otherIssuer), "issuer"),
                ("no issuer", try await TestLogin.token(noIssuer), "issuer"),
                ("other audience", try await TestLogin.token(otherAudience), "audience"),
                ("garbage", "not-a-token", "algorithm"),
            ]
            for (name, token, expected) in cases {
                let response = try await api.post(body: "좋은 기사입니다", token: token)
                #expect(response.status == .unauthorized, "\(name)")
                let challenge = response.headers[.wwwAuthenticate] ?? ""
                #expect(challenge.hasPrefix("Bearer realm=\"commentdesk\""), "\(name): \(challenge)")
                if token == nil {
                    #expect(!challenge.contains("error="), "no credentials: no error attribute (RFC 6750)")
                } else {
                    #expect(challenge.contains("error=\"invalid_token\""), "\(name): \(challenge)")
                    #expect((response.json["detail"] as? String ?? "").contains(expected), "\(name): \(response.text)")
                }
                #expect(response.headers[.contentType] == "application/problem+json", "\(name)")
                #expect(response.json["reason"] as? String == "login_required", "\(name)")
            }
            let basic = try await api.client.execute(
                uri: "/v1/articles/a-1/comments",
                method: .post,
                headers: [.authorization: "Basic dXNlcjpwYXNz"],
                body: .init(string: "{}")
            )
            #expect(basic.status == .unauthorized)
            #expect(try await api.writes() == [0, 0, 0])
        }
    }

    @Test func providerTheActivePolicyDoesNotAllowGets403() async throws {
        try await withAPI { api in
            let response = try await api.post(body: "hello", token: try await TestLogin.token(subject: "g-1", provider: "google"))
            #expect(response.status == .forbidden)
            #expect(response.json["reason"] as? String == "provider_not_allowed")
            #expect(try await api.writes() == [0, 0, 0])
        }
    }

    @Test func bannedAndSuspendedAccountsGet403AndWriteNothing() async throws {
        try await withAPI { api in
            try await api.db.query(
                """
                INSERT INTO accounts (provider, provider_subject, display_name, status, suspended_until) VALUES
                    ('twitter', 'banned-1', 'B', 'banned', NULL),
                    ('twitter', 'suspended-1', 'S', 'suspended', now() + interval '2 days'),
                    ('twitter', 'served-1', 'T', 'suspended', now() - interval '1 minute')
                """
            )
            let banned = try await api.post(body: "hello", token: try await TestLogin.token(subject: "banned-1"))
            #expect(banned.status == .forbidden)
            #expect(banned.json["reason"] as? String == "account_banned")
            let suspended = try await api.post(body: "hello", token: try await TestLogin.token(subject: "suspended-1"))
            #expect(suspended.status == .forbidden)
            #expect(suspended.json["reason"] as? String == "account_suspended")
            #expect((suspended.json["suspendedUntil"] as? String ?? "").hasSuffix("Z"))
            #expect(try await api.db.count("SELECT count(*) FROM comments") == 0)
            // A suspension that has ended no longer stops the reader.
            let served = try await api.post(body: "hello again", token: try await TestLogin.token(subject: "served-1"))
            #expect(served.status == .accepted)
        }
    }

    @Test func verifiedIdentityIsStoredWithTheSubmission() async throws {
        try await withAPI { api in
            var claims = TestLogin.Claims()
            claims.sub = "fb-42"
            claims.provider = "facebook"
            claims.name = "  Kim\u{0007}  Min-ji \u{200B} "
            let issuedAt = (Date().timeIntervalSince1970 - 30).rounded()
            claims.iat = issuedAt
            let expiresAt = (Date().timeIntervalSince1970 + 900).rounded()
            claims.exp = expiresAt
            let response = try await api.post(body: "기사 잘 읽었습니다", token: try await TestLogin.token(claims))
            #expect(response.status == .accepted)
            let row = try await api.db.query(
                """
                SELECT c.auth_provider, c.auth_subject, extract(epoch FROM c.auth_issued_at)::float8,
                       extract(epoch FROM c.auth_expires_at)::float8, a.display_name, c.producer
                FROM comments c JOIN accounts a ON a.id = c.account_id
                """
            ).single().decode((String, String, Double, Double, String, String).self)
            #expect(row.0 == "facebook")
            #expect(row.1 == "fb-42")
            #expect(row.2 == issuedAt)
            #expect(row.3 == expiresAt)
            #expect(row.4 == "Kim Min-ji", "control and invisible characters dropped, spaces collapsed")
            #expect(row.5 == "api")
        }
    }

    /// The asymmetric keys a login provider may use, from a PEM file; and the algorithm-confusion attack
    /// (an HS256 token "signed" with the public key's text) is refused.
    @Test(arguments: ["RS256", "ES256", "EdDSA"])
    func publicKeyLogins(algorithm: String) async throws {
        let keys = JWTKeyCollection()
        let publicPEM: String
        switch algorithm {
        case "RS256":
            let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
            await keys.add(rsa: try Insecure.RSA.PrivateKey(pem: key.pemRepresentation), digestAlgorithm: .sha256)
            publicPEM = key.publicKey.pemRepresentation
        case "ES256":
            let key = ES256PrivateKey()
            await keys.add(ecdsa: key)
            publicPEM = key.publicKey.pemRepresentation
        default:
            let key = try EdDSA.PrivateKey(curve: .ed25519)
            await keys.add(eddsa: key)
            publicPEM = key.publicKey.pemRepresentation
        }
        var login = TestLogin.configuration
        login.key = .publicKeyPEM(publicPEM)
        try await withAPI(login: login) { api in
            let good = try await api.post(body: "asymmetric login works", token: try await TestLogin.token(keys: keys))
            #expect(good.status == .accepted, "\(good.text)")
            let confused = await JWTKeyCollection().add(hmac: HMACKey(from: publicPEM), digestAlgorithm: .sha256)
            let attack = try await api.post(body: "confusion", token: try await TestLogin.token(keys: confused))
            #expect(attack.status == .unauthorized)
            #expect(try await api.db.count("SELECT count(*) FROM comments") == 1)
        }
    }

    @Test func configurationComesFromTheEnvironmentAndRefusesWeakSecrets() async throws {
        func login(_ environment: [String: String]) async throws -> LoginConfiguration {
            try LoginConfiguration(config: try await Settings.reader(environment: environment))
        }
        let base = ["COMMENTD_JWT_ISSUER": "iss", "COMMENTD_JWT_AUDIENCE": "aud"]
        await #expect(throws: SettingError.self) { try await login(base) }
        let short = await #expect(throws: SettingError.self) { try await login(base.merging(["COMMENTD_JWT_SECRET": "short"]) { $1 }) }
        #expect(short?.description.contains("at least 32 bytes") == true)
        #expect(short?.description.contains("short") == false, "the message never repeats a secret")
        let noIssuer = await #expect(throws: SettingError.self) {
            try await login(["COMMENTD_JWT_SECRET": TestLogin.secret, "COMMENTD_JWT_AUDIENCE": "aud"])
        }
        #expect(noIssuer?.description == "COMMENTD_JWT_ISSUER is not set")
        let leeway = await #expect(throws: SettingError.self) {
            try await login(base.merging(["COMMENTD_JWT_SECRET": TestLogin.secret, "COMMENTD_JWT_LEEWAY_SECONDS": "soon"]) { $1 })
        }
        #expect(leeway?.description == "COMMENTD_JWT_LEEWAY_SECONDS must be a number")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("cdt-secret-\(UUID().uuidString)").path
        try (TestLogin.secret + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let fromFile = try await login(base.merging(["COMMENTD_JWT_SECRET_FILE": file, "COMMENTD_JWT_LEEWAY_SECONDS": "5"]) { $1 })
        guard case .sharedSecret(let bytes) = fromFile.key else {
            Issue.record("expected a shared secret")
            return
        }
        #expect(bytes == Array(TestLogin.secret.utf8), "the file's trailing newline is not part of the secret")
        #expect(fromFile.issuer == "iss")
        #expect(fromFile.audience == "aud")
        #expect(fromFile.leewaySeconds == 5)
        let missingFile = await #expect(throws: SettingError.self) {
            try await login(base.merging(["COMMENTD_JWT_SECRET_FILE": file + "-gone"]) { $1 })
        }
        #expect(missingFile?.description.hasPrefix("COMMENTD_JWT_SECRET_FILE: cannot read") == true)
    }

    /// What `commentd dev-token` prints is a token `commentd serve` accepts with the same settings.
    @Test func developmentTokensAreAcceptedAndNeedASharedSecret() async throws {
        try await withAPI { api in
            let tokens = try await DevelopmentLogin.tokens(
                subjects: ["dev-1", "dev-2"],
                provider: "facebook",
                names: ["Dev 1", nil],
                lifetime: 60,
                configuration: TestLogin.configuration
            )
            #expect(tokens.count == 2)
            for token in tokens { #expect(try await api.post(body: "from a dev token", token: token).status == .accepted) }
            #expect(try await api.db.count("SELECT count(*) FROM accounts WHERE provider = 'facebook'") == 2)
        }
        var asymmetric = TestLogin.configuration
        asymmetric.key = .publicKeyPEM(ES256PrivateKey().publicKey.pemRepresentation)
        await #expect(throws: SettingError.self) {
            try await DevelopmentLogin.tokens(subjects: ["x"], provider: "twitter", names: [nil], lifetime: 60, configuration: asymmetric)
        }
    }
}
