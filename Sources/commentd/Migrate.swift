import ArgumentParser
import CommentStore
import Foundation
import Logging
import PostgresLibPQ
import Settings
import StandardsPolicy

/// `commentd migrate`: applies pending schema migrations.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply pending database migrations (safe to run repeatedly and concurrently).",
        discussion: """
            Applies the files of sql/ that the database has not seen, in order, each in its own transaction. \
            Refuses to run when an applied file was edited since. Exits 0 when there was nothing to do.
            """
    )

    @Flag(help: "List the pending migrations without applying them.")
    var dryRun = false

    func run() async throws {
        let logger = bootstrapLogging(label: "commentd.migrate")
        // The migrator holds a session advisory lock while it runs: on PostgreSQL itself, never through a transaction pooler.
        let configuration = PostgresConfiguration(config: try await Settings.reader(), applicationName: "commentd-migrate").direct
        let migrator = Migrator(logger: logger)
        do {
            try await PostgresConnection.withConnection(configuration: configuration, logger: logger) { connection in
                if dryRun {
                    let pending = try await migrator.pending(on: connection)
                    print(pending.isEmpty ? "nothing to apply" : pending.map(\.fileName).joined(separator: "\n"))
                    return
                }
                let report = try await migrator.migrate(on: connection)
                if report.applied.isEmpty {
                    print("schema is up to date (\(report.alreadyApplied.count) migrations applied)")
                } else {
                    print("applied: \(report.applied.joined(separator: ", "))")
                }
                if let seeded = try await PolicyVersions().seed(.standardsBoard, by: "commentd migrate", on: connection) {
                    print("activated the default Standards Board Policy, version \(seeded.version) (policy_versions id \(seeded.id))")
                }
                if let limit = try await PolicyVersions().deriveReaderLimit(on: connection) {
                    print("derived the active policy's reader burst limit: \(limit) posts per minute (0: none)")
                }
            }
        } catch let error as PostgresError where error.kind == .connection {
            logger.error("cannot connect to the database: \(error)")
            logger.debug("\(error.debugDescription)")
            throw ExitCode.failure
        } catch let error as MigrationError {
            logger.error("\(error)")
            throw ExitCode.failure
        }
    }
}
