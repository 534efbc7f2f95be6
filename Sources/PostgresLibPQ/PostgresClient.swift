public import Logging
public import ServiceLifecycle
import Synchronization

/// A bounded pool of connections.
///
/// - At most ``Options/maxConnections`` are open; a caller that finds none free waits up to
///   ``Options/acquireTimeout`` and then gets ``PostgresError/Kind/poolTimeout``.
/// - A connection is checked before it is handed out: one the server closed while it sat idle
///   (`pg_terminate_backend`, a restart) is dropped and replaced, so the pool recovers by itself.
/// - A connection returned inside a transaction is rolled back; one that is broken, or older than
///   ``Options/maxLifetime``, is closed.
///
/// As a `Service` it runs until graceful shutdown and then closes every connection.
public final class PostgresClient: Sendable, Service {
    public struct Options: Sendable {
        public var maxConnections: Int
        public var acquireTimeout: Duration
        /// A connection older than this is closed when it is returned instead of kept, so the pool opens its next one
        /// afresh: with a multi-host connection string that is how a standby that came back gets used again. nil: kept.
        public var maxLifetime: Duration?

        public init(maxConnections: Int = 10, acquireTimeout: Duration = .seconds(10), maxLifetime: Duration? = nil) {
            precondition(maxConnections > 0, "a pool needs at least one connection")
            self.maxConnections = maxConnections
            self.acquireTimeout = acquireTimeout
            self.maxLifetime = maxLifetime
        }
    }

    /// What a waiter is handed: a free connection, or the right to open a new one (a slot was freed).
    private enum Handoff: Sendable {
        case connection(PostgresConnection)
        case openSlot
        case cancelled
    }

    private enum Waiter {
        case waiting(CheckedContinuation<Handoff, Never>)
        case cancelledBeforeWaiting
    }

    private struct State {
        var idle: [PostgresConnection] = []
        var openCount = 0
        var waiters: [Int: Waiter] = [:]
        var waiterOrder: [Int] = []
        var nextWaiterID = 0
        var closed = false
    }

    public let configuration: PostgresConfiguration
    public let options: Options
    private let logger: Logger
    private let state = Mutex(State())

    public init(configuration: PostgresConfiguration, options: Options = Options(), logger: Logger) {
        self.configuration = configuration
        self.options = options
        self.logger = logger
    }

    // MARK: Using connections

