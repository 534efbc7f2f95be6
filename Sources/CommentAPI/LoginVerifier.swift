import CommentStore
public import Configuration
public import Foundation
import JWTKit
import PostgresLibPQ
import Settings

/// How the site's login tokens are checked: the key, the expected issuer and audience, and the clock leeway.
public struct LoginConfiguration: Sendable {
    public enum Key: Sendable {
        /// HS256 with a shared secret (at least 32 bytes).
        case sharedSecret([UInt8])
        /// RS256, ES256, ES384 or EdDSA, chosen by the PEM's key type.
        case publicKeyPEM(String)
    }

    public var key: Key
    public var issuer: String
    public var audience: String
    /// Seconds of clock difference forgiven on `exp`, `nbf` and `iat`.
    public var leewaySeconds: Double
    /// The longest a token may be valid: `exp` further ahead than this, or `iat`/`nbf` further back, is refused.
    public var maxLifetimeSeconds: Double

    public init(key: Key, issuer: String, audience: String, leewaySeconds: Double = 30, maxLifetimeSeconds: Double = 86_400) {
        self.key = key
        self.issuer = issuer
        self.audience = audience
        self.leewaySeconds = leewaySeconds
        self.maxLifetimeSeconds = maxLifetimeSeconds
    }

    /// Reads the site's login settings (OPERATIONS.md lists them): `commentd.jwt.secret` or `commentd.jwt.secret-file`
    /// (HS256), or `commentd.jwt.public-key-file` (a PEM public key); `commentd.jwt.issuer`, `commentd.jwt.audience`;
    /// `commentd.jwt.leeway-seconds` (default 30) and `commentd.jwt.max-lifetime-seconds` (default 86400). In the
    /// environment: `COMMENTD_JWT_SECRET`, `COMMENTD_JWT_SECRET_FILE` and so on. Throws a message naming what is
    /// missing or out of range.
    public init(config: ConfigReader) throws {
        let secret = try config.secret("commentd.jwt.secret")
        let pem = try config.file("commentd.jwt.public-key-file")
        let key: Key
        switch (secret, pem) {
        case (let secret?, nil):
            guard secret.utf8.count >= 32 else {
                throw SettingError("COMMENTD_JWT_SECRET must be at least 32 bytes (e.g. `openssl rand -base64 48`)")
            }
            key = .sharedSecret(Array(secret.utf8))
        case (nil, let pem?): key = .publicKeyPEM(pem)
        case (nil, nil):
            throw SettingError("set COMMENTD_JWT_SECRET (or COMMENTD_JWT_SECRET_FILE) or COMMENTD_JWT_PUBLIC_KEY_FILE")
        case (_?, _?):
            throw SettingError("set either a shared secret or a public key file, not both")
        }
        guard let issuer = config.text("commentd.jwt.issuer") else { throw SettingError("COMMENTD_JWT_ISSUER is not set") }
        guard let audience = config.text("commentd.jwt.audience") else { throw SettingError("COMMENTD_JWT_AUDIENCE is not set") }
        self.init(
            key: key,
            issuer: issuer,
            audience: audience,
            leewaySeconds: try config.number("commentd.jwt.leeway-seconds", default: 30, in: 0...600),
            maxLifetimeSeconds: try config.number("commentd.jwt.max-lifetime-seconds", default: 86_400, in: 60...31_536_000)
        )
    }
}

/// Why a token was refused. The description is safe to send to the reader (RFC 6750 `error_description`).
struct LoginFailure: Error, Equatable {
    /// Whether any credentials came at all (RFC 6750: no `error` attribute when they did not).
    var credentialsPresent: Bool
    var description: String

    static let missing = LoginFailure(credentialsPresent: false, description: "log in to comment: send the login token as `Authorization: Bearer …`")
    static func invalid(_ description: String) -> LoginFailure { LoginFailure(credentialsPresent: true, description: description) }
}

