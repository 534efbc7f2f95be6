import ArgumentParser
import CommentAPI
import Foundation
import Settings

/// `commentd dev-token`: a login token for development and tests, signed with the configured HS256 secret.
struct DevToken: AsyncParsableCommand {
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

    func validate() throws {
        guard ttl > 0 else { throw ValidationError("--ttl must be positive") }
        if let count, !(1...100_000).contains(count) { throw ValidationError("--count must be between 1 and 100000") }
    }

    func run() async throws {
        let login: LoginConfiguration
        do {
            login = try LoginConfiguration(config: try await Settings.reader())
        } catch let error as SettingError {
            throw ValidationError(error.description)
        }
        guard Double(ttl) <= login.maxLifetimeSeconds else {
            throw ValidationError(
                "--ttl \(ttl) is longer than commentd serve accepts (COMMENTD_JWT_MAX_LIFETIME_SECONDS, \(Int(login.maxLifetimeSeconds)))"
            )
        }
        let numbers = count.map { Array(1...$0) }
        let subjects = numbers?.map { "\(subject)-\($0)" } ?? [subject]
        let names = numbers?.map { "\(name) \($0)" } ?? [name]
        let tokens = try await DevelopmentLogin.tokens(
            subjects: subjects,
            provider: provider,
            names: names,
            lifetime: Double(ttl),
            configuration: login
        )
        print(tokens.joined(separator: "\n"))
    }
}
