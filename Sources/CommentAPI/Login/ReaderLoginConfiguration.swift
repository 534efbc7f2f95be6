public import Configuration
public import Foundation
import Settings

/// The built-in reader login (issue 19): X and Facebook as OAuth clients, the article pages allowed to embed the
/// comment box, and the key commentd signs its own reader tokens with.
public struct ReaderLoginConfiguration: Sendable {
    /// One provider's client registration and endpoints (overridable, so tests and staging use a stand-in).
    public struct Client: Sendable {
        public var clientID: String
        public var clientSecret: String
        public var authorizeURL: URL
        public var tokenURL: URL
        public var userinfoURL: URL

        public init(clientID: String, clientSecret: String, authorizeURL: URL, tokenURL: URL, userinfoURL: URL) {
            self.clientID = clientID
            self.clientSecret = clientSecret
            self.authorizeURL = authorizeURL
            self.tokenURL = tokenURL
            self.userinfoURL = userinfoURL
        }
    }

    /// Where commentd is reached from browsers (`https://comments.example.com`): redirect URIs and the issuer of its
    /// reader tokens.
    public var publicURL: URL
    /// Article pages' origins (`https://news.example.com`) allowed to call the API from a browser and to receive a
    /// login's token.
    public var siteOrigins: [String]
    /// Keyed by the path segment: `x`, `facebook`.
    public var providers: [LoginProvider: Client]
    /// HS256 key of commentd's own reader tokens (at least 32 bytes).
    public var tokenSecret: [UInt8]
    /// How long a reader token is valid.
    public var tokenLifetimeSeconds: Double

    public init(
        publicURL: URL,
        siteOrigins: [String],
        providers: [LoginProvider: Client],
        tokenSecret: [UInt8],
        tokenLifetimeSeconds: Double = 3600
    ) {
        self.publicURL = publicURL
        self.siteOrigins = siteOrigins.map(Self.origin)
        self.providers = providers
        self.tokenSecret = tokenSecret
        self.tokenLifetimeSeconds = tokenLifetimeSeconds
    }

    /// The issuer and audience of commentd's reader tokens.
    var issuer: String { publicURL.absoluteString.trimmingCharacters(in: CharacterSet(charactersIn: "/")) }
    static let audience = "commentdesk-readers"

    /// `https://news.example.com/` and `HTTPS://News.Example.com` are the origin `https://news.example.com`.
    static func origin(_ text: String) -> String {
        var text = text.trimmingCharacters(in: .whitespaces).lowercased()
        while text.hasSuffix("/") { text.removeLast() }
        return text
    }

    func redirectURI(_ provider: LoginProvider) -> String { "\(issuer)/auth/\(provider.rawValue)/callback" }

    /// Reads `commentd.public-url`, `commentd.site-origins` (comma-separated in the environment),
    /// `commentd.reader-token.secret` (or `-file`), `commentd.reader-token.lifetime-seconds` (default 3600), and per
    /// provider `commentd.oauth.x.client-id`, `commentd.oauth.x.client-secret` (or `-file`) and the optional
    /// `commentd.oauth.x.authorize-url`, `…token-url`, `…userinfo-url` (the same with `facebook`); in the environment
    /// `COMMENTD_PUBLIC_URL`, `COMMENTD_OAUTH_X_CLIENT_ID` and so on. Nil when no provider has a client id: built-in
    /// login is off and only the site's own login tokens are accepted. Throws a message naming what is missing or wrong.
    public static func read(from config: ConfigReader) throws -> ReaderLoginConfiguration? {
        var providers: [LoginProvider: Client] = [:]
        for provider in LoginProvider.allCases {
            let prefix = "commentd.oauth.\(provider.rawValue)."
            guard let id = config.text(prefix + "client-id") else { continue }
            guard let clientSecret = try config.secret(prefix + "client-secret") else {
                let name = Settings.environmentName(prefix + "client-secret")
                throw SettingError("\(Settings.environmentName(prefix + "client-id")) is set: set \(name) (or \(name)_FILE) too")
            }
            func endpoint(_ name: String, _ fallback: String) throws -> URL {
                try config.url(prefix + name) ?? URL(string: fallback)!
            }
            providers[provider] = Client(
                clientID: id,
                clientSecret: clientSecret,
                authorizeURL: try endpoint("authorize-url", provider.defaultAuthorizeURL),
                tokenURL: try endpoint("token-url", provider.defaultTokenURL),
                userinfoURL: try endpoint("userinfo-url", provider.defaultUserinfoURL)
            )
        }
        guard !providers.isEmpty else { return nil }
        guard let publicURL = try config.url("commentd.public-url") else {
            throw SettingError("built-in login needs COMMENTD_PUBLIC_URL (where browsers reach commentd, for redirect URIs)")
        }
        let origins = try siteOrigins(config)
        guard !origins.isEmpty else {
            throw SettingError("built-in login needs COMMENTD_SITE_ORIGINS: the article pages' origins, e.g. https://news.example.com")
        }
        guard let tokenSecret = try config.secret("commentd.reader-token.secret"), tokenSecret.utf8.count >= 32 else {
            throw SettingError(
                "built-in login needs COMMENTD_READER_TOKEN_SECRET (or _FILE), at least 32 bytes, the same on every commentd (e.g. `openssl rand -base64 48`)"
            )
        }
        return ReaderLoginConfiguration(
            publicURL: publicURL,
            siteOrigins: origins,
            providers: providers,
            tokenSecret: Array(tokenSecret.utf8),
            tokenLifetimeSeconds: try config.number("commentd.reader-token.lifetime-seconds", default: 3600, in: 60...86_400)
        )
    }
}

extension ReaderLoginConfiguration {
    /// `commentd.site-origins` (`COMMENTD_SITE_ORIGINS`, comma-separated), each checked to be an origin
    /// (scheme://host[:port]) and normalized; the one reading of it, for CORS and for built-in login alike.
    public static func siteOrigins(_ config: ConfigReader) throws -> [String] {
        let origins = (config.stringArray(forKey: "commentd.site-origins") ?? []).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        for origin in origins {
            guard let parsed = URL(string: origin), parsed.scheme != nil, parsed.host != nil, parsed.path.isEmpty || parsed.path == "/",
                parsed.query == nil
            else { throw SettingError("COMMENTD_SITE_ORIGINS: '\(origin)' is not an origin (scheme://host[:port])") }
        }
        return origins.map(origin)
    }
}

/// The login providers commentd speaks to, by the path segment of their routes.
public enum LoginProvider: String, CaseIterable, Sendable, Hashable {
    case x
    case facebook

    /// The provider's name in reader tokens, accounts and the policy's `login.providers`.
    public var claimName: String {
        switch self {
        case .x: "twitter"
        case .facebook: "facebook"
        }
    }

    /// What readers see on the button and in messages.
    var displayName: String {
        switch self {
        case .x: "X (Twitter)"
        case .facebook: "Facebook"
        }
    }

    var defaultAuthorizeURL: String {
        switch self {
        case .x: "https://x.com/i/oauth2/authorize"
        case .facebook: "https://www.facebook.com/v19.0/dialog/oauth"
        }
    }

    var defaultTokenURL: String {
        switch self {
        case .x: "https://api.x.com/2/oauth2/token"
        case .facebook: "https://graph.facebook.com/v19.0/oauth/access_token"
        }
    }

    var defaultUserinfoURL: String {
        switch self {
        case .x: "https://api.x.com/2/users/me"
        case .facebook: "https://graph.facebook.com/v19.0/me"
        }
    }
}
