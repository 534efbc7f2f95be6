import CommentStore
import Foundation
public import PostgresLibPQ
import StandardsPolicy

/// A fresh database with every migration applied, cloned from a template built once per schema version.
public func withMigratedDatabase<T>(label: String, _ body: (PostgresClient) async throws -> T) async throws -> T {
    let template = try await migratedTemplate()
    return try await TestPostgres.withDatabase(label: label, template: template) { configuration in
        try await PostgresClient(configuration: configuration, options: .init(maxConnections: 4), logger: TestPostgres.logger).closing(body)
    }
}

/// The template's name carries a hash of the migrations and the default policy, so a change gets a new template.
/// It has every migration applied and the default policy active, as `commentd migrate` leaves a database.
public func migratedTemplate() async throws -> String {
    let policyText = PolicyBundle.standardsBoard.files.sorted { $0.key < $1.key }.map(\.value).joined()
    let hash = FNV1a.hash(Migration.all.flatMap({ Array($0.sql.utf8) }) + Array(policyText.utf8))
    let name = "cdt_template_\(String(hash, radix: 16))"
    try await TestPostgres.ensureTemplate(name) { configuration in
        try await PostgresConnection.withConnection(configuration: configuration, logger: TestPostgres.logger) { connection in
            try await Migrator(logger: TestPostgres.logger).migrate(on: connection)
            try await PolicyVersions().seed(.standardsBoard, by: "tests", on: connection)
        }
    }
    return name
}

extension PostgresClient {
    /// Counts rows with a literal query, for brevity in assertions.
    public func count(_ query: SQLQuery) async throws -> Int {
        try await self.query(query).single().decode(Int.self, at: 0)
    }
}

extension PostgresConnection {
    /// How many sessions of this database wait for a lock in a statement starting with `statementPrefix`, waiting up
    /// to four seconds for the first: for tests that hold a row and watch another statement queue behind it.
    public func sessionsWaitingForALock(in statementPrefix: String) async throws -> Int {
        var waiting = 0
        for _ in 0..<200 where waiting == 0 {
            waiting = try await query(
                """
                SELECT count(*)::integer FROM pg_stat_activity
                WHERE datname = current_database() AND wait_event_type = 'Lock' AND starts_with(query, \(statementPrefix))
                """
            ).single().decode(Int.self, at: 0)
            if waiting == 0 { try await Task.sleep(for: .milliseconds(20)) }
        }
        return waiting
    }
}
