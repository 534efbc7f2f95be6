import AsyncHTTPClient
import CommentAPI
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import JWTKit
import LoginStandIn
import NIOCore
import NIOHTTP1
import PostgresLibPQ
import PostgresTestSupport
import Testing

/// The built-in login (issue 19) against the stand-in provider over real HTTP: the whole flow for X (PKCE) and
/// Facebook, and every way it can fail, with nothing stored when it does.
@Suite("Reader login with X and Facebook", .timeLimit(.minutes(2)))
struct ReaderLoginTests {
    static let site = "https://news.test"
    static let publicURL = "https://comments.news.test"
    static let secret = Array("reader-token-secret-for-tests-only-0123456789".utf8)

    /// The stand-in on a port of its own, the API configured against it (`tokenURL` overridable, to play a provider
    /// that is down), and an HTTP client that does not follow redirects, as a test must see each hop.
    static func withLogin(
        person: LoginStandIn.Person = .init(id: "2244994945", name: "Kim <b>Reader</b>", username: "kimreader"),
        tokenURL: (@Sendable (Int) -> String)? = nil,
        _ body: @Sendable (APIHarness, HTTPClient, Int) async throws -> Void
    ) async throws {
        let standIn = LoginStandIn(
            clients: [
                .init(id: "x-client", secret: "x-secret", redirectURIs: ["\(publicURL)/auth/x/callback"]),
                .init(id: "fb-client", secret: "fb-secret", redirectURIs: ["\(publicURL)/auth/facebook/callback"]),
            ],
            person: person
        )
        let router = Router()
        standIn.register(on: router)
        let provider = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await provider.test(.live) { providerClient in
            let port = try #require(providerClient.port)
            let base = "http://127.0.0.1:\(port)"
            let login = ReaderLoginConfiguration(
                publicURL: URL(string: publicURL)!,
                siteOrigins: [site],
                providers: [
                    .x: .init(
                        clientID: "x-client",
                        clientSecret: "x-secret",
                        authorizeURL: URL(string: "\(base)/i/oauth2/authorize")!,
                        tokenURL: URL(string: tokenURL?(port) ?? "\(base)/2/oauth2/token")!,
                        userinfoURL: URL(string: "\(base)/2/users/me")!
                    ),
                    .facebook: .init(
                        clientID: "fb-client",
                        clientSecret: "fb-secret",
                        authorizeURL: URL(string: "\(base)/dialog/oauth")!,
                        tokenURL: URL(string: tokenURL?(port) ?? "\(base)/oauth/access_token")!,
                        userinfoURL: URL(string: "\(base)/me")!
                    ),
                ],
                tokenSecret: secret,
                tokenLifetimeSeconds: 900
            )
            var configuration = APIConfiguration(port: 0, requestReadTimeout: .seconds(120))
            configuration.readerLogin = login
            let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
            do {
                try await withAPI(configuration: configuration) { api in try await body(api, http, port) }
                try await http.shutdown()
            } catch {
                try? await http.shutdown()
                throw error
            }
        }
    }