    /// Lends a connection to `body` and takes it back afterwards, whatever `body` does.
    public func withConnection<T>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        let connection = try await acquire()
        do {
            let value = try await body(connection)
            await release(connection)
            return value
        } catch {
            await release(connection)
            throw error
        }
    }

    /// Runs one statement on a pooled connection.
    @discardableResult
    public func query(_ query: SQLQuery) async throws -> PostgresRows {
        try await withConnection { try await $0.query(query) }
    }

    /// Runs `body` in a transaction on a pooled connection (see ``PostgresConnection/withTransaction(isolation:_:)``).
    @discardableResult
    public func withTransaction<T>(
        isolation: IsolationLevel = .readCommitted,
        _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        try await withConnection { try await $0.withTransaction(isolation: isolation, body) }
    }

    /// The number of open connections, for metrics and tests.
    public var openConnections: Int { state.withLock { $0.openCount } }

    /// Lends this client to `body` and closes it afterwards, whether `body` returns or throws (for tools and tests
    /// that do not run it as a `Service`).
    public func closing<T>(_ body: (PostgresClient) async throws -> T) async throws -> T {
        do {
            let value = try await body(self)
            await close()
            return value
        } catch {
            await close()
            throw error
        }
    }

    // MARK: Service

    /// Waits for graceful shutdown (or cancellation), then closes the pool.
    public func run() async throws {
        try? await gracefulShutdown()
        await close()
    }

    /// Closes idle connections now and the rest as they are returned; later acquires throw.
    public func close() async {
        let (idle, waiters) = state.withLock { state in
            state.closed = true
            defer {
                state.idle = []
                state.waiters = [:]
                state.waiterOrder = []
            }
            state.openCount -= state.idle.count
            return (state.idle, state.waiters.values)
        }
        for waiter in waiters {
            if case .waiting(let continuation) = waiter { continuation.resume(returning: .cancelled) }
        }
        for connection in idle { await connection.close() }
    }

    // MARK: Acquire and release

    private enum Fast {
        case idle(PostgresConnection)
        case open
        case wait(Int)
        case closed
    }

    private func acquire() async throws -> PostgresConnection {
        while true {
            try Task.checkCancellation()
            let decision: Fast = state.withLock { state in
                if state.closed { return .closed }
                if let connection = state.idle.popLast() { return .idle(connection) }
                if state.openCount < options.maxConnections {
                    state.openCount += 1
                    return .open
                }
                state.nextWaiterID += 1
                state.waiterOrder.append(state.nextWaiterID)
                return .wait(state.nextWaiterID)
            }
            switch decision {
            case .closed:
                throw PostgresError(.closed, message: "the connection pool is closed")
            case .idle(let connection):
                if await connection.isAlive(), await connection.isIdle() { return connection }
                logger.info("dropping a pooled connection the server closed")
                await discard(connection)
            case .open:
                return try await openConnection()
            case .wait(let id):
                switch await waitForHandoff(id) {
                case .connection(let connection):
                    if await connection.isAlive(), await connection.isIdle() { return connection }
                    await discard(connection)
                case .openSlot:
                    return try await openConnection()
                case .cancelled:
                    try Task.checkCancellation()
                    if state.withLock({ $0.closed }) { throw PostgresError(.closed, message: "the connection pool is closed") }
                    throw PostgresError(.poolTimeout, message: "waited \(options.acquireTimeout) for a connection")
                }
            }
        }
    }

    /// Opens a connection in a slot already counted in `openCount`; gives the slot back on failure.
    private func openConnection() async throws -> PostgresConnection {
        do {
            return try await PostgresConnection.connect(configuration: configuration, logger: logger)
        } catch {
            freeSlot()
            throw error
        }
    }

    /// Waits for a released connection until the acquire timeout or cancellation.
    private func waitForHandoff(_ id: Int) async -> Handoff {
        await withTaskGroup(of: Handoff?.self) { group in
            group.addTask { await self.parkWaiter(id) }
            group.addTask {
                try? await Task.sleep(for: self.options.acquireTimeout)
                return nil
            }
            let first = await group.next()!
            if let first {
                group.cancelAll()
                return first
            }
            // Timed out: withdraw the waiter. If a connection was handed over at the same moment, use it.
            group.cancelAll()
            while let next = await group.next() {
                if let next { return next }
            }
            return .cancelled
        }
    }

    private func parkWaiter(_ id: Int) async -> Handoff {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Handoff, Never>) in
                let resumeNow: Handoff? = state.withLock { state in
                    if state.closed { return .cancelled }
                    if case .cancelledBeforeWaiting = state.waiters[id] {
                        state.waiters[id] = nil
                        state.waiterOrder.removeAll { $0 == id }
                        return .cancelled
                    }
                    state.waiters[id] = .waiting(continuation)
                    return nil
                }
                if let resumeNow { continuation.resume(returning: resumeNow) }
            }
        } onCancel: {
            let continuation: CheckedContinuation<Handoff, Never>? = state.withLock { state in
                switch state.waiters[id] {
                case .waiting(let continuation):
                    state.waiters[id] = nil
                    state.waiterOrder.removeAll { $0 == id }
                    return continuation
                case .cancelledBeforeWaiting:
                    return nil
                case nil:
                    // Not parked yet (or already handed something): parkWaiter will see this marker.
                    if state.waiterOrder.contains(id) { state.waiters[id] = .cancelledBeforeWaiting }
                    return nil
                }
            }
            continuation?.resume(returning: .cancelled)
        }
    }

    /// Removes the oldest parked waiter; call with the lock held.
    private static func nextWaiter(_ state: inout State) -> CheckedContinuation<Handoff, Never>? {
        var index = 0
        while index < state.waiterOrder.count {
            let id = state.waiterOrder[index]
            if case .waiting(let continuation) = state.waiters[id] {
                state.waiterOrder.remove(at: index)
                state.waiters[id] = nil
                return continuation
            }
            index += 1
        }
        return nil
    }

    private func release(_ connection: PostgresConnection) async {
        guard await connection.isAlive() else { return await discard(connection) }
        if let maxLifetime = options.maxLifetime, ContinuousClock.now - connection.openedAt > maxLifetime {
            return await discard(connection)
        }
        if await !connection.isIdle() {
            // Returned inside a transaction (the borrower threw mid-transaction): roll back before reuse.
            do { try await connection.query("ROLLBACK") } catch { return await discard(connection) }
        }
        let action: CheckedContinuation<Handoff, Never>?? = state.withLock { state in
            if state.closed {
                state.openCount -= 1
                return .some(nil)
            }
            if let waiter = Self.nextWaiter(&state) { return waiter }
            state.idle.append(connection)
            return nil
        }
        switch action {
        case .some(.some(let waiter)): waiter.resume(returning: .connection(connection))
        case .some(.none): await connection.close()
        case .none: break
        }
    }

    private func discard(_ connection: PostgresConnection) async {
        await connection.close()
        freeSlot()
    }

    /// Gives up one counted slot: a waiter, if any, gets to open a connection in it.
    private func freeSlot() {
        let waiter = state.withLock { state -> CheckedContinuation<Handoff, Never>? in
            if let waiter = Self.nextWaiter(&state) { return waiter }
            state.openCount -= 1
            return nil
        }
        waiter?.resume(returning: .openSlot)
    }
}
