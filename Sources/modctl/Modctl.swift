import ArgumentParser
import Foundation

/// `modctl`: the moderators' command line.
@main
struct Modctl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "modctl",
        abstract: "Review and moderate CommentDesk comments.",
        discussion: """
            Connects with libpq: DATABASE_URL, or the PG* variables (PGHOST, PGPORT, PGDATABASE, PGUSER, ...). \
            Exit codes: 0 done, 1 error, 2 usage, 3 not found or conflict.
            """,
        subcommands: [Status.self]
    )
}
