public import Logging

/// One connection to PostgreSQL, with its own thread for libpq's blocking calls.
///
/// Use a connection from one task at a time (the pool hands it out that way); calls made concurrently are run one
/// after another. Cancelling the calling task cancels the query running on the server.
public final class PostgresConnection: Sendable {
    let session: LibPQSession
    private let thread: BlockingThread
    public let logger: Logger
    /// The server process serving this connection (`pg_backend_pid()`).
    public let backendPID: Int32
    /// When the connection was established.
    public let openedAt = ContinuousClock.now

    private init(session: LibPQSession, thread: BlockingThread, logger: Logger) {
        self.session = session
        self.thread = thread
        self.logger = logger
        backendPID = session.backendPID
    }

    /// Opens a connection. Throws ``PostgresError/Kind/connection`` when the server cannot be reached or refuses.
    public static func connect(configuration: PostgresConfiguration, logger: Logger) async throws -> PostgresConnection {
        let session = try LibPQSession(logger: logger)
        let thread = BlockingThread(name: "libpq \(configuration.applicationName)")
        do {
            try await thread.execute { try session.connect(configuration) }
        } catch {
            thread.stop()
            throw error
        }
        var logger = logger
        logger[metadataKey: "db.pid"] = "\(session.backendPID)"
        return PostgresConnection(session: session, thread: thread, logger: logger)
    }

    /// Opens a connection, lends it to `body`, and closes it afterwards, whether `body` returns or throws.
    public static func withConnection<T>(
        configuration: PostgresConfiguration,
        logger: Logger,
        _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        let connection = try await connect(configuration: configuration, logger: logger)
        do {
            let value = try await body(connection)
            await connection.close()
            return value
        } catch {
            await connection.close()
            throw error
        }
    }

    /// Runs `operation` on the connection's thread; cancelling the task wakes the operation so it can stop.
    private func run<T: Sendable>(_ operation: @escaping @Sendable (LibPQSession, CancelToken) throws -> T) async throws -> T {
        let token = CancelToken()
        let session = session
        return try await withTaskCancellationHandler {
            try await thread.execute { try operation(session, token) }
        } onCancel: {
            token.cancel()
            session.wake()
        }
    }

    /// Runs a statement and returns its rows (for INSERT/UPDATE/DELETE, `affectedRows` tells how many changed).
    ///
    /// A statement without parameters may hold several statements separated by semicolons (a migration file);
    /// the rows of the last one are returned. Throws ``PostgresError`` (with SQLSTATE for server errors), or
    /// `CancellationError` when the task was cancelled.
    @discardableResult
    public func query(_ query: SQLQuery) async throws -> PostgresRows {
        try await run { session, token in try session.execute(query, token: token) }
    }

    /// Subscribes this connection to `channel` (an identifier, quoted for you).
    public func listen(_ channel: String) async throws {
        try await query("LISTEN \(identifier: channel)")
    }

    /// Ends the subscription to `channel`.
    public func unlisten(_ channel: String) async throws {
        try await query("UNLISTEN \(identifier: channel)")
    }

    /// Waits without spinning (in `poll`) for notifications on the channels this connection listens to.
    /// Returns those that arrived, or an empty array when `timeout` passes first.
    public func notifications(timeout: Duration) async throws -> [PostgresNotification] {
        try await run { session, token in try session.waitForNotifications(timeout: timeout, token: token) }
    }

    /// Whether the connection is still usable: reads what the server sent while it was idle, such as the message
    /// that `pg_terminate_backend` or a server shutdown sends before closing.
    public func isAlive() async -> Bool {
        (try? await thread.execute { [session] in session.checkAlive() }) ?? false
    }

    /// Whether the connection is outside any transaction block (false inside one, or after an error inside one).
    public func isIdle() async -> Bool {
        (try? await thread.execute { [session] in session.transactionIdle }) ?? false
    }

    /// Closes the connection; later calls throw ``PostgresError/Kind/closed``.
    public func close() async {
        _ = try? await thread.execute { [session] in session.finish() }
        thread.stop()
    }
}
