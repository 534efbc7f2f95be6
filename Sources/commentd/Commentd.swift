import ArgumentParser
import CommentStore
import Configuration
import Foundation
import Logging
import Settings

/// `commentd`: the CommentDesk daemon and its operations commands.
@main
struct Commentd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "commentd",
        abstract: "CommentDesk: comment moderation for news sites.",
        discussion: """
            Connects to PostgreSQL with DATABASE_URL (a URI or key=value conninfo) or, when it is unset, libpq's \
            PG* variables (PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD, PGSSLMODE, ...). \
            LOG_LEVEL sets the log level (trace, debug, info, notice, warning, error; default info).
            """,
        version: CommentDeskVersion.description,
        subcommands: [Migrate.self, Work.self, Serve.self, Report.self, DevToken.self]
    )
}

/// Logs go to stderr, one line per event; LOG_LEVEL chooses the level.
func bootstrapLogging(label: String) -> Logger {
    LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
    var logger = Logger(label: label)
    let level = ConfigReader(provider: EnvironmentVariablesProvider()).text("log.level").flatMap { Logger.Level(rawValue: $0.lowercased()) }
    logger.logLevel = level ?? .info
    return logger
}