/// The claims CommentDesk reads from a login token. Every one is optional here so a missing claim is named
/// precisely; ``LoginVerifier`` decides which are required.
struct LoginClaims: JWTPayload {
    var iss: IssuerClaim?
    var aud: AudienceClaim?
    var sub: SubjectClaim?
    var exp: ExpirationClaim?
    var nbf: NotBeforeClaim?
    var iat: IssuedAtClaim?
    var provider: String?
    var name: String?

    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// Login tokens for development and load tests, signed with the configured HS256 secret (`commentd dev-token`).
/// In production the site's login issues them.
public enum DevelopmentLogin {
    public static func tokens(
        subjects: [String],
        provider: String,
        names: [String?],
        lifetime: Double,
        configuration: LoginConfiguration,
        now: Date = Date()
    ) async throws -> [String] {
        guard case .sharedSecret(let secret) = configuration.key else {
            throw SettingError("development tokens need a shared secret (COMMENTD_JWT_SECRET or _FILE)")
        }
        let keys = await JWTKeyCollection().add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        var tokens: [String] = []
        for (subject, name) in zip(subjects, names) {
            let claims = LoginClaims(
                iss: .init(value: configuration.issuer),
                aud: .init(value: [configuration.audience]),
                sub: .init(value: subject),
                exp: .init(value: now.addingTimeInterval(lifetime)),
                nbf: nil,
                iat: .init(value: now),
                provider: provider,
                name: name
            )
            tokens.append(try await keys.sign(claims))
        }
        return tokens
    }
}

/// Verifies login tokens: the algorithm named in the header must be the configured key's, the signature must
/// verify, `iss` and `aud` must match, `exp` (required) and `nbf` must hold, and `sub` and `provider` must be there.
/// Two issuers may be trusted: the site's own login (``LoginConfiguration``) and, with built-in login on, commentd itself
/// (tokens whose header names the `kid` ``LoginRoutes/keyID``, HS256 with ``ReaderLoginConfiguration/tokenSecret``).
final class LoginVerifier: Sendable {
    let configuration: LoginConfiguration
    let algorithm: String
    private let keys: JWTKeyCollection
    /// commentd's own reader tokens, when built-in login is configured.
    private let readers: (keys: JWTKeyCollection, issuer: String, lifetime: Double)?

    init(_ configuration: LoginConfiguration, readers readerLogin: ReaderLoginConfiguration? = nil) async throws {
        self.configuration = configuration
        if let readerLogin {
            let own = await JWTKeyCollection().add(
                hmac: HMACKey(from: readerLogin.tokenSecret),
                digestAlgorithm: .sha256,
                kid: JWKIdentifier(string: LoginRoutes.keyID)
            )
            readers = (own, readerLogin.issuer, readerLogin.tokenLifetimeSeconds)
        } else {
            readers = nil
        }
        let keys = JWTKeyCollection()
        switch configuration.key {
        case .sharedSecret(let secret):
            await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
            algorithm = "HS256"
        case .publicKeyPEM(let pem):
            if let key = try? Insecure.RSA.PublicKey(pem: pem) {
                await keys.add(rsa: key, digestAlgorithm: .sha256)
                algorithm = "RS256"
            } else if let key = try? ES256PublicKey(pem: pem) {
                await keys.add(ecdsa: key)
                algorithm = "ES256"
            } else if let key = try? ES384PublicKey(pem: pem) {
                await keys.add(ecdsa: key)
                algorithm = "ES384"
            } else if let key = try? EdDSA.PublicKey(pem: pem) {
                await keys.add(eddsa: key)
                algorithm = "EdDSA"
            } else {
                throw SettingError("the public key file holds no RSA, P-256, P-384 or Ed25519 public key in PEM form")
            }
        }
        self.keys = keys
    }

