import ArgumentParser
import CommentAPI
import CommentStore
import Configuration
import Foundation
import Logging
import PostgresLibPQ
import ServiceLifecycle
import Settings
import UnixSignals

/// `commentd serve`: the reader API.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the reader API: post comments, list published ones, see one's own comment's status.",
        discussion: """
            Login tokens: COMMENTD_JWT_SECRET or COMMENTD_JWT_SECRET_FILE (HS256, at least 32 bytes), or \
            COMMENTD_JWT_PUBLIC_KEY_FILE (an RSA, P-256, P-384 or Ed25519 public key in PEM: RS256, ES256, ES384, EdDSA); \
            COMMENTD_JWT_ISSUER and COMMENTD_JWT_AUDIENCE; COMMENTD_JWT_LEEWAY_SECONDS (default 30). \
            Every option also reads the environment variable named in its help, and then the JSON settings file \
            COMMENTD_CONFIG_FILE names (OPERATIONS.md lists every key). SIGTERM or SIGINT stops accepting \
            connections, finishes the requests in flight, and exits 0.
            """
    )

    @Option(help: "Address to listen on (COMMENTD_HOST; default 127.0.0.1).")
    var host: String?

    @Option(help: "Port to listen on (COMMENTD_PORT; default 8080).")
    var port: Int?

    @Option(help: "Largest request body accepted, in bytes (COMMENTD_MAX_BODY_BYTES; default 32768).")
    var maxBodyBytes: Int?

    @Option(help: "Database connections in the pool (COMMENTD_DB_POOL_SIZE; default 16).")
    var poolSize: Int?

    @Option(help: "Seconds a kept-alive connection may sit without a request (COMMENTD_HTTP_IDLE_TIMEOUT; default 30).")
    var idleTimeout: Int?

    @Option(help: "Seconds a new connection has to send its request head, and a request its body (COMMENTD_HTTP_READ_TIMEOUT; default 10).")
    var readTimeout: Int?

    @Option(help: "Connections served at once, more wait; lowered to fit the open-file limit (COMMENTD_MAX_CONNECTIONS; default 1000).")
    var maxConnections: Int?

    @Option(help: "Serve /metrics (Prometheus) on this port, never on the readers' port; off unless given (COMMENTD_METRICS_PORT).")
    var metricsPort: Int?

    @Flag(help: "Serve a demo article page with the comment box at /demo (its article, demo-1, is registered if missing).")
    var demo = false

    @Option(help: "Address the metrics listener binds to (COMMENTD_METRICS_HOST; default 127.0.0.1).")
    var metricsHost: String?

    @Option(help: "Seconds a cache may serve an article's comment list without asking (COMMENTD_LIST_MAX_AGE; default 5).")
    var listMaxAge: Int?

    @Option(help: "Seconds after that a cache may serve it while revalidating (COMMENTD_LIST_STALE_WHILE_REVALIDATE; default 30).")
    var listStaleWhileRevalidate: Int?

    /// The options given, by their settings' keys (`--list-max-age` is `commentd.list-max-age`); the environment and the
    /// settings file fill in the rest.
    var options: [String: ConfigContent?] {
        [
            "commentd.host": host.map(ConfigContent.string),
            "commentd.port": port.map(ConfigContent.int),
            "commentd.max-body-bytes": maxBodyBytes.map(ConfigContent.int),
            "commentd.db-pool-size": poolSize.map(ConfigContent.int),
            "commentd.http-idle-timeout": idleTimeout.map(ConfigContent.int),
            "commentd.http-read-timeout": readTimeout.map(ConfigContent.int),
            "commentd.max-connections": maxConnections.map(ConfigContent.int),
            "commentd.metrics-host": metricsHost.map(ConfigContent.string),
            "commentd.metrics-port": metricsPort.map(ConfigContent.int),
            "commentd.list-max-age": listMaxAge.map(ConfigContent.int),
            "commentd.list-stale-while-revalidate": listStaleWhileRevalidate.map(ConfigContent.int),
        ]
    }

    func run() async throws {
        let logger = bootstrapLogging(label: "commentd.serve")
        let config: ConfigReader
        var configuration: APIConfiguration
        let login: LoginConfiguration
        let pool: Int
        do {
            config = try await Settings.reader(options: options)
            configuration = try APIConfiguration(config: config)
            login = try LoginConfiguration(config: config)
            pool = try config.integer("commentd.db-pool-size", default: 16, in: 1...1000)
        } catch let error as SettingError {
            throw ValidationError(error.description)
        }
        configuration.maxConnections = Self.connectionCap(configuration.maxConnections, logger: logger)
        var database = PostgresConfiguration(config: config, applicationName: "commentd-serve")
        // A slow database must not hold readers' requests (and pool connections) indefinitely: give up, answer 503.
        // Short queries only: no parallel workers, no JIT compilation (see `commentd work`).
        database.sessionSettings = [("statement_timeout", "5000"), ("max_parallel_workers_per_gather", "0"), ("jit", "off")]
        let client = PostgresClient(
            configuration: database,
            options: .init(maxConnections: pool, acquireTimeout: .seconds(5)),
            logger: logger
        )
        // Published lists from a standby (libpq multi-host, `target_session_attrs=prefer-standby`), when one is named.
        var reads: PostgresClient?
        if let url = PostgresConfiguration.url(config, "commentd.read-database-url") {
            var readDatabase = PostgresConfiguration(connectionString: url, applicationName: "commentd-serve-reads")
            readDatabase.sessionSettings = database.sessionSettings
            // Connections are renewed every minute, so a standby that was down is used again soon after it returns.
            var options = client.options
            options.maxLifetime = .seconds(60)
            reads = PostgresClient(configuration: readDatabase, options: options, logger: logger)
        }
        if demo {
            configuration.demoArticle = "demo-1"
            try await PostgresConnection.withConnection(configuration: database, logger: logger) { connection in
                try await Articles().register("demo-1", url: nil, title: "Demo article: the comment box", publishedAt: Date(), on: connection)
            }
        }
        let app = try await CommentAPI.application(
            configuration: configuration,
            login: login,
            client: client,
            reads: reads,
            logger: logger
        )
        logger.info("reader API listening", metadata: ["address": "\(configuration.host):\(configuration.port)"])
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: client)] + (reads.map { [.init(service: $0)] } ?? []) + [
                    .init(service: app, successTerminationBehavior: .gracefullyShutdownGroup)
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        try await group.run()
    }

    /// `requested`, lowered to what the process's open-file limit leaves after the database pool, logs and listeners
    /// (a descriptor per connection): past that, accept() fails and the server stops answering anyone.
    static func connectionCap(_ requested: Int, logger: Logger) -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max else { return requested }
        let room = max(16, Int(limit.rlim_cur) - 128)
        guard requested > room else { return requested }
        logger.warning(
            "lowering the connection cap to fit the open-file limit",
            metadata: ["requested": "\(requested)", "cap": "\(room)", "nofile": "\(limit.rlim_cur)"]
        )
        return room
    }
}
