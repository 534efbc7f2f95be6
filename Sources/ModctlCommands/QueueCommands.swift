import ArgumentParser
import CommentStore
import Foundation
import PostgresLibPQ
import StandardsPolicy

/// `modctl queue`: held comments, oldest first.
struct Queue: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List held comments, oldest first, with counts per reason.")

    @Option(help: "Only comments held for this reason code.")
    var reason: String?

    @Option(help: "Only comments on this article (its ref).")
    var article: String?

    @Option(help: "Only comments at least this old (90s, 30m, 12h, 7d).")
    var olderThan: String?

    @Option(help: "At most this many comments.")
    var limit = 50

    @Flag(help: "Skip the counts per reason (they read every held comment).")
    var noCounts = false

    @Flag(help: "List the comments readers flagged that no moderator has decided yet, the most flagged first.")
    var reported = false

    @OptionGroup var zone: TimeZoneOption

    @Flag(help: "Print JSON for scripts.")
    var json = false

    func validate() throws {
        guard (1...10_000).contains(limit) else { throw ValidationError("--limit must be between 1 and 10000") }
        if let olderThan, parseDuration(olderThan) == nil { throw ValidationError("--older-than must be a duration like 30m, 12h or 7d") }
    }

    struct Output: Encodable {
        /// Held comments the filter selects (all of them without a filter).
        var held: Int
        /// All held comments, when a filter was given.
        var heldInAll: Int?
        var oldestSeconds: Int?
        var comments: [Moderation.Held]
        var byReason: [String: Int]?
    }

    func run() async throws {
        if reported { return try await runReported() }
        let filter = Moderation.QueueFilter(reason: reason, article: article, minimumAgeSeconds: olderThan.flatMap(parseDuration), limit: limit)
        let filtered = reason != nil || article != nil || olderThan != nil
        let (summary, all, comments, counts) = try await withDatabase { connection in
            let moderation = Moderation()
            return (
                try await moderation.heldSummary(filter, on: connection),
                filtered ? try await moderation.heldSummary(on: connection) : nil,
                try await moderation.held(filter, on: connection),
                noCounts ? nil : try await moderation.heldByReason(filter, on: connection)
            )
        }
        if json {
            try printJSON(
                Output(
                    held: summary.count,
                    heldInAll: all?.count,
                    oldestSeconds: summary.oldestSeconds,
                    comments: comments,
                    byReason: counts.map { Dictionary(uniqueKeysWithValues: $0.map { ($0.reason, $0.count) }) }
                )
            )
            return
        }
        // The counts are the filter's; the whole queue's size is named beside them.
        print(
            "held: \(summary.count)" + (all.map { " matching (of \($0.count) held)" } ?? "")
                + (summary.oldestSeconds.map { ", oldest \(formatAge($0))" } ?? "")
        )
        guard !comments.isEmpty else { return }
        printTable(
            ["ID", "AGE", "ARTICLE", "AUTHOR", "REASONS", "TEXT"],
            comments.map { comment in
                let preview = comment.body.replacingOccurrences(of: "\n", with: " ")
                return [
                    String(comment.id), formatAge(comment.ageSeconds), comment.article, comment.author.isEmpty ? "(anonymous)" : comment.author,
                    comment.reasons.joined(separator: ","), preview.count > 40 ? String(preview.prefix(39)) + "…" : preview,
                ]
            }
        )
        if let counts, !counts.isEmpty {
            print("by reason: " + counts.map { "\($0.reason) \($0.count)" }.joined(separator: ", "))
        }
    }
}

extension Queue {
    /// `modctl queue --reported`: approve keeps a comment (and shows it again if the flags hid it), reject removes it.
    func runReported() async throws {
        let (comments, time) = try await withDatabase { (try await Moderation().reported(limit: limit, on: $0), try await zone.clock(on: $0)) }
        if json { return try printJSON(comments) }
        print(
            "reported: \(comments.count)\(comments.count == limit ? "+" : "") comments with open flags (modctl approve ID keeps one, reject removes it)"
        )
        guard !comments.isEmpty else { return }
        printTable(
            ["ID", "STATUS", "FLAGS", "REASONS", "FLAGGERS UPHELD", "SINCE", "AUTHOR", "TEXT"],
            comments.map { comment in
                let preview = comment.body.replacingOccurrences(of: "\n", with: " ")
                return [
                    String(comment.id), comment.status == .held ? "hidden" : "shown", String(comment.flags),
                    comment.byReason.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { "\($0.key) \($0.value)" }.joined(separator: ", "),
                    comment.flaggersResolved == 0 ? "no record" : "\(comment.flaggersUpheld)/\(comment.flaggersResolved)",
                    time(comment.firstFlaggedAt), comment.author.isEmpty ? "(anonymous)" : comment.author,
                    preview.count > 40 ? String(preview.prefix(39)) + "…" : preview,
                ]
            }
        )
    }
}

