public import Logging
public import PostgresLibPQ
public import StandardsPolicy
import Synchronization

/// The active Standards Board Policy, compiled once per version and shared by every task of a process.
///
/// The worker and the API both hold one. ``current()`` loads it on first use; ``refreshIfChanged()`` is the cheap
/// check (one indexed row) that callers run on a timer or when `policy_changed` is notified.
public final class ActivePolicy: Sendable {
    public typealias Loaded = (id: Int64, compiled: CompiledPolicy)

    private let client: PostgresClient
    private let seedingActor: String?
    private let logger: Logger
    private let loaded = Mutex<Loaded?>(nil)

    /// - Parameter seedingActor: when set and no policy was ever activated, the default policy is seeded under this
    ///   name (the worker does this; the API, which only reads, passes nil and waits for one).
    public init(client: PostgresClient, seedingActor: String?, logger: Logger) {
        self.client = client
        self.seedingActor = seedingActor
        self.logger = logger
    }

    /// The policy loaded last, without touching the database.
    public var cached: Loaded? { loaded.withLock { $0 } }

    /// The active policy, loading it on first use.
    public func current() async throws -> Loaded {
        if let current = cached { return current }
        return try await reload()
    }

    /// Reads the active version and compiles it when it differs from the one in use.
    @discardableResult
    public func reload() async throws -> Loaded {
        let versions = PolicyVersions()
        let seedingActor = self.seedingActor
        let stored = try await client.withConnection { connection -> PolicyVersions.Stored in
            if let active = try await versions.active(on: connection) { return active }
            guard let seedingActor else { throw PostgresError(.unexpectedResult, message: "no active policy") }
            try await versions.seed(.standardsBoard, by: seedingActor, on: connection)
            guard let seeded = try await versions.active(on: connection) else {
                throw PostgresError(.unexpectedResult, message: "no active policy after seeding")
            }
            return seeded
        }
        if let current = cached, current.id == stored.id { return current }
        let compiled = try CompiledPolicy(bundle: stored.bundle)
        loaded.withLock { $0 = (stored.id, compiled) }
        logger.info(
            "policy in use",
            metadata: ["policy_version": "\(stored.id)", "version": "\(stored.version)", "sha256": "\(stored.sha256.prefix(12))"]
        )
        return (stored.id, compiled)
    }

    /// Reloads when the active version's id changed since the last load.
    public func refreshIfChanged() async throws {
        let active = try await client.withConnection { try await PolicyVersions().activeID(on: $0) }
        if active != cached?.id { try await reload() }
    }
}
