import ArgumentParser
import CommentStore
import Foundation
import PostgresLibPQ

/// `modctl warn|suspend|ban|unban PROVIDER:SUBJECT --reason TEXT`.
struct SanctionOptions: ParsableArguments {
    @Argument(help: "The account as provider:subject (e.g. twitter:12345).")
    var account: String

    @Option(help: "Why, for the audit trail (and the reader's appeal).")
    var reason: String

    @OptionGroup var moderator: ModeratorOption

    @OptionGroup var zone: TimeZoneOption

    @Flag(help: "Print JSON for scripts.")
    var json = false

    func validate() throws {
        guard AccountRef(account) != nil else { throw ValidationError("the account must look like twitter:12345") }
        guard (1...1000).contains(reason.postgresLength) else { throw ValidationError("--reason must be 1 to 1000 characters") }
    }

    func run(_ kind: Accounts.Sanction, duration: Int? = nil, rejectPending: Bool = false) async throws {
        let ref = AccountRef(account)!
        let (result, time) = try await withDatabase { connection in
            (
                try await Accounts().sanction(
                    ref,
                    kind,
                    reason: reason,
                    duration: duration,
                    rejectPending: rejectPending,
                    moderator: moderator.name,
                    on: connection
                ),
                try await zone.clock(on: connection)
            )
        }
        guard let result else {
            printError("no account \(ref) (it appears once it has commented)")
            throw notFoundOrConflict
        }
        if json { return try printJSON(result) }
        print("\(ref): \(kind.rawValue) recorded; the account is now \(result.status)" + (result.until.map { " until \(time($0))" } ?? ""))
        if !result.rejectedComments.isEmpty {
            print("rejected \(result.rejectedComments.count) held comments: " + result.rejectedComments.map(String.init).joined(separator: " "))
        }
    }
}

struct Warn: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Record a warning to an account (its standing does not change).")
    @OptionGroup var options: SanctionOptions
    func run() async throws { try await options.run(.warn) }
}

struct Suspend: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Suspend an account: its comments are refused until the time is up.")
    @OptionGroup var options: SanctionOptions

    @Option(name: .customLong("for"), help: "How long (12h, 7d, 2w).")
    var duration = "7d"

    func validate() throws {
        guard parseDuration(duration) != nil else { throw ValidationError("--for must be a duration like 12h, 7d or 2w") }
    }

    func run() async throws { try await options.run(.suspend, duration: parseDuration(duration)) }
}

struct Ban: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Ban an account: its comments are refused until it is unbanned.")
    @OptionGroup var options: SanctionOptions

    @Flag(help: "Also reject the account's held comments (reason account_banned).")
    var rejectPending = false

    func run() async throws { try await options.run(.ban, rejectPending: rejectPending) }
}

struct Unban: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Lift a ban or suspension.")
    @OptionGroup var options: SanctionOptions
    func run() async throws { try await options.run(.unban) }
}

/// `modctl articles close|open REF`.
struct Articles: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Close or reopen an article for comments.", subcommands: [Close.self, Open.self])

    struct Close: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Refuse new comments on an article.")
        @Argument(help: "The article's ref.") var ref: String
        @Flag(help: "Print JSON for scripts.") var json = false
        func run() async throws { try await Articles.set(ref, open: false, json: json) }
    }

    struct Open: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Accept comments on an article again.")
        @Argument(help: "The article's ref.") var ref: String
        @Flag(help: "Print JSON for scripts.") var json = false
        func run() async throws { try await Articles.set(ref, open: true, json: json) }
    }

    static func set(_ ref: String, open: Bool, json: Bool) async throws {
        let found = try await withDatabase { try await CommentStore.Articles().setOpen(ref, open, on: $0) }
        guard found else {
            printError("no article \(ref)")
            throw notFoundOrConflict
        }
        if json { return try printJSON(["article": ref, "comments": open ? "open" : "closed"]) }
        print("\(ref): comments \(open ? "open" : "closed")")
    }
}