    /// GET `url`, redirects not followed: status, `Location`, body.
    static func fetch(_ http: HTTPClient, _ url: String) async throws -> (status: Int, location: String?, body: String) {
        let response = try await http.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), response.headers.first(name: "Location"), String(buffer: body))
    }

    static func query(_ url: String) -> [String: String] {
        var items: [String: String] = [:]
        for item in URLComponents(string: url)?.queryItems ?? [] { items[item.name] = item.value }
        return items
    }

    /// Starts a login at the API, consents (or not) at the stand-in, and returns the callback's path and query.
    static func consent(_ api: APIHarness, _ http: HTTPClient, provider: String, allow: Bool = true) async throws -> String {
        let start = try await api.get("/auth/\(provider)/login?origin=\(site)")
        #expect(start.status == .found)
        let authorize = try #require(start.headers[.location])
        let parameters = query(authorize)
        #expect(parameters["state"]?.count == 43 && parameters["redirect_uri"] == "\(publicURL)/auth/\(provider)/callback")
        if provider == "x" {
            #expect(parameters["code_challenge_method"] == "S256" && parameters["code_challenge"]?.count == 43, "PKCE: \(authorize)")
        }
        let page = try await fetch(http, authorize)
        #expect(page.status == 200, "\(page.body)")
        let link = try #require(page.body.firstMatch(of: allow ? /id="allow" href="([^"]+)"/ : /id="deny" href="([^"]+)"/)?.1)
        let base = try #require(authorize.firstMatch(of: /^http:\/\/127\.0\.0\.1:\d+/)?.0)
        let decided = try await fetch(http, base + String(link).replacingOccurrences(of: "&amp;", with: "&"))
        #expect(decided.status == 302)
        let callback = try #require(decided.location)
        #expect(callback.hasPrefix("\(publicURL)/auth/\(provider)/callback?"))
        return String(callback.dropFirst(publicURL.count))
    }

    /// The token a successful callback page hands to the opener, and the origin it is addressed to.
    static func handedOver(_ page: String) -> (token: String?, origin: String?, failure: String?) {
        let token = page.firstMatch(of: /"token":"([^"]+)"/).map { String($0.1) }
        let origin = page.firstMatch(of: /origin = ("[^"]*")/).map { String($0.1) }
        let failure = page.firstMatch(of: /"message":"([^"]+)"/).map { String($0.1) }
        return (token, origin, failure)
    }

    @Test(arguments: ["x", "facebook"])
    func aReaderLogsInAndComments(provider: String) async throws {
        try await Self.withLogin { api, http, _ in
            let callback = try await Self.consent(api, http, provider: provider)
            let page = try await api.get(callback)
            #expect(page.status == .ok)
            #expect(page.headers[.contentSecurityPolicy]?.contains("script-src 'nonce-") == true)
            let handed = Self.handedOver(page.text)
            let token = try #require(handed.token, "\(page.text)")
            #expect(handed.origin == "\"\(Self.site)\"", "the token goes to the article page's origin only")
            #expect(!page.text.contains("<b>"), "the provider's name is never HTML")
            // commentd's own token logs the reader in at the API, as the provider's account.
            let posted = try await api.post(body: "first comment after logging in", token: token)
            #expect(posted.status == .accepted, "\(posted.text)")
            let account = try await api.db.query("SELECT provider, provider_subject, display_name FROM accounts").single()
                .decode((String, String, String).self)
            #expect(account.0 == (provider == "x" ? "twitter" : "facebook") && account.1 == "2244994945" && account.2 == "Kim <b>Reader</b>")
            // The callback used its state: the same callback again is refused, and changes nothing.
            let replay = try await api.get(callback)
            #expect(replay.status == .badRequest && replay.text.contains("expired"))
            #expect(try await api.db.count("SELECT count(*) FROM reader_logins") == 0)
            #expect(try await api.db.count("SELECT count(*) FROM accounts") == 1)
        }
    }

    @Test func aReplayedCodeAStateMismatchAndADeniedConsentLogNobodyIn() async throws {
        try await Self.withLogin { api, http, _ in
            // A state commentd never issued.
            let forged = try await api.get("/auth/x/callback?code=abc&state=\(String(repeating: "A", count: 43))")
            #expect(forged.status == .badRequest && forged.text.contains("expired"))
            // A code used once already, brought back with a fresh login's state: the provider refuses it.
            let first = try await Self.consent(api, http, provider: "x")
            let firstPage = try await api.get(first)
            #expect(Self.handedOver(firstPage.text).token != nil)
            let code = try #require(Self.query(first)["code"])
            let second = try await Self.consent(api, http, provider: "x")
            let state = try #require(Self.query(second)["state"])
            let replayed = try await api.get("/auth/x/callback?code=\(code)&state=\(state)")
            let refused = Self.handedOver(replayed.text)
            #expect(refused.token == nil && refused.failure?.contains("did not accept") == true, "\(replayed.text)")
            // The state of one provider's login is not accepted at the other's callback.
            let third = try await Self.consent(api, http, provider: "x")
            let crossed = try await api.get(third.replacingOccurrences(of: "/auth/x/", with: "/auth/facebook/"))
            #expect(crossed.status == .badRequest)
            // Consent denied, on each provider: a message for the box, no token.
            for provider in ["x", "facebook"] {
                let callback = try await Self.consent(api, http, provider: provider, allow: false)
                let denied = try await api.get(callback)
                let handed = Self.handedOver(denied.text)
                #expect(handed.token == nil && handed.failure?.contains("did not allow") == true, "\(denied.text)")
            }
            #expect(try await api.db.count("SELECT count(*) FROM accounts") == 0, "nobody but the first login's reader... who never posted")
        }
    }

    @Test func aProviderThatIsDownGetsAClearMessageAndNothingIsStored() async throws {
        // The token endpoint on a port nothing listens on.
        try await Self.withLogin(
            tokenURL: { _ in "http://127.0.0.1:1/token" },
            { api, http, _ in
                for provider in ["x", "facebook"] {
                    let callback = try await Self.consent(api, http, provider: provider)
                    let page = try await api.get(callback)
                    let handed = Self.handedOver(page.text)
                    #expect(handed.token == nil && handed.failure?.contains("could not be reached") == true, "\(page.text)")
                }
                #expect(try await api.db.count("SELECT count(*) FROM accounts") == 0)
                #expect(try await api.db.count("SELECT count(*) FROM reader_logins") == 0)
            }
        )
    }

    @Test func onlyTheSitesPagesMayStartALoginOrCallTheAPI() async throws {
        try await Self.withLogin { api, _, _ in
            let elsewhere = try await api.get("/auth/x/login?origin=https://evil.test")
            #expect(elsewhere.status == .badRequest && elsewhere.headers[.location] == nil)
            #expect(try await api.db.count("SELECT count(*) FROM reader_logins") == 0)
            #expect(try await api.get("/auth/github/login?origin=\(Self.site)").status == .notFound)
            // CORS: the site's preflight is answered, another origin's is refused; the site's requests are readable.
            func preflight(_ origin: String) async throws -> TestResponse {
                try await api.client.execute(
                    uri: "/v1/articles/a-1/comments",
                    method: .options,
                    headers: [.origin: origin, .accessControlRequestMethod: "POST", .accessControlRequestHeaders: "authorization, content-type"]
                )
            }
            let allowed = try await preflight(Self.site)
            #expect(allowed.status == .noContent && allowed.headers[.accessControlAllowOrigin] == Self.site)
            #expect(allowed.headers[.accessControlAllowHeaders]?.contains("Authorization") == true)
            let refused = try await preflight("https://evil.test")
            #expect(refused.status == .forbidden && refused.headers[.accessControlAllowOrigin] == nil)
            let listed = try await api.client.execute(uri: "/v1/articles/a-1/comments", method: .get, headers: [.origin: Self.site])
            #expect(listed.status == .ok && listed.headers[.accessControlAllowOrigin] == Self.site)
            let foreign = try await api.client.execute(uri: "/v1/articles/a-1/comments", method: .get, headers: [.origin: "https://evil.test"])
            #expect(foreign.headers[.accessControlAllowOrigin] == nil)
        }
    }

    /// The two trusted issuers cannot be mixed up: the `kid` picks the key and the claims expected with it, so a token
    /// naming commentd's key but signed with the site's secret, or one signed with commentd's secret but not naming its
    /// key, is refused whatever claims it carries.
    @Test func aTokenCannotBorrowTheOtherIssuersKeyOrClaims() async throws {
        try await Self.withLogin { api, _, _ in
            var ownClaims = TestLogin.Claims()
            ownClaims.iss = Self.publicURL
            ownClaims.aud = "commentdesk-readers"
            ownClaims.provider = "twitter"
            let siteKey = JWTKeyCollection()
            await siteKey.add(hmac: HMACKey(from: TestLogin.secret), digestAlgorithm: .sha256, kid: "commentd-readers")
            let ownKeyWithoutKid = await JWTKeyCollection().add(hmac: HMACKey(from: Self.secret), digestAlgorithm: .sha256)
            let ownKey = await JWTKeyCollection().add(hmac: HMACKey(from: Self.secret), digestAlgorithm: .sha256, kid: "commentd-readers")
            let forged = [
                // commentd's kid, the site's secret: with commentd's claims, and with the site's.
                try await siteKey.sign(ownClaims, kid: "commentd-readers"),
                try await siteKey.sign(TestLogin.Claims(), kid: "commentd-readers"),
                // commentd's secret without its kid: read as the site's token, with either set of claims.
                try await ownKeyWithoutKid.sign(ownClaims),
                try await ownKeyWithoutKid.sign(TestLogin.Claims()),
                // commentd's key and kid, but the site's issuer and audience.
                try await ownKey.sign(TestLogin.Claims(), kid: "commentd-readers"),
            ]
            for (index, token) in forged.enumerated() {
                let response = try await api.post(body: "forged", token: token)
                #expect(response.status == .unauthorized, "forged token \(index) was not refused")
            }
            // The control: commentd's key, kid and claims together are accepted.
            let genuine = try await api.post(body: "genuine", token: try await ownKey.sign(ownClaims, kid: "commentd-readers"))
            #expect(genuine.status == .accepted, "\(genuine.text)")
            #expect(try await api.db.count("SELECT count(*) FROM comments") == 1)
        }
    }

    @Test func theSitesOwnLoginTokensStillWork() async throws {
        try await Self.withLogin { api, _, _ in
            let token = try await TestLogin.token()
            #expect(try await api.post(body: "through the site's login", token: token).status == .accepted)
        }
    }
}
