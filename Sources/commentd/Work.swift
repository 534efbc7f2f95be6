import ArgumentParser
import Foundation
import Logging
import ModerationWorker
import PostgresLibPQ
import ServiceLifecycle
import UnixSignals

/// `commentd work`: the moderation worker.
struct Work: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Consume the comment queue: judge each comment with the active Standards Board Policy and record the decision.",
        discussion: """
            Run as many as you like, on one host or many: they share the queue safely. SIGTERM or SIGINT stops \
            claiming, finishes the batch in hand, and exits 0.
            """
    )

    @Option(help: "Batches processed at once.")
    var concurrency = 2

    @Option(help: "Most comments claimed per batch (a claim takes what is ready, up to this many).")
    var batchSize = 500

    @Option(help: "Seconds a claim lasts before other workers may take the batch.")
    var leaseSeconds = 30.0

    @Option(help: "Seconds an idle worker waits for a notification before looking at the queue anyway.")
    var pollInterval = 1.0

    @Option(help: "Name written into decisions and logs (default: worker-HOST-PID).")
    var workerID: String?

    @Option(help: "Serve /metrics (Prometheus) and /healthz on this port; off unless given, so several workers can share a host.")
    var metricsPort: Int?

    @Option(help: "Address the metrics endpoint listens on.")
    var metricsHost = "127.0.0.1"

    func validate() throws {
        guard concurrency >= 1, concurrency <= 64 else { throw ValidationError("--concurrency must be between 1 and 64") }
        guard batchSize >= 1, batchSize <= 10_000 else { throw ValidationError("--batch-size must be between 1 and 10000") }
        guard leaseSeconds >= 1 else { throw ValidationError("--lease-seconds must be at least 1") }
        guard pollInterval > 0 else { throw ValidationError("--poll-interval must be positive") }
        if let metricsPort, !(1...65535).contains(metricsPort) { throw ValidationError("--metrics-port must be a TCP port (1-65535)") }
        if let problem = WorkerConfiguration.problem(withWorkerID: resolvedWorkerID) {
            throw ValidationError(workerID == nil ? "the default worker id (\(problem)): pass --worker-id" : "--worker-id: \(problem)")
        }
    }

    /// `--worker-id`, or `worker-HOST-PID`.
    var resolvedWorkerID: String {
        workerID ?? "worker-\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
    }

    func run() async throws {
        let logger = bootstrapLogging(label: "commentd.work")
        let id = resolvedWorkerID
        var database = PostgresConfiguration.fromEnvironment(applicationName: "commentd-work")
        // The worker's queries are short and frequent: parallel query workers and JIT compilation cost more than they
        // save (a breaking-news backlog outgrows the queue's statistics before autovacuum analyzes it, and the inflated
        // estimates made every batch spend 10-15 ms compiling). Bitmap scans off: with those stale estimates the claim
        // sorted every ready row on disk instead of reading its index in order (60 ms a batch at 100,000 waiting).
        database.sessionSettings = [("max_parallel_workers_per_gather", "0"), ("jit", "off"), ("enable_bitmapscan", "off")]
        let client = PostgresClient(
            configuration: database,
            options: .init(maxConnections: concurrency + 2, acquireTimeout: .seconds(30)),
            logger: logger
        )
        let worker = ModerationWorker(
            client: client,
            listenConfiguration: database,
            configuration: WorkerConfiguration(
                workerID: id,
                concurrency: concurrency,
                batchSize: batchSize,
                leaseSeconds: leaseSeconds,
                pollInterval: .milliseconds(Int(pollInterval * 1000))
            ),
            logger: logger
        )
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: client), .init(service: worker, successTerminationBehavior: .gracefullyShutdownGroup),
        ]
        if let metricsPort {
            services.append(.init(service: MetricsEndpoint.application(worker: worker, host: metricsHost, port: metricsPort, logger: logger)))
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
