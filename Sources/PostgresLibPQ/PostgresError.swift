/// An error from the PostgreSQL client or the server.
///
/// `description` is short and safe to log next to user data: it names the kind and SQLSTATE, never the SQL text,
/// parameter values or the server's message (which may quote values, e.g. in a unique violation's detail).
/// `debugDescription` adds the server's message fields and the query template (with `$n` placeholders, no values).
/// Mapping to HTTP statuses happens at the API edge, not here.
public struct PostgresError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public enum Kind: String, Sendable {
        /// Could not connect, or the connection broke while in use.
        case connection
        /// The server reported an error (see ``PostgresError/sqlState``).
        case server
        /// A parameter cannot be sent, e.g. text containing a NUL byte.
        case invalidParameter
        /// A column could not be decoded as the requested Swift type.
        case decoding
        /// No pooled connection became free within the pool's acquire timeout.
        case poolTimeout
        /// The client or connection was closed.
        case closed
        /// Protocol misuse: a result of an unexpected kind.
        case unexpectedResult
    }

    public var kind: Kind
    public var sqlState: SQLState?
    /// The server's or libpq's primary message. May contain values: debug output only.
    public var message: String
    public var detail: String?
    public var hint: String?
    public var schemaName: String?
    public var tableName: String?
    public var columnName: String?
    public var constraintName: String?
    /// The SQL template that failed (placeholders only, never values).
    public var query: String?

    public init(
        _ kind: Kind,
        sqlState: SQLState? = nil,
        message: String,
        detail: String? = nil,
        hint: String? = nil,
        schemaName: String? = nil,
        tableName: String? = nil,
        columnName: String? = nil,
        constraintName: String? = nil,
        query: String? = nil
    ) {
        self.kind = kind
        self.sqlState = sqlState
        self.message = message
        self.detail = detail
        self.hint = hint
        self.schemaName = schemaName
        self.tableName = tableName
        self.columnName = columnName
        self.constraintName = constraintName
        self.query = query
    }

    /// True when the connection is unusable afterwards: the caller may retry on a new connection.
    public var isConnectionLost: Bool {
        kind == .connection || kind == .closed || (sqlState?.meansConnectionLost ?? false)
    }

    public var description: String {
        switch kind {
        case .server: "database error (SQLSTATE \(sqlState?.rawValue ?? "?"))"
        case .connection: "database connection failed" + (sqlState.map { " (SQLSTATE \($0.rawValue))" } ?? "") + cause
        case .invalidParameter: "invalid query parameter: \(message)"
        case .decoding: "could not decode a database value: \(message)"
        case .poolTimeout: "no database connection available in time"
        case .closed: "database connection closed"
        case .unexpectedResult: "unexpected database result"
        }
    }

    /// libpq's reason for a connection failure ("Connection refused", "password authentication failed for user …"), on
    /// one line, so the log line that reports the failure says why. Connection messages carry no SQL and no row data.
    private var cause: String {
        let line = message.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        return line.isEmpty ? "" : ": " + String(line.prefix(300))
    }

    public var debugDescription: String {
        var parts = ["PostgresError(\(kind.rawValue)"]
        if let sqlState { parts.append("sqlstate: \(sqlState)") }
        parts.append("message: \(message)")
        if let detail { parts.append("detail: \(detail)") }
        if let hint { parts.append("hint: \(hint)") }
        if let tableName { parts.append("table: \(tableName)") }
        if let columnName { parts.append("column: \(columnName)") }
        if let constraintName { parts.append("constraint: \(constraintName)") }
        if let query { parts.append("query: \(query)") }
        return parts.joined(separator: ", ") + ")"
    }
}
