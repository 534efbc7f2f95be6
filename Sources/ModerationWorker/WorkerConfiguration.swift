public import Configuration
import Foundation
import PostgresLibPQ
import Settings

/// How a worker runs. The first five fields are `commentd work` options and settings (``init(config:)``).
public struct WorkerConfiguration: Sendable {
    /// Written into every decision (`decided_by`) and every log line. Default: `worker-HOST-PID`.
    public var workerID: String
    /// Batches processed at once (each on its own pooled connection).
    public var concurrency: Int
    /// The most comments claimed per batch; a claim takes what is ready, so batches shrink with the backlog.
    public var batchSize: Int
    /// How long a claim lasts; a worker that has not finished by then loses its batch to the others.
    public var leaseSeconds: Double
    /// How long an idle worker waits for a NOTIFY before looking at the queue anyway.
    public var pollInterval: Duration
    /// How often a loop that found work within the last `activeWindow` looks at the queue again. Enqueues notify only
    /// while a loop is asleep (`queue_waiters`), so under load posts do not pay for NOTIFY and the loop polls instead.
    public var activePollInterval: Duration
    /// How long after its last batch a loop keeps polling at `activePollInterval` before it registers and sleeps.
    public var activeWindow: Duration
    /// Finished queue rows are deleted this long after they finished.
    public var pruneAfterSeconds: Double
    /// How often the active policy is compared with the one in use (NOTIFY usually tells sooner).
    public var policyCheckInterval: Duration

    public init(
        workerID: String,
        concurrency: Int = 2,
        batchSize: Int = 500,
        leaseSeconds: Double = 30,
        pollInterval: Duration = .seconds(1),
        activePollInterval: Duration = .milliseconds(10),
        activeWindow: Duration = .milliseconds(500),
        pruneAfterSeconds: Double = 3600,
        policyCheckInterval: Duration = .seconds(30)
    ) {
        self.workerID = workerID
        self.concurrency = max(1, concurrency)
        self.batchSize = max(1, batchSize)
        self.leaseSeconds = max(1, leaseSeconds)
        self.pollInterval = pollInterval
        self.activePollInterval = activePollInterval
        self.activeWindow = activeWindow
        self.pruneAfterSeconds = pruneAfterSeconds
        self.policyCheckInterval = policyCheckInterval
    }

    /// Reads `commentd.worker.concurrency` (1–64, default 2), `commentd.worker.batch-size` (1–10000, 500),
    /// `commentd.worker.lease-seconds` (1–3600, 30), `commentd.worker.poll-interval` (seconds, 1) and
    /// `commentd.worker.id` (default `worker-HOST-PID`); in the environment `COMMENTD_WORKER_CONCURRENCY` and so on.
    /// Throws a ``SettingError`` naming a value that is out of range or wrong.
    public init(config: ConfigReader) throws {
        // Given but empty is an error (a worker id names every decision), not the default.
        let given = config.string(forKey: "commentd.worker.id")
        let id = given ?? "worker-\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
        if let problem = Self.problem(withWorkerID: id) {
            throw SettingError(given == nil ? "the default worker id (\(problem)): pass --worker-id" : "COMMENTD_WORKER_ID: \(problem)")
        }
        self.init(
            workerID: id,
            concurrency: try config.integer("commentd.worker.concurrency", default: 2, in: 1...64),
            batchSize: try config.integer("commentd.worker.batch-size", default: 500, in: 1...10_000),
            leaseSeconds: try config.number("commentd.worker.lease-seconds", default: 30, in: 1...3600),
            pollInterval: .milliseconds(Int(try config.number("commentd.worker.poll-interval", default: 1, in: 0.001...3600) * 1000))
        )
    }

    /// Why `id` cannot name a worker, or nil when it can. It is written into every decision (`decided_by`, 1 to 200
    /// code points): an id the database refuses would fail every decision and stall the queue, so it is checked before
    /// the worker starts.
    public static func problem(withWorkerID id: String) -> String? {
        guard (1...200).contains(id.postgresLength) else { return "a worker id must be 1 to 200 characters (this one has \(id.postgresLength))" }
        guard !id.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            return "a worker id cannot contain control characters"
        }
        return nil
    }

    /// How often expired leases are looked for: half a lease, at most every ten seconds.
    var reapInterval: Duration { .milliseconds(Int(min(leaseSeconds / 2, 10) * 1000)) }
}
