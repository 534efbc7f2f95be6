import Crypto
import Foundation
public import Hummingbird
import NIOCore
import Synchronization

/// A stand-in for X's and Facebook's login servers, speaking their protocols on one port: X's OAuth 2.0 with PKCE
/// (`GET /i/oauth2/authorize`, `POST /2/oauth2/token` with the client's Basic credentials, `GET /2/users/me`) and
/// Facebook Login's code flow (`GET /dialog/oauth`, `GET /oauth/access_token`, `GET /me`). The one boundary CommentDesk
/// cannot reach from tests or a newcomer's machine; everything it checks, the real ones check too: the client's id,
/// secret and redirect URI, the PKCE verifier, and each code used once within a minute.
///
/// The consent page asks the reader to allow or deny, as the real ones do; tests follow its links.
public final class LoginStandIn: Sendable {
    public struct Client: Sendable {
        public var id: String
        public var secret: String
        public var redirectURIs: [String]

        public init(id: String, secret: String, redirectURIs: [String]) {
            self.id = id
            self.secret = secret
            self.redirectURIs = redirectURIs
        }
    }

    /// Who logs in at the consent page.
    public struct Person: Sendable {
        public var id: String
        public var name: String
        public var username: String

        public init(id: String, name: String, username: String) {
            self.id = id
            self.name = name
            self.username = username
        }
    }

    enum Flavor: String, Sendable {
        case x
        case facebook
    }

    struct Grant {
        var flavor: Flavor
        var clientID: String
        var redirectURI: String
        var challenge: String?
        var person: Person
        var issued: Date
        var used = false
    }

    let clients: [String: Client]
    let person: Person
    private let grants = Mutex<[String: Grant]>([:])
    private let tokens = Mutex<[String: (flavor: Flavor, person: Person)]>([:])

    public init(clients: [Client], person: Person) {
        self.clients = Dictionary(clients.map { ($0.id, $0) }, uniquingKeysWith: { $1 })
        self.person = person
    }

    /// The routes, on a router of the caller's.
    public func register(on router: Router<BasicRequestContext>) {
        router.get("/i/oauth2/authorize") { request, _ in self.authorize(request, flavor: .x) }
        router.get("/dialog/oauth") { request, _ in self.authorize(request, flavor: .facebook) }
        router.get("/consent") { request, _ in self.consent(request) }
        router.post("/2/oauth2/token") { request, _ in try await self.xToken(request) }
        router.get("/oauth/access_token") { request, _ in self.facebookToken(request) }
        router.get("/2/users/me") { request, _ in self.me(request, flavor: .x) }
        router.get("/me") { request, _ in self.me(request, flavor: .facebook) }
        router.get("/healthz") { _, _ in Self.text(.ok, "ok") }
    }

    // MARK: Authorize and consent

