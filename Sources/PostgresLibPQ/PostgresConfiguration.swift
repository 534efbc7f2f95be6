public import Configuration

/// How to reach PostgreSQL.
///
/// Configuration keys (environment variable in brackets):
/// - `database.url` (`DATABASE_URL`): a URI (`postgresql://user@host:5432/db?sslmode=verify-full`) or a key=value conninfo string.
///   When unset, libpq's own variables apply (`PGHOST`, `PGPORT`, `PGDATABASE`, `PGUSER`, `PGPASSWORD`,
///   `PGPASSFILE`, `PGSSLMODE`, …) and then libpq's defaults.
/// - `database.direct-url` (`DATABASE_DIRECT_URL`): PostgreSQL itself when `DATABASE_URL` names a transaction-mode
///   pooler (PgBouncer): what needs a session of its own goes there (the worker's LISTEN, the migrator's lock), and
///   pooled connections then set no session settings (they would stay on the shared server connection and reach
///   other clients; give the login roles those settings instead, see sql/roles.sql).
///
/// Every connection sets `application_name` (unless the URL sets one), `client_encoding=UTF8` (always) and the
/// session time zone to UTC.
public struct PostgresConfiguration: Sendable {
    /// A URI or conninfo string; `nil` uses libpq's `PG*` variables and defaults.
    public var connectionString: String?
    /// Shown in `pg_stat_activity`.
    public var applicationName: String
    /// Seconds to wait for a connection to be established (libpq's `connect_timeout`) unless the URL sets it.
    public var connectTimeoutSeconds: Int
    /// Session settings applied to every new connection (`set_config(name, value, false)`), e.g.
    /// `max_parallel_workers_per_gather = 0` for short, frequent queries.
    public var sessionSettings: [(name: String, value: String)] = []
    /// PostgreSQL itself, when ``connectionString`` names a transaction-mode pooler; nil: no pooler.
    public var directConnectionString: String?

    /// Whether connections go through a transaction-mode pooler: then ``sessionSettings`` are not applied.
    public var behindTransactionPooler: Bool { directConnectionString != nil }

    /// Where a session of its own is needed (LISTEN, a session advisory lock): PostgreSQL itself, with the session
    /// settings applied.
    public var direct: PostgresConfiguration {
        guard let directConnectionString else { return self }
        var direct = self
        direct.connectionString = directConnectionString
        direct.directConnectionString = nil
        return direct
    }

    public init(connectionString: String?, applicationName: String = "commentdesk", connectTimeoutSeconds: Int = 10) {
        self.connectionString = connectionString
        self.applicationName = applicationName
        self.connectTimeoutSeconds = connectTimeoutSeconds
    }

    /// Reads `database.url` and `database.direct-url` (`DATABASE_URL`, `DATABASE_DIRECT_URL` in the environment; an empty
    /// value counts as unset).
    public init(config: ConfigReader, applicationName: String) {
        self.init(connectionString: Self.url(config, "database.url"), applicationName: applicationName)
        directConnectionString = Self.url(config, "database.direct-url")
    }

    /// The connection string at `key`, nil when unset or empty; a secret (it may hold a password).
    public static func url(_ config: ConfigReader, _ key: ConfigKey) -> String? {
        config.string(forKey: key, isSecret: true).flatMap { $0.isEmpty ? nil : $0 }
    }

    /// libpq keyword/value pairs, in the order that gives the URL precedence over our defaults except for the
    /// client encoding, which must be UTF-8 for our text handling.
    var libpqParameters: [(String, String)] {
        var parameters: [(String, String)] = [
            ("application_name", applicationName),
            ("connect_timeout", String(connectTimeoutSeconds)),
        ]
        if let connectionString { parameters.append(("dbname", connectionString)) }
        parameters.append(("client_encoding", "UTF8"))
        return parameters
    }
}

/// A notification received on a channel this connection listens to.
public struct PostgresNotification: Sendable, Hashable {
    public var channel: String
    public var payload: String
    /// The process id of the backend that sent it.
    public var senderPID: Int32
}
