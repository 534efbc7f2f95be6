import ArgumentParser
import Foundation
import JWTKit

/// `commentd dev-token`: a login token for development and tests, signed with the configured HS256 secret.
struct DevToken: AsyncParsableCommand {
    struct Claims: JWTPayload {
        var iss: IssuerClaim
        var aud: AudienceClaim
        var sub: SubjectClaim
        var exp: ExpirationClaim
        var iat: IssuedAtClaim
        var provider: String
        var name: String?

        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    static let configuration = CommandConfiguration(
        commandName: "dev-token",
        abstract: "Print a login token for local development, signed with COMMENTD_JWT_SECRET (or _FILE).",
        discussion: """
            In production the site's login signs tokens; this command exists so a developer can post without one. \
            It uses COMMENTD_JWT_ISSUER and COMMENTD_JWT_AUDIENCE like `commentd serve`.
            """
    )

    @Option(help: "The account id at the provider (the token's sub).")
    var subject = "dev-reader"

    @Option(help: "The login provider: twitter or facebook.")
    var provider = "twitter"

    @Option(help: "The name shown beside comments.")
    var name = "Dev Reader"

    @Option(help: "Seconds until the token expires.")
    var ttl = 3600

    @Option(help: "Print this many tokens, one a line, for subjects SUBJECT-1 … SUBJECT-N (load tests).")
    var count: Int?

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let secret: String
        if let value = environment["COMMENTD_JWT_SECRET"], !value.isEmpty {
            secret = value
        } else if let path = environment["COMMENTD_JWT_SECRET_FILE"], let value = try? String(contentsOfFile: path, encoding: .utf8) {
            secret = value.trimmingCharacters(in: .whitespacesAndNewlines)
        } else {
            throw ValidationError("set COMMENTD_JWT_SECRET or COMMENTD_JWT_SECRET_FILE")
        }
        guard let issuer = environment["COMMENTD_JWT_ISSUER"], let audience = environment["COMMENTD_JWT_AUDIENCE"] else {
            throw ValidationError("set COMMENTD_JWT_ISSUER and COMMENTD_JWT_AUDIENCE")
        }
        let keys = await JWTKeyCollection().add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        let now = Date()
        let subjects = count.map { count in (1...max(1, count)).map { "\(subject)-\($0)" } } ?? [subject]
        for (index, sub) in subjects.enumerated() {
            let claims = Claims(
                iss: .init(value: issuer), aud: .init(value: [audience]), sub: .init(value: sub),
                exp: .init(value: now.addingTimeInterval(Double(ttl))),
                iat: .init(value: now), provider: provider, name: count == nil ? name : "\(name) \(index + 1)")
            print(try await keys.sign(claims))
        }
    }
}
