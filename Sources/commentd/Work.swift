import ArgumentParser
import Configuration
import Foundation
import Logging
import ModerationWorker
import PostgresLibPQ
import ServiceLifecycle
import Settings
import UnixSignals

/// `commentd work`: the moderation worker.
struct Work: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Consume the comment queue: judge each comment with the active Standards Board Policy and record the decision.",
        discussion: """
            Run as many as you like, on one host or many: they share the queue safely. Every option also reads the \
            environment variable named in its help, and then the JSON settings file COMMENTD_CONFIG_FILE names. SIGTERM or SIGINT stops \
            claiming, finishes the batch in hand, and exits 0.
            """
    )

    @Option(help: "Batches processed at once (COMMENTD_WORKER_CONCURRENCY; default 2).")
    var concurrency: Int?

    @Option(help: "Most comments claimed per batch, a claim takes what is ready up to this many (COMMENTD_WORKER_BATCH_SIZE; default 500).")
    var batchSize: Int?

    @Option(help: "Seconds a claim lasts before other workers may take the batch (COMMENTD_WORKER_LEASE_SECONDS; default 30).")
    var leaseSeconds: Double?

    @Option(help: "Seconds an idle worker waits for a notification before looking at the queue anyway (COMMENTD_WORKER_POLL_INTERVAL; default 1).")
    var pollInterval: Double?

    @Option(help: "Name written into decisions and logs (COMMENTD_WORKER_ID; default: worker-HOST-PID).")
    var workerID: String?

    @Option(
        help:
            "Serve /metrics (Prometheus) and /healthz on this port; off unless given, so several workers can share a host (COMMENTD_WORKER_METRICS_PORT)."
    )
    var metricsPort: Int?

    @Option(help: "Address the metrics endpoint listens on (COMMENTD_WORKER_METRICS_HOST; default 127.0.0.1).")
    var metricsHost: String?

    /// The options given, by their settings' keys; the environment and the settings file fill in the rest.
    var options: [String: ConfigContent?] {
        [
            "commentd.worker.concurrency": concurrency.map(ConfigContent.int),
            "commentd.worker.batch-size": batchSize.map(ConfigContent.int),
            "commentd.worker.lease-seconds": leaseSeconds.map(ConfigContent.double),
            "commentd.worker.poll-interval": pollInterval.map(ConfigContent.double),
            "commentd.worker.id": workerID.map(ConfigContent.string),
            "commentd.worker.metrics-port": metricsPort.map(ConfigContent.int),
            "commentd.worker.metrics-host": metricsHost.map(ConfigContent.string),
        ]
    }

    func run() async throws {
        let logger = bootstrapLogging(label: "commentd.work")
        let config: ConfigReader
        let settings: WorkerConfiguration
        let metricsPort: Int?
        do {
            config = try await Settings.reader(options: options)
            settings = try WorkerConfiguration(config: config)
            metricsPort = try config.integer("commentd.worker.metrics-port", in: 1...65535)
        } catch let error as SettingError {
            throw ValidationError(error.description)
        }
        var database = PostgresConfiguration(config: config, applicationName: "commentd-work")
        // The worker's queries are short and frequent: parallel query workers and JIT compilation cost more than they
        // save (a breaking-news backlog outgrows the queue's statistics before autovacuum analyzes it, and the inflated
        // estimates made every batch spend 10-15 ms compiling). Bitmap scans off: with those stale estimates the claim
        // sorted every ready row on disk instead of reading its index in order (60 ms a batch at 100,000 waiting).
        database.sessionSettings = [("max_parallel_workers_per_gather", "0"), ("jit", "off"), ("enable_bitmapscan", "off")]
        let client = PostgresClient(
            configuration: database,
            options: .init(maxConnections: settings.concurrency + 2, acquireTimeout: .seconds(30)),
            logger: logger
        )
        let worker = ModerationWorker(
            client: client,
            // LISTEN needs a session of its own: PostgreSQL itself, not a transaction-mode pooler.
            listenConfiguration: database.direct,
            configuration: settings,
            logger: logger
        )
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: client), .init(service: worker, successTerminationBehavior: .gracefullyShutdownGroup),
        ]
        if let metricsPort {
            services.append(
                .init(
                    service: MetricsEndpoint.application(
                        worker: worker,
                        host: config.text("commentd.worker.metrics-host") ?? "127.0.0.1",
                        port: metricsPort,
                        logger: logger
                    )
                )
            )
        }
        let group = ServiceGroup(
            configuration: .init(
                services: services,
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        try await group.run()
    }
}