    func authorize(_ request: Request, flavor: Flavor) -> Response {
        let query = request.uri.queryParameters
        guard let clientID = query.get("client_id"), let client = clients[clientID], let redirect = query.get("redirect_uri"),
            client.redirectURIs.contains(redirect)
        else { return Self.text(.badRequest, "unknown client or redirect_uri not registered") }
        guard query.get("response_type") == "code", let state = query.get("state") else {
            return Self.text(.badRequest, "response_type=code and state required")
        }
        var challenge: String?
        if flavor == .x {
            guard query.get("code_challenge_method") == "S256", let value = query.get("code_challenge"), !value.isEmpty else {
                return Self.text(.badRequest, "PKCE (S256) is required")
            }
            challenge = value
        }
        let pending = Self.random()
        grants.withLock {
            $0[pending] = Grant(
                flavor: flavor,
                clientID: clientID,
                redirectURI: redirect,
                challenge: challenge,
                person: person,
                issued: Date(),
                used: true
            )
        }
        let stateItem = Self.formEncode(state)
        let name = flavor == .x ? "X" : "Facebook"
        let html = """
            <!doctype html><html lang="en"><head><meta charset="utf-8"><title>\(name) (stand-in): log in</title></head>
            <body><h1>\(name) (stand-in)</h1>
            <p>Let the comment service know you as <strong>\(Self.escape(person.name))</strong>?</p>
            <p><a id="allow" href="/consent?pending=\(pending)&amp;state=\(stateItem)&amp;decision=allow">Allow</a>
            <a id="deny" href="/consent?pending=\(pending)&amp;state=\(stateItem)&amp;decision=deny">Deny</a></p></body></html>
            """
        return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    func consent(_ request: Request) -> Response {
        let query = request.uri.queryParameters
        guard let pending = query.get("pending"), let state = query.get("state"),
            var grant = grants.withLock({ $0.removeValue(forKey: pending) })
        else { return Self.text(.badRequest, "no such login") }
        var target = URLComponents(string: grant.redirectURI) ?? URLComponents()
        if query.get("decision") == "allow" {
            let code = Self.random()
            grant.used = false
            grant.issued = Date()
            grants.withLock { $0[code] = grant }
            target.queryItems = [URLQueryItem(name: "code", value: code), URLQueryItem(name: "state", value: state)]
        } else if grant.flavor == .x {
            target.queryItems = [URLQueryItem(name: "error", value: "access_denied"), URLQueryItem(name: "state", value: state)]
        } else {
            target.queryItems = [
                URLQueryItem(name: "error", value: "access_denied"), URLQueryItem(name: "error_code", value: "200"),
                URLQueryItem(name: "error_description", value: "Permissions error"), URLQueryItem(name: "error_reason", value: "user_denied"),
                URLQueryItem(name: "state", value: state),
            ]
        }
        return Response(status: .found, headers: [.location: target.url?.absoluteString ?? grant.redirectURI])
    }

    // MARK: Tokens

    /// The grant `code` names, used up: nil when unknown, used before, older than a minute, or for another client or
    /// redirect URI.
    func redeem(_ code: String, flavor: Flavor, clientID: String, redirectURI: String) -> Grant? {
        grants.withLock { grants -> Grant? in
            guard var grant = grants[code], grant.flavor == flavor, !grant.used else { return nil }
            grant.used = true
            grants[code] = grant
            guard grant.clientID == clientID, grant.redirectURI == redirectURI, Date().timeIntervalSince(grant.issued) < 60 else { return nil }
            return grant
        }
    }

    func issue(_ flavor: Flavor, _ person: Person) -> String {
        let token = Self.random()
        tokens.withLock { $0[token] = (flavor, person) }
        return token
    }

    func xToken(_ request: Request) async throws -> Response {
        let body = try await request.body.collect(upTo: 64 * 1024)
        var form = URLComponents()
        form.percentEncodedQuery = String(buffer: body).replacingOccurrences(of: "+", with: "%20")
        var fields: [String: String] = [:]
        for item in form.queryItems ?? [] { fields[item.name] = item.value }
        // The client authenticates with HTTP Basic (a confidential client).
        guard let basic = request.headers[.authorization], basic.hasPrefix("Basic "),
            let decoded = Data(base64Encoded: String(basic.dropFirst(6))).map({ String(decoding: $0, as: UTF8.self) }),
            let colon = decoded.firstIndex(of: ":"),
            let client = clients[String(decoded[..<colon]).removingPercentEncoding ?? ""],
            client.secret == String(decoded[decoded.index(after: colon)...]).removingPercentEncoding
        else { return Self.json(.unauthorized, #"{"error":"invalid_client","error_description":"client authentication failed"}"#) }
        guard fields["grant_type"] == "authorization_code", let code = fields["code"], let redirect = fields["redirect_uri"],
            let verifier = fields["code_verifier"],
            let grant = redeem(code, flavor: .x, clientID: client.id, redirectURI: redirect),
            grant.challenge == Self.base64URL(Data(SHA256.hash(data: Data(verifier.utf8))))
        else {
            return Self.json(.badRequest, #"{"error":"invalid_grant","error_description":"Value passed for the authorization code was invalid."}"#)
        }
        let token = issue(.x, grant.person)
        return Self.json(.ok, #"{"token_type":"bearer","expires_in":7200,"access_token":"\#(token)","scope":"users.read tweet.read"}"#)
    }

    func facebookToken(_ request: Request) -> Response {
        let query = request.uri.queryParameters
        guard let clientID = query.get("client_id"), let client = clients[clientID], client.secret == query.get("client_secret") else {
            return Self.json(.badRequest, #"{"error":{"message":"Error validating client secret.","type":"OAuthException","code":1}}"#)
        }
        guard let code = query.get("code"), let redirect = query.get("redirect_uri"),
            let grant = redeem(code, flavor: .facebook, clientID: clientID, redirectURI: redirect)
        else {
            return Self.json(.badRequest, #"{"error":{"message":"This authorization code has been used.","type":"OAuthException","code":100}}"#)
        }
        let token = issue(.facebook, grant.person)
        return Self.json(.ok, #"{"access_token":"\#(token)","token_type":"bearer","expires_in":5183944}"#)
    }

    func me(_ request: Request, flavor: Flavor) -> Response {
        let bearer = request.headers[.authorization].flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil }
        guard let bearer, let (tokenFlavor, person) = tokens.withLock({ $0[bearer] }), tokenFlavor == flavor else {
            return Self.json(.unauthorized, #"{"title":"Unauthorized","type":"about:blank","status":401,"detail":"Unauthorized"}"#)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let body: Data?
        switch flavor {
        case .x: body = try? encoder.encode(["data": ["id": person.id, "name": person.name, "username": person.username]])
        case .facebook: body = try? encoder.encode(["id": person.id, "name": person.name])
        }
        return Self.json(.ok, String(decoding: body ?? Data(), as: UTF8.self))
    }

    // MARK: Helpers

    static func random() -> String { base64URL(Data((0..<24).map { _ in UInt8.random(in: 0...255) })) }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func formEncode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func text(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text + "\n")))
    }

    static func json(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