/// `modctl show ID`.
struct Show: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show a comment: its text with hits marked, reasons, author's standing and history.")

    @Argument(help: "The comment's id.")
    var id: Int64

    @OptionGroup var zone: TimeZoneOption

    @Flag(help: "Print JSON for scripts.")
    var json = false

    func run() async throws {
        let (output, time) = try await withDatabase { (try await Moderation().detail(id, on: $0), try await zone.clock(on: $0)) }
        guard let output else {
            printError("comment \(id) does not exist")
            throw notFoundOrConflict
        }
        if json { return try printJSON(output) }
        Self.render(output, time: time)
        print("history:")
        for event in output.history { print("  " + describe(event, time: time)) }
    }

    /// The comment, its hits and its author's standing, for a person.
    static func render(_ output: CommentDetail, time: LocalClock) {
        print("comment \(output.id) on \(output.article)" + (output.articleTitle.map { " (\($0))" } ?? "") + ": \(output.status)")
        print("submitted \(time(output.submittedAt)) by \(output.author.isEmpty ? "(anonymous)" : output.author)")
        print("")
        print(Highlighter.mark(output.body, hits: output.hits, color: stdoutIsTerminal))
        print("")
        for hit in output.hits {
            print("  \(hit.action.rawValue) \(hit.reason) (rule \(hit.rule))" + (hit.matched.map { ": \($0)" } ?? ""))
        }
        if let standing = output.standing {
            print(
                "author: \(standing.displayName.isEmpty ? standing.account : standing.displayName) — \(standing.status)"
                    + (standing.suspendedUntil.map { " until \(time($0))" } ?? "")
                    + "; \(standing.comments) comments: \(standing.approved) approved, \(standing.rejected) rejected, \(standing.held) held"
            )
            for sanction in standing.sanctions {
                print("  \(time(sanction.at)) \(sanction.source) by \(sanction.by): \(sanction.note ?? "")")
            }
        }
        if !output.authorRecent.isEmpty {
            print("author's recent decisions:")
            for event in output.authorRecent { print("  " + describe(event, time: time)) }
        }
        if !output.flags.isEmpty {
            print("flags from readers:")
            for flag in output.flags {
                let state = flag.upheld.map { $0 ? "upheld" : "not upheld" } ?? "open"
                print("  \(time(flag.at)) \(flag.reason) by \(flag.by) [\(state)]" + (flag.note.map { ": \($0)" } ?? ""))
            }
        }
    }
}

/// One line of the audit trail.
func describe(_ event: Moderation.Event, time: LocalClock) -> String {
    let when = time(event.at)
    if event.kind == "sanction" {
        return "\(when)  \(event.source) by \(event.by)" + (event.until.map { " until \(time($0))" } ?? "") + ": \(event.note ?? "")"
    }
    let reasons = event.reasons.isEmpty ? "" : " (\(event.reasons.joined(separator: ", ")))"
    return "\(when)  comment \(event.commentID.map(String.init) ?? "?"): \(event.outcome ?? "?")\(reasons) by \(event.by) [\(event.source)]"
        + (event.note.map { " — \($0)" } ?? "")
}

/// What `modctl approve` and `modctl reject` share.
struct DecisionOptions: ParsableArguments {
    @Argument(help: "Comment ids.")
    var ids: [Int64]

    @Option(help: "A note for the audit trail.")
    var note: String?

    @Flag(help: "Overturn an earlier decision on a comment that is no longer held (rejecting an approved comment removes it).")
    var reverse = false

    @OptionGroup var moderator: ModeratorOption

    @Flag(help: "Print JSON for scripts.")
    var json = false

