import CLibPQ
import Foundation
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One libpq connection (`PGconn`).
///
/// Thread safety: every method except ``wake()`` is called only on the owning connection's ``BlockingThread``,
/// which runs one job at a time; that is what makes the `@unchecked Sendable` sound. ``wake()`` may be called from
/// any thread: it only writes to a pipe, under a lock that ``finish()`` also takes before closing the pipe.
final class LibPQSession: @unchecked Sendable {
    private var connection: OpaquePointer?
    private var cancelHandle: OpaquePointer?
    private let noticeSink: NoticeSink
    private let wakePipe: Mutex<(read: Int32, write: Int32)?>
    private var wakeReadFD: Int32 = -1
    private(set) var backendPID: Int32 = 0

    init(logger: Logger) throws(PostgresError) {
        noticeSink = NoticeSink(logger: logger)
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else {
            throw PostgresError(.connection, message: "could not create a wake-up pipe (errno \(errno))")
        }
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        wakePipe = Mutex((fds[0], fds[1]))
        wakeReadFD = fds[0]
    }

    deinit { finish() }

    // MARK: Connecting

    func connect(_ configuration: PostgresConfiguration) throws {
        let parameters = configuration.libpqParameters
        let keywords = parameters.map { strdup($0.0) }
        let values = parameters.map { strdup($0.1) }
        defer {
            for keyword in keywords { free(keyword) }
            for value in values { free(value) }
        }
        let keywordPointers = keywords.map { UnsafePointer($0) } + [nil]
        let valuePointers = values.map { UnsafePointer($0) } + [nil]
        let connection = PQconnectdbParams(keywordPointers, valuePointers, 1)
        self.connection = connection
        guard let connection, PQstatus(connection) == CONNECTION_OK else {
            let message = connection.map { String(cString: PQerrorMessage($0)) } ?? "out of memory"
            finish()
            throw PostgresError(.connection, message: message.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        backendPID = PQbackendPID(connection)
        cancelHandle = PQgetCancel(connection)
        PQsetNoticeReceiver(
            connection,
            { context, result in
                guard let context, let result else { return }
                let sink = Unmanaged<NoticeSink>.fromOpaque(context).takeUnretainedValue()
                sink.receive(result)
            },
            Unmanaged.passUnretained(noticeSink).toOpaque()
        )
        // The time zone is one of the parameters a transaction-mode pooler tracks per client (PgBouncer's TimeZone), so
        // it is set either way; other settings would stay on the shared server connection, so behind one they are not.
        _ = try execute("SET TIME ZONE 'UTC'", token: CancelToken())
        for setting in configuration.sessionSettings where !configuration.behindTransactionPooler {
            _ = try execute("SELECT set_config(\(setting.name), \(setting.value), false)", token: CancelToken())
        }
    }

    /// Closes the connection and the wake-up pipe. Safe to call more than once.
    func finish() {
        if let cancelHandle { PQfreeCancel(cancelHandle) }
        cancelHandle = nil
        if let connection { PQfinish(connection) }
        connection = nil
        wakePipe.withLock { pipe in
            if let fds = pipe {
                close(fds.read)
                close(fds.write)
            }
            pipe = nil
        }
        wakeReadFD = -1
    }

    // MARK: State

    var isOpen: Bool { connection.map { PQstatus($0) == CONNECTION_OK } ?? false }

    var transactionIdle: Bool { connection.map { PQtransactionStatus($0) == PQTRANS_IDLE } ?? false }

    /// Reads whatever the server sent while the connection sat idle (such as the termination message that
    /// `pg_terminate_backend` or a shutdown sends) and reports whether the connection is still good.
    func checkAlive() -> Bool {
        guard let connection, PQstatus(connection) == CONNECTION_OK else { return false }
        // A terminated backend sends an error and then closes: the first read takes the message, a later one
        // sees end-of-file. Read while there is something to read (a few rounds at most).
        for _ in 0..<4 {
            var descriptor = pollfd(fd: PQsocket(connection), events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 0) > 0 else { break }
            if PQconsumeInput(connection) == 0 { return false }
        }
        return PQstatus(connection) == CONNECTION_OK
    }

    // MARK: Waking

    /// Interrupts a wait in progress so it re-checks its cancel token. Callable from any thread.
    func wake() {
        wakePipe.withLock { pipe in
            guard let fds = pipe else { return }
            var byte: UInt8 = 1
            _ = write(fds.write, &byte, 1)
        }
    }

    private func drainWake() {
        var buffer = [UInt8](repeating: 0, count: 64)
        while wakeReadFD >= 0, read(wakeReadFD, &buffer, buffer.count) > 0 {}
    }

    /// Waits until the socket is readable, the wake pipe is written, or `timeoutMilliseconds` pass (-1: no limit).
    /// Returns whether the socket is readable.
    private func waitReadable(_ connection: OpaquePointer, timeoutMilliseconds: Int32) throws(PostgresError) -> Bool {
        var descriptors = [
            pollfd(fd: PQsocket(connection), events: Int16(POLLIN), revents: 0),
            pollfd(fd: wakeReadFD, events: Int16(POLLIN), revents: 0),
        ]
        while true {
            let ready = poll(&descriptors, 2, timeoutMilliseconds)
            if ready >= 0 { break }
            if errno != EINTR { throw PostgresError(.connection, message: "poll failed (errno \(errno))") }
        }
        if descriptors[1].revents != 0 { drainWake() }
        return descriptors[0].revents != 0
    }

    // MARK: Queries

    /// Sends `query`, waits for all its results and returns the last one's rows.
    ///
    /// While waiting, a cancelled `token` sends a cancel request to the server (repeated every 100 ms until the
    /// server stops the query); the query then fails with `CancellationError`. Every `PGresult` is cleared once and
    /// `PQgetResult` is drained to NULL, so the connection is ready for the next query whatever happened.
    func execute(_ query: SQLQuery, token: CancelToken) throws -> PostgresRows {
        guard let connection, PQstatus(connection) == CONNECTION_OK else {
            throw PostgresError(.closed, message: "connection is not open", query: query.sql)
        }
        drainWake()
        if token.isCancelled { throw CancellationError() }
        try query.validate()

        let sent: Int32
        if query.binds.isEmpty {
            sent = PQsendQuery(connection, query.sql)
        } else {
            let values = query.binds.map { $0.map { strdup($0) } ?? nil }
            defer { for value in values { free(value) } }
            let pointers = values.map { UnsafePointer($0) }
            sent = PQsendQueryParams(connection, query.sql, Int32(pointers.count), nil, pointers, nil, nil, 0)
        }
        guard sent == 1 else { throw connectionError(connection, query: query) }

        var rows: PostgresRows?
        var firstError: PostgresError?
        var lastCancelRequest: ContinuousClock.Instant?
        while true {
            while PQisBusy(connection) != 0 {
                let cancelling = token.isCancelled
                if cancelling, lastCancelRequest.map({ ContinuousClock.now - $0 > .milliseconds(100) }) ?? true {
                    requestCancel()
                    lastCancelRequest = .now
                }
                // Consuming input never blocks; after a wake-up with nothing to read it is simply a no-op.
                _ = try waitReadable(connection, timeoutMilliseconds: cancelling ? 100 : -1)
                if PQconsumeInput(connection) == 0 { throw connectionError(connection, query: query) }
            }
            guard let result = PQgetResult(connection) else { break }
            defer { PQclear(result) }
            switch PQresultStatus(result) {
            case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY, PGRES_SINGLE_TUPLE:
                rows = Self.rows(from: result)
            case PGRES_COPY_IN, PGRES_COPY_OUT, PGRES_COPY_BOTH:
                // COPY is not supported through this API; ending the connection is the only clean way out.
                finish()
                throw PostgresError(.unexpectedResult, message: "COPY is not supported", query: query.sql)
            default:
                if firstError == nil { firstError = Self.serverError(from: result, connection: connection, query: query) }
            }
        }
        if let firstError {
            if firstError.sqlState == .queryCanceled, token.isCancelled { throw CancellationError() }
            throw firstError
        }
        guard PQstatus(connection) == CONNECTION_OK else { throw connectionError(connection, query: query) }
        return rows ?? PostgresRows(columns: [], cells: [], affectedRows: 0)
    }

    private func requestCancel() {
        guard let cancelHandle else { return }
        var buffer = [CChar](repeating: 0, count: 256)
        _ = PQcancel(cancelHandle, &buffer, Int32(buffer.count))
    }

    // MARK: Notifications

    /// Returns the notifications that have arrived, waiting up to `timeout` for the first one. Returns an empty
    /// array when the time passes with none; throws `CancellationError` when `token` is cancelled.
    func waitForNotifications(timeout: Duration, token: CancelToken) throws -> [PostgresNotification] {
        guard let connection, PQstatus(connection) == CONNECTION_OK else {
            throw PostgresError(.closed, message: "connection is not open")
        }
        drainWake()
        let deadline = ContinuousClock.now + timeout
        while true {
            if token.isCancelled { throw CancellationError() }
            if PQconsumeInput(connection) == 0 { throw connectionError(connection, query: nil) }
            let received = takeNotifications(connection)
            if !received.isEmpty { return received }
            let remaining = deadline - .now
            if remaining <= .zero { return [] }
            let milliseconds = Int32(min(remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000 + 1, 60_000))
            _ = try waitReadable(connection, timeoutMilliseconds: milliseconds)
        }
    }

    private func takeNotifications(_ connection: OpaquePointer) -> [PostgresNotification] {
        var received: [PostgresNotification] = []
        while let notify = PQnotifies(connection) {
            received.append(
                PostgresNotification(
                    channel: String(cString: notify.pointee.relname),
                    payload: notify.pointee.extra.map { String(cString: $0) } ?? "",
                    senderPID: notify.pointee.be_pid
                )
            )
            PQfreemem(notify)
        }
        return received
    }

    // MARK: Results and errors

    private static func rows(from result: OpaquePointer) -> PostgresRows {
        let columnCount = Int(PQnfields(result))
        let rowCount = Int(PQntuples(result))
        var columns: [String] = []
        columns.reserveCapacity(columnCount)
        for column in 0..<columnCount { columns.append(String(cString: PQfname(result, Int32(column)))) }
        var cells: [String?] = []
        cells.reserveCapacity(rowCount * columnCount)
        for row in 0..<Int32(rowCount) {
            for column in 0..<Int32(columnCount) {
                if PQgetisnull(result, row, column) != 0 {
                    cells.append(nil)
                } else {
                    let length = Int(PQgetlength(result, row, column))
                    let bytes = UnsafeRawPointer(PQgetvalue(result, row, column)!)
                    cells.append(String(decoding: UnsafeRawBufferPointer(start: bytes, count: length), as: UTF8.self))
                }
            }
        }
        let affected = Int(String(cString: PQcmdTuples(result))) ?? rowCount
        return PostgresRows(columns: columns, cells: cells, affectedRows: affected)
    }

    private static func serverError(from result: OpaquePointer, connection: OpaquePointer, query: SQLQuery) -> PostgresError {
        func field(_ code: Int32) -> String? { PQresultErrorField(result, code).map { String(cString: $0) } }
        let sqlState = field(CD_PG_DIAG_SQLSTATE).map(SQLState.init(rawValue:))
        let message = field(CD_PG_DIAG_MESSAGE_PRIMARY) ?? String(cString: PQresultErrorMessage(result))
        let lost = PQstatus(connection) != CONNECTION_OK
        return PostgresError(
            sqlState == nil && lost ? .connection : .server,
            sqlState: sqlState,
            message: message.trimmingCharacters(in: .whitespacesAndNewlines),
            detail: field(CD_PG_DIAG_MESSAGE_DETAIL),
            hint: field(CD_PG_DIAG_MESSAGE_HINT),
            schemaName: field(CD_PG_DIAG_SCHEMA_NAME),
            tableName: field(CD_PG_DIAG_TABLE_NAME),
            columnName: field(CD_PG_DIAG_COLUMN_NAME),
            constraintName: field(CD_PG_DIAG_CONSTRAINT_NAME),
            query: query.sql
        )
    }

    private func connectionError(_ connection: OpaquePointer, query: SQLQuery?) -> PostgresError {
        let message = String(cString: PQerrorMessage(connection)).trimmingCharacters(in: .whitespacesAndNewlines)
        return PostgresError(.connection, message: message.isEmpty ? "connection lost" : message, query: query?.sql)
    }
}

/// Routes server notices (`RAISE NOTICE`, warnings) to the connection's logger instead of stderr.
final class NoticeSink: Sendable {
    let logger: Logger

    init(logger: Logger) { self.logger = logger }

    func receive(_ result: OpaquePointer) {
        let severity = PQresultErrorField(result, CD_PG_DIAG_SEVERITY).map { String(cString: $0) } ?? "NOTICE"
        let message = PQresultErrorField(result, CD_PG_DIAG_MESSAGE_PRIMARY).map { String(cString: $0) } ?? ""
        let level: Logger.Level = severity == "WARNING" ? .warning : .debug
        logger.log(level: level, "postgres \(severity.lowercased()): \(message)")
    }
}
