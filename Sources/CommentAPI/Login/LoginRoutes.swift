import AsyncHTTPClient
import CommentStore
import Foundation
import HTTPTypes
import Hummingbird
import JWTKit
import Logging
import NIOCore
import PostgresLibPQ

/// `/auth/{provider}/login` and `/auth/{provider}/callback`: the built-in reader login (issue 19).
///
/// The comment box opens the login in a popup on commentd's own origin, so nothing depends on third-party cookies:
/// the login route keeps `state` (and X's PKCE verifier) in the database with the article page's origin, checked
/// against `COMMENTD_SITE_ORIGINS`; the callback consumes that row once, exchanges the code, and answers a page that
/// hands commentd's own short-lived reader token to the opener by `postMessage`, addressed to that origin only.
struct LoginRoutes: Sendable {
    let configuration: ReaderLoginConfiguration
    let database: PostgresClient
    let exchange: OAuthExchange
    let keys: JWTKeyCollection
    let logger: Logger
    let logins = ReaderLogins()

    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!

    /// The `kid` of commentd's reader tokens, which ``LoginVerifier`` reads to choose the key.
    static let keyID = "commentd-readers"

    init(configuration: ReaderLoginConfiguration, client: PostgresClient, logger: Logger) async {
        self.configuration = configuration
        database = client
        self.logger = logger
        exchange = OAuthExchange(http: HTTPClient.shared, timeout: .seconds(10))
        keys = await JWTKeyCollection().add(
            hmac: HMACKey(from: configuration.tokenSecret),
            digestAlgorithm: .sha256,
            kid: JWKIdentifier(string: Self.keyID)
        )
    }

    func register(on router: Router<APIRequestContext>) {
        router.get("/auth/{provider}/login") { request, context in try await login(request, context) }
        router.get("/auth/{provider}/callback") { request, context in try await callback(request, context) }
    }

    func provider(_ context: APIRequestContext) throws -> (LoginProvider, ReaderLoginConfiguration.Client) {
        guard let name = context.parameters.get("provider"), let provider = LoginProvider(rawValue: name),
            let client = configuration.providers[provider]
        else { throw Problem(.notFound, "unknown-login-provider", "This site does not offer that login") }
        return (provider, client)
    }

    // MARK: GET /auth/{provider}/login?origin=…

    func login(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let (provider, client) = try provider(context)
        let origin = ReaderLoginConfiguration.origin(request.uri.queryParameters.get("origin") ?? "")
        guard configuration.siteOrigins.contains(origin) else {
            return Self.page(
                status: .badRequest,
                title: "Login not available here",
                message: "Comments can only be written from the newspaper's own pages. Open the article there and log in again."
            )
        }
        let state = OAuthExchange.randomToken()
        let verifier = provider == .x ? OAuthExchange.randomToken() : nil
        try await database.withConnection { connection in
            try await logins.begin(state: state, provider: provider.claimName, codeVerifier: verifier, returnOrigin: origin, on: connection)
        }
        let target = OAuthExchange.authorizeURL(
            provider: provider,
            client: client,
            state: state,
            verifier: verifier,
            redirectURI: configuration.redirectURI(provider)
        )
        return Response(status: .found, headers: [.location: target.absoluteString, .cacheControl: "no-store", Self.referrerPolicy: "no-referrer"])
    }

    // MARK: GET /auth/{provider}/callback?code=…&state=…

    func callback(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let (provider, client) = try provider(context)
        let query = request.uri.queryParameters
        let state = query.get("state") ?? ""
        // The state is consumed whatever the provider answered: a login is tried once.
        let pending =
            state.isEmpty || state.utf8.count > 128
            ? nil : try await database.withConnection { try await logins.finish(state: state, provider: provider.claimName, on: $0) }
        guard let pending else {
            return Self.page(
                status: .badRequest,
                title: "This login has expired",
                message: "The login link was already used, has expired, or did not come from this site. Close this window and log in again."
            )
        }
        if query.get("error") != nil {
            return Self.failure("You did not allow \(provider.displayName) to log you in here, so you are not logged in.", to: pending.returnOrigin)
        }
        guard let code = query.get("code"), !code.isEmpty, code.utf8.count <= 2048 else {
            return Self.failure("\(provider.displayName) did not finish the login. Please try again.", to: pending.returnOrigin)
        }
        let identity: OAuthExchange.Identity
        do {
            identity = try await exchange.reader(
                provider: provider,
                client: client,
                code: code,
                verifier: pending.codeVerifier,
                redirectURI: configuration.redirectURI(provider)
            )
        } catch {
            logger.warning("reader login failed", metadata: ["provider": "\(provider.rawValue)", "error": "\(error.message)"])
            return Self.failure(error.message, to: pending.returnOrigin)
        }
        let now = Date()
        let expires = now.addingTimeInterval(configuration.tokenLifetimeSeconds)
        let name = LoginVerifier.displayName(identity.name)
        let claims = LoginClaims(
            iss: .init(value: configuration.issuer),
            aud: .init(value: [ReaderLoginConfiguration.audience]),
            sub: .init(value: identity.subject),
            exp: .init(value: expires),
            nbf: nil,
            iat: .init(value: now),
            provider: provider.claimName,
            name: name
        )
        let token = try await keys.sign(claims, kid: JWKIdentifier(string: Self.keyID))
        struct Handed: Encodable {
            var type = "commentdesk-login"
            var token: String
            var name: String
            var provider: String
            var expiresAt: Double
        }
        let handed = Handed(token: token, name: name, provider: provider.claimName, expiresAt: (expires.timeIntervalSince1970 * 1000).rounded())
        return Self.page(
            status: .ok,
            title: "Logged in",
            message: "You are logged in. Return to the article to write your comment.",
            handOver: (Self.scriptJSON(handed), Self.scriptJSON(pending.returnOrigin))
        )
    }

