public import ArgumentParser
import CommentStore
import Foundation

/// `modctl`: the moderators' command line. The executable only calls ``main()``; the commands, their presentation,
/// the review loop and the highlighter live here, where tests reach them.
public struct Modctl: AsyncParsableCommand {
    public init() {}

    public static let configuration = CommandConfiguration(
        commandName: "modctl",
        abstract: "Review and moderate CommentDesk comments.",
        discussion: """
            Connects with libpq: DATABASE_URL, or the PG* variables (PGHOST, PGPORT, PGDATABASE, PGUSER, ...). \
            Exit codes: 0 done, 1 error, 2 usage, 3 not found or conflict.
            """,
        version: CommentDeskVersion.description,
        subcommands: [
            Status.self, Queue.self, Show.self, Review.self, Approve.self, Reject.self, History.self, Warn.self, Suspend.self, Ban.self, Unban.self,
            Articles.self, AccountCommand.self, WebhooksCommand.self, PolicyCommand.self, ModelCommand.self,
        ]
    )

    /// Runs the command, mapping usage errors to exit code 2 as documented (ArgumentParser's default is 64).
    public static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}

/// Writes one line to standard error.
func printError(_ message: String) {
    FileHandle.standardError.write(Data("modctl: \(message)\n".utf8))
}
