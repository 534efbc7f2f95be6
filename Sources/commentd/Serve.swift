import ArgumentParser
import CommentAPI
import Foundation
import Logging
import PostgresLibPQ
import ServiceLifecycle
import UnixSignals

/// `commentd serve`: the reader API.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the reader API: post comments, list published ones, see one's own comment's status.",
        discussion: """
            Login tokens: COMMENTD_JWT_SECRET or COMMENTD_JWT_SECRET_FILE (HS256, at least 32 bytes), or \
            COMMENTD_JWT_PUBLIC_KEY_FILE (an RSA, P-256, P-384 or Ed25519 public key in PEM: RS256, ES256, ES384, EdDSA); \
            COMMENTD_JWT_ISSUER and COMMENTD_JWT_AUDIENCE; COMMENTD_JWT_LEEWAY_SECONDS (default 30). \
            Every option also reads the environment variable named in its help. SIGTERM or SIGINT stops accepting \
            connections, finishes the requests in flight, and exits 0.
            """
    )

    @Option(help: "Address to listen on (COMMENTD_HOST; default 127.0.0.1).")
    var host: String?

    @Option(help: "Port to listen on (COMMENTD_PORT; default 8080).")
    var port: Int?

    @Option(help: "Posts per account per minute before 429; 0 disables (COMMENTD_MAX_POSTS_PER_MINUTE; default 5).")
    var maxPostsPerMinute: Int?

    @Option(help: "Largest request body accepted, in bytes (COMMENTD_MAX_BODY_BYTES; default 16384).")
    var maxBodyBytes: Int?

    @Option(help: "Database connections in the pool (COMMENTD_DB_POOL_SIZE; default 16).")
    var poolSize: Int?

    func run() async throws {
        let logger = bootstrapLogging(label: "commentd.serve")
        let environment = ProcessInfo.processInfo.environment
        func setting(_ value: Int?, _ name: String, _ fallback: Int, _ range: ClosedRange<Int>) throws -> Int {
            let resolved =
                try value ?? environment[name].map { text in
                    guard let number = Int(text) else { throw ValidationError("\(name) must be an integer") }
                    return number
                } ?? fallback
            guard range.contains(resolved) else {
                throw ValidationError("\(name) (or its option) must be between \(range.lowerBound) and \(range.upperBound)")
            }
            return resolved
        }
        let configuration = APIConfiguration(
            host: host ?? environment["COMMENTD_HOST"] ?? "127.0.0.1",
            port: try setting(port, "COMMENTD_PORT", 8080, 1...65535),
            maxBodyBytes: try setting(maxBodyBytes, "COMMENTD_MAX_BODY_BYTES", 16 * 1024, 1024...1_048_576),
            maxPostsPerMinute: try setting(maxPostsPerMinute, "COMMENTD_MAX_POSTS_PER_MINUTE", 5, 0...10_000))
        let pool = try setting(poolSize, "COMMENTD_DB_POOL_SIZE", 16, 1...1000)
        let login: LoginConfiguration
        do {
            login = try LoginConfiguration.fromEnvironment(environment)
        } catch let error as LoginConfigurationError {
            throw ValidationError(error.description)
        }
        var database = PostgresConfiguration.fromEnvironment(applicationName: "commentd-serve")
        // A slow database must not hold readers' requests (and pool connections) indefinitely: give up, answer 503.
        database.sessionSettings = [("statement_timeout", "5000"), ("max_parallel_workers_per_gather", "0")]
        let client = PostgresClient(
            configuration: database,
            options: .init(maxConnections: pool, acquireTimeout: .seconds(5)), logger: logger)
        let app = try await CommentAPI.application(configuration: configuration, login: login, client: client, logger: logger)
        logger.info("reader API listening", metadata: ["address": "\(configuration.host):\(configuration.port)"])
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: client), .init(service: app, successTerminationBehavior: .gracefullyShutdownGroup)],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