    // MARK: Pages

    static func failure(_ message: String, to origin: String) -> Response {
        struct Failed: Encodable {
            var type = "commentdesk-login-failed"
            var message: String
        }
        return page(status: .ok, title: "Not logged in", message: message, handOver: (scriptJSON(Failed(message: message)), scriptJSON(origin)))
    }

    /// JSON safe inside a `<script>`: no `<`, `>`, `&` or line separators as themselves.
    static func scriptJSON(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let text = (try? String(decoding: encoder.encode(value), as: UTF8.self)) ?? "null"
        return text.replacingOccurrences(of: "<", with: "\\u003c").replacingOccurrences(of: ">", with: "\\u003e")
            .replacingOccurrences(of: "&", with: "\\u0026").replacingOccurrences(of: "\u{2028}", with: "\\u2028")
            .replacingOccurrences(of: "\u{2029}", with: "\\u2029")
    }

    static func escapeHTML(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;").replacingOccurrences(of: "'", with: "&#39;")
    }

    /// A small page in the login popup. With `handOver` (message, origin) it posts the message to the window that
    /// opened it, addressed to that origin only, and closes; opened without a window to go back to, it says what to do.
    static func page(
        status: HTTPResponse.Status,
        title: String,
        message: String,
        handOver: (message: String, origin: String)? = nil
    )
        -> Response
    {
        let nonce = OAuthExchange.randomToken(bytes: 16)
        var script = ""
        if let handOver {
            script = """
                <script nonce="\(nonce)">
                (function () {
                  var message = \(handOver.message), origin = \(handOver.origin);
                  if (window.opener && !window.opener.closed) { window.opener.postMessage(message, origin); window.close(); }
                }());
                </script>
                """
        }
        let html = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escapeHTML(title))</title>
            <style>body{font-family:system-ui,sans-serif;max-width:32em;margin:3em auto;padding:0 1em;color:#222}</style></head>
            <body><h1>\(escapeHTML(title))</h1><p id="message">\(escapeHTML(message))</p>\(script)</body></html>
            """
        return Response(
            status: status,
            headers: [
                .contentType: "text/html; charset=utf-8", .cacheControl: "no-store", Self.referrerPolicy: "no-referrer",
                .contentSecurityPolicy:
                    "default-src 'none'; script-src 'nonce-\(nonce)'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'",
            ],
            body: .init(byteBuffer: ByteBuffer(string: html))
        )
    }
}

/// CORS for the article pages' origins (`COMMENTD_SITE_ORIGINS`): their preflights are answered, their requests get
/// `Access-Control-Allow-Origin`; a preflight from any other origin is refused, and other origins' requests get no CORS
/// header (the browser then keeps the answer from the page). Tokens travel in `Authorization`, never in cookies, so no
/// credentials mode is allowed.
struct SiteCORSMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let origins: Set<String>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let origin = request.headers[.origin].map(ReaderLoginConfiguration.origin)
        let allowed = origin.map { origins.contains($0) } ?? false
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            guard allowed, let origin else {
                return Problem(.forbidden, "origin-not-allowed", "This page may not call the comment service")
                    .response(instance: request.uri.path)
            }
            return Response(
                status: .noContent,
                headers: [
                    .accessControlAllowOrigin: origin, .accessControlAllowMethods: "GET, POST",
                    .accessControlAllowHeaders: "Authorization, Content-Type, Idempotency-Key", .accessControlMaxAge: "600", .vary: "Origin",
                ]
            )
        }
        var response = try await next(request, context)
        if allowed, let origin {
            response.headers[.accessControlAllowOrigin] = origin
            response.headers[.accessControlExposeHeaders] = "Retry-After, Location"
            response.headers[.vary] = "Origin"
        }
        return response
    }
}
