import ArgumentParser
import CommentStore
import Foundation
import PostgresLibPQ
import StandardsPolicy

#if canImport(Glibc)
import Glibc
#endif

/// `modctl review`: one held comment at a time, decided with a single key. Each comment shown is claimed for this
/// moderator, so two moderators reviewing at once never see the same one.
struct Review: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Review held comments one by one: [a]pprove, [r]eject (pick a reason), [s]kip, [h]istory, [q]uit.",
        discussion: "`--next --json` claims one comment and prints it, without the loop, for scripts."
    )

    @Flag(help: "Claim the next held comment, print it and exit (with --json for scripts).")
    var next = false

    @Flag(help: "Print JSON (with --next).")
    var json = false

    @Option(help: "Minutes a shown comment stays claimed for you.")
    var claimMinutes = 5

    @OptionGroup var moderator: ModeratorOption

    @OptionGroup var zone: TimeZoneOption

    func validate() throws {
        guard (1...120).contains(claimMinutes) else { throw ValidationError("--claim-minutes must be between 1 and 120") }
        if json, !next { throw ValidationError("--json goes with --next; the loop is for people") }
    }

    func run() async throws {
        let name = moderator.name
        if next {
            let claimed = try await withDatabase { try await Moderation().claimNext(moderator: name, seconds: claimMinutes * 60, on: $0) }
            guard let claimed else {
                printError("no held comments left to review")
                throw notFoundOrConflict
            }
            if json { return try printJSON(claimed) }
            print("comment \(claimed.id) on \(claimed.article) (\(claimed.reasons.joined(separator: ", "))): \(claimed.body)")
            return
        }
        guard isatty(STDIN_FILENO) == 1 else {
            throw ValidationError("review needs a terminal; scripts use `modctl review --next --json`")
        }
        try await withDatabase { connection in
            // The menu offers what a moderator judges (insult, spam, other…), not the engine's facts (too_long, login_required…).
            let codes = try await activePolicyDocument(on: connection).moderatorReasonCodes
            let time = try await zone.clock(on: connection)
            let terminal = RawTerminal()
            defer { terminal.restore() }
            var skipped: [Int64] = []
            var decided = 0
            while true {
                guard
                    let held = try await Moderation().claimNext(
                        moderator: name,
                        seconds: claimMinutes * 60,
                        excluding: skipped,
                        on: connection
                    ),
                    let shown = try await Moderation().detail(held.id, on: connection)
                else {
                    print("\nNothing left to review (\(decided) decided this session).")
                    return
                }
                print("\n" + String(repeating: "─", count: 60))
                Show.render(shown, time: time)
                var done = false
                while !done {
                    print("\n[a]pprove  [r]eject  [s]kip  [h]istory  [q]uit > ", terminator: "")
                    fflush(nil)
                    let key = terminal.readKey()
                    print(key.map { String($0) } ?? "")
                    switch key {
                    case "a":
                        done = try await record(held.id, .approve, reasons: [], on: connection)
                        if done { decided += 1 }
                    case "r":
                        guard let reason = pickReason(codes, terminal: terminal) else { continue }
                        done = try await record(held.id, .reject, reasons: [reason], on: connection)
                        if done { decided += 1 }
                    case "s":
                        skipped.append(held.id)
                        try await Moderation().release(held.id, moderator: name, on: connection)
                        done = true
                    case "h":
                        for event in try await Moderation().history(comment: held.id, on: connection) ?? [] {
                            print("  " + describe(event, time: time))
                        }
                    case "q", nil:
                        try await Moderation().release(held.id, moderator: name, on: connection)
                        print("Bye (\(decided) decided this session).")
                        return
                    default:
                        print("keys: a, r, s, h, q")
                    }
                }
            }
        }
    }

    /// Records the decision; a refusal (someone else decided it) is shown and the loop moves on.
    private func record(_ id: Int64, _ verdict: Moderation.Ruling, reasons: [String], on connection: PostgresConnection) async throws -> Bool {
        do {
            let decided = try await Moderation().decide(
                id,
                verdict,
                reasons: reasons,
                note: nil,
                moderator: moderator.name,
                reverse: false,
                on: connection
            )
            print("comment \(id): \(decided.status)")
        } catch let refusal as Moderation.Refusal {
            print(refusal.description)
        }
        return true
    }

    /// A numbered menu of the policy's reason codes, picked with one key; Escape or any other key cancels.
    private func pickReason(_ codes: [String], terminal: RawTerminal) -> String? {
        let keys = Array("123456789abcdefghijklmnopqrstuvwxyz")
        let shown = Array(codes.prefix(keys.count))
        for (index, code) in shown.enumerated() { print("  \(keys[index]) \(code)") }
        print("reason (Esc cancels) > ", terminator: "")
        fflush(nil)
        guard let key = terminal.readKey(), let index = keys.firstIndex(of: key), index < shown.count else {
            print("cancelled")
            return nil
        }
        print(shown[index])
        return shown[index]
    }
}

/// Standard input without line buffering or echo, restored afterwards.
final class RawTerminal {
    private var original = termios()
    private var active = false

    init() {
        guard tcgetattr(STDIN_FILENO, &original) == 0 else { return }
        var raw = original
        raw.c_lflag &= ~tcflag_t(ICANON | ECHO)
        withUnsafeMutableBytes(of: &raw.c_cc) { bytes in
            bytes[Int(VMIN)] = 1
            bytes[Int(VTIME)] = 0
        }
        active = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0
    }

    /// One key, or nil at end of input.
    func readKey() -> Character? {
        var byte: UInt8 = 0
        guard read(STDIN_FILENO, &byte, 1) == 1 else { return nil }
        return Character(Unicode.Scalar(byte))
    }

    func restore() {
        if active { tcsetattr(STDIN_FILENO, TCSANOW, &original) }
        active = false
    }
}