    /// The reader the token names, or a ``LoginFailure``.
    func verify(authorization: String?, now: Date = Date()) async throws(LoginFailure) -> ReaderComments.Reader {
        guard let authorization, !authorization.isEmpty else { throw .missing }
        let parts = authorization.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { throw .invalid("use the Bearer scheme: `Authorization: Bearer <token>`") }
        let token = String(parts[1]).trimmingCharacters(in: .whitespaces)
        guard token.utf8.count <= 8192 else { throw .invalid("the token is too long") }
        let header = Self.header(token) ?? TokenHeader()
        // commentd's own tokens name its key; every other token is the site's.
        let own = readers != nil && header.kid == LoginRoutes.keyID
        let expected = own ? "HS256" : algorithm
        let issuer = own ? readers?.issuer ?? "" : configuration.issuer
        let audience = own ? ReaderLoginConfiguration.audience : configuration.audience
        let maxLifetime = own ? readers?.lifetime ?? 0 : configuration.maxLifetimeSeconds
        guard header.alg == expected else { throw .invalid("the token is not signed with the expected algorithm") }
        // RFC 7515 §4.1.11: a recipient that does not understand a listed critical extension must refuse the token.
        guard !header.hasCritical else { throw .invalid("the token names critical header extensions this service does not support") }
        let claims: LoginClaims
        do {
            claims = try await (own ? readers?.keys ?? keys : keys).verify(token, as: LoginClaims.self)
        } catch let error as JWTError where error.errorType == .signatureVerificationFailed {
            throw .invalid("the token's signature does not verify")
        } catch {
            throw .invalid("the token is malformed")
        }
        let leeway = configuration.leewaySeconds
        let oldest = -(maxLifetime + leeway)
        guard let exp = claims.exp?.value else { throw .invalid("the token has no expiry (exp)") }
        guard exp.timeIntervalSince(now) > -leeway else { throw .invalid("the token has expired") }
        guard exp.timeIntervalSince(now) <= maxLifetime + leeway else {
            throw .invalid("the token's expiry (exp) is further ahead than this service accepts")
        }
        if let nbf = claims.nbf?.value {
            guard nbf.timeIntervalSince(now) <= leeway else { throw .invalid("the token is not valid yet (nbf)") }
            guard nbf.timeIntervalSince(now) >= oldest else { throw .invalid("the token's not-before time (nbf) is implausibly old") }
        }
        if let iat = claims.iat?.value {
            guard iat.timeIntervalSince(now) <= leeway else { throw .invalid("the token's issue time (iat) is in the future") }
            guard iat.timeIntervalSince(now) >= oldest else { throw .invalid("the token's issue time (iat) is implausibly old") }
        }
        guard let iss = claims.iss?.value else { throw .invalid("the token has no issuer (iss)") }
        guard iss == issuer else { throw .invalid("the token is from another issuer") }
        guard let aud = claims.aud?.value else { throw .invalid("the token has no audience (aud)") }
        guard aud.contains(audience) else { throw .invalid("the token is meant for another audience") }
        guard let subject = claims.sub?.value, !subject.isEmpty else { throw .invalid("the token has no subject (sub)") }
        // Measured as the database measures it (length() counts code points), so a valid token never fails its CHECK.
        guard subject.postgresLength <= 255, !subject.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw .invalid("the token's subject is not a valid account id")
        }
        // Provider names are case-insensitive (`Twitter` is `twitter`): stored, compared and checked in lower case.
        guard let provider = claims.provider?.lowercased(), !provider.isEmpty else { throw .invalid("the token has no login provider (provider)") }
        return ReaderComments.Reader(
            provider: provider,
            subject: subject,
            displayName: Self.displayName(claims.name),
            tokenIssuedAt: claims.iat?.value,
            tokenExpiresAt: exp
        )
    }

    /// The token's header as a JSON object (before its signature is checked: read `alg` and `crit` only).
    static func header(_ token: String) -> TokenHeader? {
        guard let header = token.split(separator: ".", omittingEmptySubsequences: false).first else { return nil }
        var base64 = header.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64) else { return nil }
        return try? JSONDecoder().decode(TokenHeader.self, from: data)
    }

    /// The members of a token's JOSE header that choose how it is checked. A member of another type than a string
    /// reads as absent (the algorithm check then refuses the token); `crit` counts whatever its value.
    struct TokenHeader: Decodable {
        var alg: String?
        var kid: String?
        var hasCritical = false

        init() {}

        private enum Member: String, CodingKey { case alg, kid, crit }

        init(from decoder: any Decoder) throws {
            let members = try decoder.container(keyedBy: Member.self)
            alg = try? members.decodeIfPresent(String.self, forKey: .alg)
            kid = try? members.decodeIfPresent(String.self, forKey: .kid)
            hasCritical = members.contains(.crit)
        }
    }

    /// The name shown beside comments: control characters dropped, whitespace collapsed, at most 100 characters.
    static func displayName(_ name: String?) -> String {
        let cleaned = (name ?? "").unicodeScalars.filter { $0.properties.generalCategory != .control && $0.properties.generalCategory != .format }
        let words = String(String.UnicodeScalarView(cleaned)).split(whereSeparator: \.isWhitespace)
        return String(words.joined(separator: " ").prefix(100))
    }
}
