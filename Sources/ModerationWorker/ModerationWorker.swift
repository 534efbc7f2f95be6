import CommentStore
import Foundation
public import Logging
public import PostgresLibPQ
public import ServiceLifecycle
import StandardsPolicy
import Synchronization

/// `commentd work`: consumes the comment queue and records exactly one automatic decision per comment.
///
/// Claims batches (`FOR UPDATE SKIP LOCKED`), loads what the rules need for the whole batch, decides outside any
/// transaction with the active Standards Board Policy, and finishes the batch in one statement that changes only
/// rows whose lease token still matches. Wakes on NOTIFY and polls as a fallback; claims again at once when a
/// batch came back full. Graceful shutdown stops claiming and lets the batch in hand finish.
public final class ModerationWorker: Service {
    public let configuration: WorkerConfiguration
    let client: PostgresClient
    let listenConfiguration: PostgresConfiguration
    let logger: Logger
    let metrics: WorkerMetrics
    private let wake = WakeSignal()
    private let policy: ActivePolicy
    let queue = ModerationQueue()
    private let inputs = ModerationInputs()

    /// - Parameters:
    ///   - client: the pool the batches use (give it at least `concurrency + 1` connections).
    ///   - listenConfiguration: where the LISTEN connection goes (the same database).
    public init(client: PostgresClient, listenConfiguration: PostgresConfiguration, configuration: WorkerConfiguration, logger: Logger) {
        self.client = client
        self.listenConfiguration = listenConfiguration
        self.configuration = configuration
        var logger = logger
        logger[metadataKey: "worker"] = "\(configuration.workerID)"
        self.logger = logger
        self.policy = ActivePolicy(client: client, seedingActor: "commentd work", logger: logger)
        self.metrics = WorkerMetrics(workerID: configuration.workerID)
    }

    /// Throws ``InvalidWorkerID`` at once when the configured id could not be written into a decision.
    public func run() async throws {
        if let problem = WorkerConfiguration.problem(withWorkerID: configuration.workerID) {
            logger.error("cannot start: invalid worker id", metadata: ["problem": "\(problem)"])
            throw InvalidWorkerID(description: problem)
        }
        logger.info(
            "worker starting",
            metadata: [
                "concurrency": "\(configuration.concurrency)", "batch": "\(configuration.batchSize)", "lease": "\(configuration.leaseSeconds)",
            ]
        )
        // Load the policy once before the loops start (retrying while the database is unreachable).
        var failures = 0
        while policy.cached == nil, !Task.isShuttingDownGracefully, !Task.isCancelled {
            do {
                try await policy.reload()
            } catch {
                failures += 1
                logger.warning("cannot load the active policy yet; retrying", metadata: ["error": "\(error)"])
                await withGracefulShutdownHandler {
                    await wake.wait(timeout: Self.backoff(failures))
                } onGracefulShutdown: {
                    self.wake.signal()
                }
            }
        }
        await withDiscardingTaskGroup { group in
            group.addTask { await self.listen() }
            group.addTask { await self.maintain() }
            for loop in 0..<configuration.concurrency {
                group.addTask { await self.process(loop) }
            }
        }
        logger.info("worker stopped", metadata: ["decided": "\(metrics.decidedTotal)"])
    }

    // MARK: Processing

