import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1

/// The two halves of an authorization-code login as each provider defines them: the authorize redirect, and the
/// callback's exchange of the code for an access token and of the token for the reader's id and name. X: OAuth 2.0
/// with PKCE (`/i/oauth2/authorize`, `/2/oauth2/token` with the client's Basic credentials, `/2/users/me`).
/// Facebook: Facebook Login's code flow (`/dialog/oauth`, `/oauth/access_token`, `/me?fields=id,name`). The access
/// token lives only inside ``reader(provider:client:code:verifier:redirectURI:)``: never stored, never logged.
struct OAuthExchange: Sendable {
    let http: HTTPClient
    let timeout: TimeAmount

    /// Why a login could not be finished, in words a reader can be shown (no provider internals).
    struct Failure: Error, Equatable {
        var message: String
    }

    /// Who logged in.
    struct Identity: Equatable {
        var subject: String
        var name: String
    }

    /// A random URL-safe string of `bytes` random bytes (43 characters for 32): a `state` or a PKCE verifier.
    static func randomToken(bytes: Int = 32) -> String {
        var generator = SystemRandomNumberGenerator()
        return base64URL(Data((0..<bytes).map { _ in UInt8.random(in: 0...255, using: &generator) }))
    }

    /// RFC 7636 S256: the challenge sent with the authorize request for `verifier`.
    static func challenge(_ verifier: String) -> String { base64URL(Data(SHA256.hash(data: Data(verifier.utf8)))) }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Where `/auth/{provider}/login` sends the reader.
    static func authorizeURL(
        provider: LoginProvider,
        client: ReaderLoginConfiguration.Client,
        state: String,
        verifier: String?,
        redirectURI: String
    ) -> URL {
        var components = URLComponents(url: client.authorizeURL, resolvingAgainstBaseURL: false) ?? URLComponents()
        var items = components.queryItems ?? []
        items += [
            URLQueryItem(name: "response_type", value: "code"), URLQueryItem(name: "client_id", value: client.clientID),
            URLQueryItem(name: "redirect_uri", value: redirectURI), URLQueryItem(name: "state", value: state),
        ]
        switch provider {
        case .x:
            items.append(URLQueryItem(name: "scope", value: "users.read tweet.read"))
        case .facebook:
            items.append(URLQueryItem(name: "scope", value: "public_profile"))
        }
        if let verifier {
            items += [URLQueryItem(name: "code_challenge", value: challenge(verifier)), URLQueryItem(name: "code_challenge_method", value: "S256")]
        }
        components.queryItems = items
        // `+` is a space in a form-encoded query; spell it out so a provider never reads one.
        components.percentEncodedQuery = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        return components.url ?? client.authorizeURL
    }

    /// Exchanges the callback's code for an access token, then reads the reader's id and name with it.
    func reader(
        provider: LoginProvider,
        client: ReaderLoginConfiguration.Client,
        code: String,
        verifier: String?,
        redirectURI: String
    )
        async throws(Failure) -> Identity
    {
        let accessToken = try await token(provider: provider, client: client, code: code, verifier: verifier, redirectURI: redirectURI)
        return try await identity(provider: provider, client: client, accessToken: accessToken)
    }

    private func token(
        provider: LoginProvider,
        client: ReaderLoginConfiguration.Client,
        code: String,
        verifier: String?,
        redirectURI: String
    )
        async throws(Failure) -> String
    {
        var request: HTTPClientRequest
        switch provider {
        case .x:
            request = HTTPClientRequest(url: client.tokenURL.absoluteString)
            request.method = .POST
            let basic = Data("\(Self.formEncode(client.clientID)):\(Self.formEncode(client.clientSecret))".utf8).base64EncodedString()
            request.headers.add(name: "Authorization", value: "Basic \(basic)")
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            var form = [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI), ("client_id", client.clientID)]
            if let verifier { form.append(("code_verifier", verifier)) }
            request.body = .bytes(ByteBuffer(string: form.map { "\($0)=\(Self.formEncode($1))" }.joined(separator: "&")))
        case .facebook:
            var components = URLComponents(url: client.tokenURL, resolvingAgainstBaseURL: false) ?? URLComponents()
            components.queryItems =
                (components.queryItems ?? []) + [
                    URLQueryItem(name: "client_id", value: client.clientID), URLQueryItem(name: "redirect_uri", value: redirectURI),
                    URLQueryItem(name: "client_secret", value: client.clientSecret), URLQueryItem(name: "code", value: code),
                ]
            components.percentEncodedQuery = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
            request = HTTPClientRequest(url: components.url?.absoluteString ?? client.tokenURL.absoluteString)
        }
        request.headers.add(name: "Accept", value: "application/json")
        struct TokenAnswer: Decodable {
            var access_token: String?
        }
        let answer: TokenAnswer = try await json(request, provider: provider)
        guard let token = answer.access_token, !token.isEmpty else {
            throw Failure(message: "\(provider.displayName) did not accept the login. Please try again.")
        }
        return token
    }

    private func identity(provider: LoginProvider, client: ReaderLoginConfiguration.Client, accessToken: String) async throws(Failure) -> Identity {
        var request: HTTPClientRequest
        switch provider {
        case .x:
            request = HTTPClientRequest(url: client.userinfoURL.absoluteString)
        case .facebook:
            var components = URLComponents(url: client.userinfoURL, resolvingAgainstBaseURL: false) ?? URLComponents()
            components.queryItems = (components.queryItems ?? []) + [URLQueryItem(name: "fields", value: "id,name")]
            request = HTTPClientRequest(url: components.url?.absoluteString ?? client.userinfoURL.absoluteString)
        }
        request.headers.add(name: "Authorization", value: "Bearer \(accessToken)")
        request.headers.add(name: "Accept", value: "application/json")
        struct User: Decodable {
            var id: String?
            var name: String?
            var username: String?
        }
        struct XAnswer: Decodable {
            var data: User?
        }
        let user: User?
        switch provider {
        case .x: user = (try await json(request, provider: provider) as XAnswer).data
        case .facebook: user = try await json(request, provider: provider) as User
        }
        guard let user, let id = user.id, !id.isEmpty, id.count <= 255 else {
            throw Failure(message: "\(provider.displayName) did not say who you are. Please try again.")
        }
        return Identity(subject: id, name: user.name ?? user.username ?? "")
    }

    /// Sends `request` and decodes a 2xx JSON answer; anything else is a ``Failure`` naming only the provider.
    private func json<T: Decodable>(_ request: HTTPClientRequest, provider: LoginProvider) async throws(Failure) -> T {
        do {
            let response = try await http.execute(request, timeout: timeout)
            let body = try await response.body.collect(upTo: 1 << 20)
            guard (200..<300).contains(response.status.code) else {
                throw Failure(message: "\(provider.displayName) did not accept the login. Please try again.")
            }
            return try JSONDecoder().decode(T.self, from: Data(body.readableBytesView))
        } catch let failure as Failure {
            throw failure
        } catch is DecodingError {
            throw Failure(message: "\(provider.displayName) answered in a way this site does not understand. Please try again later.")
        } catch {
            throw Failure(message: "\(provider.displayName) could not be reached. Please try again in a moment.")
        }
    }

    /// `application/x-www-form-urlencoded` for one value (RFC 6749 §2.3.1 also for the Basic credentials).
    static func formEncode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