    func decide(_ verdict: Moderation.Ruling, reasons: [String]) async throws {
        try await Decisions.decide(ids, verdict, reasons: reasons, note: note, reverse: reverse, moderator: moderator.name, json: json)
    }
}

/// `modctl approve ID…`.
struct Approve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Approve held comments (publish them).")
    @OptionGroup var options: DecisionOptions
    func run() async throws { try await options.decide(.approve, reasons: []) }
}

/// `modctl reject ID… --reason CODE`.
struct Reject: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Reject held comments with a reason code of the active policy.")
    @OptionGroup var options: DecisionOptions

    @Option(help: "The reason code: one of the active policy's codes for what a comment says (modctl review lists them).")
    var reason: String

    func run() async throws { try await options.decide(.reject, reasons: [reason]) }
}

enum Decisions {
    /// Decides each id in turn; refusals are reported per comment, and make the exit code 3.
    static func decide(
        _ ids: [Int64],
        _ verdict: Moderation.Ruling,
        reasons: [String],
        note: String?,
        reverse: Bool,
        moderator: String,
        json: Bool
    )
        async throws
    {
        guard !ids.isEmpty else { throw ValidationError("name at least one comment id") }
        if let note, note.postgresLength > 2000 { throw ValidationError("--note is limited to 2000 characters") }
        let refused = try await withDatabase { connection -> Int in
            if !reasons.isEmpty {
                // A moderator judges what a comment says: the codes of the engine's facts (a login, a length, a rate)
                // and the worker's processing_error are not theirs to give (the review menu offers the same list).
                let document = try await activePolicyDocument(on: connection)
                let codes = document.moderatorReasonCodes
                for reason in reasons where !codes.contains(reason) {
                    let kind = document.reasonCodes.contains(reason) ? "not a moderator's reason code" : "unknown reason code"
                    throw ValidationError("\(kind) '\(reason)'; a moderator's codes are: \(codes.joined(separator: ", "))")
                }
            }
            var refused = 0
            for id in ids {
                do {
                    let decided = try await Moderation().decide(
                        id,
                        verdict,
                        reasons: reasons,
                        note: note,
                        moderator: moderator,
                        reverse: reverse,
                        on: connection
                    )
                    if json { try printJSON(decided) } else { print("comment \(id): \(decided.previousStatus) → \(decided.status)") }
                } catch let refusal as Moderation.Refusal {
                    refused += 1
                    printError(refusal.description)
                }
            }
            return refused
        }
        if refused > 0 { throw notFoundOrConflict }
    }
}

/// The reason codes of the active policy (the moderators' vocabulary).
/// The active policy's document (the built-in one while none is stored).
func activePolicyDocument(on connection: PostgresConnection) async throws -> PolicyDocument {
    try PolicyLoader.document(from: try await PolicyVersions().active(on: connection)?.bundle ?? .standardsBoard)
}

/// `modctl history ID` or `modctl history --account PROVIDER:SUBJECT`.
struct History: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show the audit trail of a comment or of an account.")

    @Argument(help: "A comment id.")
    var id: Int64?

    @Option(help: "An account as provider:subject (e.g. twitter:12345).")
    var account: String?

    @OptionGroup var zone: TimeZoneOption

    @Flag(help: "Print JSON for scripts.")
    var json = false

    func validate() throws {
        if id == nil, account == nil {
            throw ValidationError("name what to show: a comment id (`modctl history 42`) or an account (`modctl history --account twitter:12345`)")
        }
        guard id == nil || account == nil else { throw ValidationError("give a comment id or --account PROVIDER:SUBJECT, not both") }
        if let account, AccountRef(account) == nil { throw ValidationError("--account must look like twitter:12345") }
    }

    func run() async throws {
        let (events, time) = try await withDatabase { connection -> ([Moderation.Event]?, LocalClock) in
            let time = try await zone.clock(on: connection)
            if let id { return (try await Moderation().history(comment: id, on: connection), time) }
            return (try await Moderation().history(account: AccountRef(account ?? "")!, on: connection), time)
        }
        guard let events else {
            printError(id.map { "comment \($0) does not exist" } ?? "no account \(account ?? "")")
            throw notFoundOrConflict
        }
        if json { return try printJSON(events) }
        if events.isEmpty { print("no decisions yet") }
        for event in events { print(describe(event, time: time)) }
    }
}