    /// One loop: claims while there is work; polls every `activePollInterval` for `activeWindow` after its last batch;
    /// then registers as asleep (so that enqueues notify), claims once more (closing the gap between its last look
    /// and the registration) and waits for a NOTIFY or `pollInterval`, renewing the registration each time it wakes.
    private func process(_ loop: Int) async {
        var failures = 0
        let waiter = "\(configuration.workerID)/\(loop)"
        var lastWork = ContinuousClock.now - configuration.activeWindow
        var registered = false
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let idle = ContinuousClock.now - lastWork >= configuration.activeWindow
                if idle {
                    // Lasts three polls: renewed at every wake, gone soon after the worker is.
                    let seconds = 3 * configuration.pollInterval.seconds
                    try await client.withConnection { try await queue.sleeping(waiter, seconds: seconds, on: $0) }
                    registered = true
                }
                let claimed = try await processBatch()
                failures = 0
                if claimed > 0 {
                    lastWork = .now
                    if registered {
                        try await client.withConnection { try await queue.awake(waiter, on: $0) }
                        registered = false
                    }
                    continue  // there may be more: look again at once
                }
                let timeout = idle ? configuration.pollInterval : configuration.activePollInterval
                await withGracefulShutdownHandler {
                    await wake.wait(timeout: timeout)
                } onGracefulShutdown: {
                    self.wake.signal()
                }
            } catch {
                failures += 1
                let delay = Self.backoff(failures)
                logger.warning("batch failed, retrying", metadata: ["error": "\(error)", "retry_in_ms": "\(delay.components.seconds * 1000)"])
                await withGracefulShutdownHandler {
                    await wake.wait(timeout: delay)
                } onGracefulShutdown: {
                    self.wake.signal()
                }
            }
        }
        // Posts need not notify for a loop that has stopped (its registration would also expire by itself).
        if registered { try? await client.withConnection { try await queue.awake(waiter, on: $0) } }
    }

    /// The wait before trying again after `failures` failures to reach the database (``Backoff/reconnect``).
    static func backoff(_ failures: Int) -> Duration { Backoff.reconnect.delay(afterFailures: failures) }

    /// Claims, decides and finishes one batch; returns how many comments it claimed.
    func processBatch() async throws -> Int {
        let (policyID, compiled) = try await currentPolicy()
        let worker = configuration.workerID
        let leases = try await client.withConnection { connection in
            try await queue.claim(limit: configuration.batchSize, leaseSeconds: configuration.leaseSeconds, worker: worker, on: connection)
        }
        guard !leases.isEmpty else { return 0 }
        metrics.claimed(leases.count)
        let started = ContinuousClock.now

        let items: [ModerationInputs.Item]
        do {
            items = try await client.withConnection { try await inputs.load(leases.map(\.commentID), needs: compiled.historyNeeds, on: $0) }
        } catch let error as PostgresError where !error.isConnectionLost {
            // Something in this batch cannot be loaded: load one by one so the rest goes on.
            return try await processOneByOne(leases, policyID: policyID, compiled: compiled, error: error)
        }
        let byComment = Dictionary(items.map { ($0.commentID, $0) }, uniquingKeysWith: { first, _ in first })
        var decisions: [ModerationQueue.Decision] = []
        decisions.reserveCapacity(leases.count)
        for lease in leases {
            guard let item = byComment[lease.commentID] else { continue }
            decisions.append(try Self.decide(item, lease: lease, policy: compiled))
        }
        let decided = try await finish(decisions, policyID: policyID)
        metrics.decided(decided, lost: decisions.count - decided, duration: ContinuousClock.now - started)
        if decided < decisions.count {
            logger.info("lease lost before finishing; another worker took those comments", metadata: ["lost": "\(decisions.count - decided)"])
        }
        return leases.count
    }

    static func decide(_ item: ModerationInputs.Item, lease: ModerationQueue.Lease, policy: CompiledPolicy) throws -> ModerationQueue.Decision {
        let verdict = policy.evaluate(item.body, context: item.context)
        return ModerationQueue.Decision(
            lease: lease,
            outcome: verdict.outcome.rawValue,
            reasons: verdict.reasons,
            hits: try PostgresJSON(encoding: verdict.hits)
        )
    }

    /// Finishes decisions in one statement; when that fails for a reason other than the connection, finishes them
    /// one by one and gives back (with a backoff, or as `processing_error` after the last attempt) those that fail.
    private func finish(_ decisions: [ModerationQueue.Decision], policyID: Int64) async throws -> Int {
        let worker = configuration.workerID
        do {
            return try await client.withConnection { try await queue.finish(decisions, policyVersion: policyID, worker: worker, on: $0) }.count
        } catch let error as PostgresError where !error.isConnectionLost {
            logger.warning("batch could not be finished as one; finishing comment by comment", metadata: ["error": "\(error)"])
            var finished = 0
            for decision in decisions {
                do {
                    finished += try await client.withConnection {
                        try await queue.finish([decision], policyVersion: policyID, worker: worker, on: $0)
                    }
                    .count
                } catch let rowError as PostgresError where !rowError.isConnectionLost {
                    try await giveBack(decision.lease, error: rowError, policyID: policyID)
                }
            }
            return finished
        }
    }

    private func processOneByOne(
        _ leases: [ModerationQueue.Lease],
        policyID: Int64,
        compiled: CompiledPolicy,
        error: PostgresError
    ) async throws -> Int {
        logger.warning("batch could not be loaded as one; loading comment by comment", metadata: ["error": "\(error)"])
        for lease in leases {
            do {
                let loaded = try await client.withConnection { try await inputs.load([lease.commentID], needs: compiled.historyNeeds, on: $0) }
                guard let item = loaded.first else {
                    // Its lease runs out and the reaper retries it, and after the last attempt holds it for a moderator.
                    logger.warning(
                        "comment skipped: its rows could not be found (comment, article or account missing)",
                        metadata: ["comment": "\(lease.commentID)"]
                    )
                    continue
                }
                _ = try await finish([try Self.decide(item, lease: lease, policy: compiled)], policyID: policyID)
            } catch let rowError as PostgresError where !rowError.isConnectionLost {
                try await giveBack(lease, error: rowError, policyID: policyID)
            }
        }
        return leases.count
    }

    private func giveBack(_ lease: ModerationQueue.Lease, error: PostgresError, policyID: Int64) async throws {
        let last = lease.attempts >= lease.maxAttempts
        let metadata: Logger.Metadata = ["comment": "\(lease.commentID)", "attempt": "\(lease.attempts)", "error": "\(error)"]
        do {
            try await client.withConnection {
                try await queue.release(lease, error: error.description, policyVersion: policyID, worker: configuration.workerID, on: $0)
            }
        } catch {
            // Said only once the step is done: until then the lease simply expires and the reaper gives the comment back.
            logger.error("comment failed and could not be given back; its lease will expire", metadata: metadata)
            throw error
        }
        metrics.failed(last: last)
        logger.error(
            last ? "comment failed on its last attempt; held for a moderator (processing_error)" : "comment failed; given back to be retried",
            metadata: metadata
        )
    }

    // MARK: Policy

    /// The active policy, loading (or, when none was ever activated, seeding the default) on first use.
    func currentPolicy() async throws -> (Int64, CompiledPolicy) {
        try await policy.current()
    }

    // MARK: Notifications

    /// Keeps a LISTEN connection; wakes the loops on new work and reloads the policy when it changes. When the
    /// connection fails the loops keep polling, and this reconnects with backoff.
    private func listen() async {
        await cancelWhenGracefulShutdown { await self.listenUntilCancelled() }
    }

    private func listenUntilCancelled() async {
        var failures = 0
        do {
            while !Task.isCancelled {
                do {
                    let connection = try await PostgresConnection.connect(configuration: listenConfiguration, logger: logger)
                    do {
                        try await connection.listen(ModerationQueue.channel)
                        try await connection.listen(PolicyVersions.channel)
                        failures = 0
                        wake.signal()  // anything enqueued while we were not listening
                        while !Task.isCancelled {
                            let notifications = try await connection.notifications(timeout: .seconds(30))
                            if notifications.contains(where: { $0.channel == PolicyVersions.channel }) {
                                _ = try? await policy.reload()
                            }
                            if notifications.contains(where: { $0.channel == ModerationQueue.channel }) { wake.signal() }
                        }
                        await connection.close()
                    } catch {
                        await connection.close()
                        throw error
                    }
                } catch is CancellationError {
                    return
                } catch {
                    failures += 1
                    logger.warning("LISTEN connection lost; polling until it is back", metadata: ["error": "\(error)"])
                    try await Task.sleep(for: Self.backoff(failures))
                }
            }
        } catch {
            return  // cancelled while waiting to reconnect
        }
    }

    // MARK: Maintenance

    /// Returns expired leases, delivers due webhooks, prunes finished rows, keeps the history's partitions ahead (and
    /// drops the queue's finished ones), carries out due erasures and the retention of rejected text, and checks the
    /// active policy, on their intervals.
    private func maintain() async {
        await cancelWhenGracefulShutdown { await self.maintainUntilCancelled() }
    }

    private func maintainUntilCancelled() async {
        var lastPrune = ContinuousClock.now
        var lastPolicyCheck = ContinuousClock.now
        var lastPrivacy: ContinuousClock.Instant?
        let webhooks = WebhookDelivery()
        do {
            while !Task.isCancelled {
                do {
                    let policyID = try await currentPolicy().0
                    let worker = configuration.workerID
                    let reaped = try await client.withConnection { try await queue.reap(policyVersion: policyID, worker: worker, on: $0) }
                    if reaped.retried + reaped.failed > 0 {
                        metrics.reaped(reaped.retried, dead: reaped.failed)
                        logger.info("returned expired leases", metadata: ["retried": "\(reaped.retried)", "failed": "\(reaped.failed)"])
                        wake.signal()
                    }
                    if !reaped.skipped.isEmpty {
                        logger.error(
                            "expired leases the database refused to return; the others were returned",
                            metadata: ["queue_ids": "\(reaped.skipped)"]
                        )
                    }
                    if lastPrivacy.map({ ContinuousClock.now - $0 > .seconds(60) }) ?? true {
                        let done = try await client.withConnection { try await Accounts().privacyMaintenance(limit: 100, on: $0) }
                        if done.erased + done.pruned > 0 {
                            logger.info(
                                "privacy: erased accounts whose grace period ended, and rejected text past retention",
                                metadata: ["accounts": "\(done.erased)", "comments": "\(done.pruned)"]
                            )
                        }
                        lastPrivacy = .now
                    }
                    _ = try await webhooks.deliverDue(limit: 100, client: client, logger: logger)
                    if ContinuousClock.now - lastPrune > .seconds(60) {
                        let pruned = try await client.withConnection {
                            try await queue.prune(olderThanSeconds: configuration.pruneAfterSeconds, limit: 5000, on: $0)
                        }
                        if pruned > 0 { logger.debug("pruned finished queue rows", metadata: ["rows": "\(pruned)"]) }
                        let partitions = HistoryPartitions(queueRetentionSeconds: configuration.pruneAfterSeconds)
                        let round = try await client.withConnection { try await partitions.maintain(on: $0) }
                        if round.created + round.sealed + round.queueDropped + round.analyzed > 0 {
                            logger.info(
                                "history partitions: created ahead, periods recorded, finished queue partitions dropped, tables analyzed",
                                metadata: [
                                    "created": "\(round.created)", "sealed": "\(round.sealed)", "queue_dropped": "\(round.queueDropped)",
                                    "analyzed": "\(round.analyzed)",
                                ]
                            )
                        }
                        lastPrune = .now
                    }
                    if ContinuousClock.now - lastPolicyCheck > configuration.policyCheckInterval {
                        try await policy.refreshIfChanged()
                        lastPolicyCheck = .now
                    }
                } catch is CancellationError {
                    return
                } catch {
                    logger.warning("maintenance failed; will try again", metadata: ["error": "\(error)"])
                }
                try await Task.sleep(for: configuration.reapInterval)
            }
        } catch {
            return  // cancelled while sleeping
        }
    }
}

/// The worker id cannot be written into a decision (see ``WorkerConfiguration/problem(withWorkerID:)``).
public struct InvalidWorkerID: Error, CustomStringConvertible {
    public var description: String
}
