public import Logging
public import PostgresLibPQ

/// Applies the migrations in `sql/` to a database.
///
/// - Pending migrations run in order, each inside its own transaction together with its `schema_migrations` row,
///   so a failing file leaves nothing half-applied.
/// - Each applied file's SHA-256 is recorded; when a file that was applied has been edited since, nothing runs and
///   ``MigrationError/edited(fileName:)`` is thrown (add a new migration instead).
/// - Runs hold a session advisory lock, so two migrators started at once take turns: the second finds nothing
///   to do. A second run is therefore a no-op.
/// - Versions recorded in the database that this binary does not know (a newer release migrated it) are
///   reported and left alone.
public struct Migrator: Sendable {
    /// The advisory lock key: "CmtDesk" in ASCII.
    static let lockKey: Int64 = 0x436D_7444_6573_6B
    public let migrations: [Migration]
    public let logger: Logger

    public init(migrations: [Migration] = Migration.all, logger: Logger) {
        self.migrations = migrations
        self.logger = logger
    }

    /// What a run did.
    public struct Report: Sendable, Equatable {
        /// Files applied by this run, in order.
        public var applied: [String] = []
        /// Files that were already applied.
        public var alreadyApplied: [String] = []
        /// Versions in `schema_migrations` that this binary does not know.
        public var unknownVersions: [String] = []
    }

    /// Migrates the database that `client` connects to.
    @discardableResult
    public func migrate(_ client: PostgresClient) async throws -> Report {
        try await client.withConnection { try await migrate(on: $0) }
    }

    /// Migrates using `connection`, which must not be inside a transaction.
    @discardableResult
    public func migrate(on connection: PostgresConnection) async throws -> Report {
        try await connection.query("SELECT pg_advisory_lock(\(Self.lockKey))")
        do {
            let report = try await migrateLocked(connection)
            try await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))")
            return report
        } catch {
            _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))")
            throw error
        }
    }

    /// The migrations not yet applied (without applying them), for readiness checks.
    public func pending(on connection: PostgresConnection) async throws -> [Migration] {
        let exists = try await connection.query("SELECT to_regclass('schema_migrations') IS NOT NULL").single().decode(Bool.self, at: 0)
        guard exists else { return migrations }
        let applied = Set(try await connection.query("SELECT version FROM schema_migrations").map { try $0.decode(String.self, at: 0) })
        return migrations.filter { !applied.contains($0.version) }
    }

    private func migrateLocked(_ connection: PostgresConnection) async throws -> Report {
        try await connection.query(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version    text PRIMARY KEY,
                file_name  text NOT NULL,
                checksum   text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """
        )
        var applied: [String: (fileName: String, checksum: String)] = [:]
        for row in try await connection.query("SELECT version, file_name, checksum FROM schema_migrations") {
            let (version, fileName, checksum) = try row.decode((String, String, String).self)
            applied[version] = (fileName, checksum)
        }
        let checksums = try await Self.checksums(of: migrations, on: connection)

        var report = Report()
        let known = Set(migrations.map(\.version))
        report.unknownVersions = applied.keys.filter { !known.contains($0) }.sorted()
        if !report.unknownVersions.isEmpty {
            logger.warning("the database has migrations this binary does not know: \(report.unknownVersions.joined(separator: ", "))")
        }
        for migration in migrations {
            guard let recorded = applied[migration.version] else { continue }
            guard recorded.checksum == checksums[migration.version] else {
                throw MigrationError.edited(fileName: migration.fileName)
            }
            report.alreadyApplied.append(migration.fileName)
        }
        for migration in migrations where applied[migration.version] == nil {
            logger.info("applying migration \(migration.fileName)")
            do {
                try await connection.withTransaction { connection in
                    try await connection.query(SQLQuery(unsafeSQL: migration.sql))
                    try await connection.query(
                        """
                        INSERT INTO schema_migrations (version, file_name, checksum)
                        VALUES (\(migration.version), \(migration.fileName), \(checksums[migration.version]))
                        """
                    )
                }
            } catch let error as PostgresError {
                throw MigrationError.failed(fileName: migration.fileName, underlying: error)
            }
            report.applied.append(migration.fileName)
        }
        return report
    }

    /// SHA-256 of each migration's text, computed by the server (`sha256()`, PostgreSQL 11 and later).
    static func checksums(of migrations: [Migration], on connection: PostgresConnection) async throws -> [String: String] {
        let rows = try await connection.query(
            """
            SELECT v, encode(sha256(convert_to(t, 'UTF8')), 'hex')
            FROM unnest(\(migrations.map(\.version))::text[], \(migrations.map(\.sql))::text[]) AS m(v, t)
            """
        )
        var result: [String: String] = [:]
        for row in rows {
            let (version, checksum) = try row.decode((String, String).self)
            result[version] = checksum
        }
        return result
    }
}

/// Why migrating stopped.
public enum MigrationError: Error, CustomStringConvertible {
    /// An applied migration's file no longer matches what was applied.
    case edited(fileName: String)
    /// A migration failed; its transaction was rolled back.
    case failed(fileName: String, underlying: PostgresError)

    public var description: String {
        switch self {
        case .edited(let fileName):
            "migration \(fileName) was edited after it was applied; refusing to continue (add a new migration instead)"
        case .failed(let fileName, let underlying):
            "migration \(fileName) failed and was rolled back: \(underlying)"
        }
    }
}
