import ArgumentParser
import CommentStore
import Foundation
import PolicyTools
import PostgresLibPQ
import StandardsPolicy

extension PolicyCommand {
    /// The policy file and the term lists beside it, validated; an invalid one is reported and exits 1.
    static func bundle(_ path: String, leavingOut: (Rule) -> Bool = { _ in false }) throws -> (PolicyBundle, CompiledPolicy) {
        do {
            let bundle = try PolicyBundle.read(contentsOf: path)
            return (bundle, try CompiledPolicy(bundle: bundle, leavingOut: leavingOut))
        } catch let error as PolicyError {
            printError("the policy is not valid:\n\(error)")
            throw ExitCode.failure
        } catch {
            printError("cannot read \(path): \(error.localizedDescription)")
            throw ExitCode.failure
        }
    }

    /// The active version, or exit 3 when none was ever activated.
    static func active(on connection: PostgresConnection) async throws -> PolicyVersions.Stored {
        guard let active = try await PolicyVersions().active(on: connection) else {
            printError("no policy is active (run `commentd migrate`, which activates the default one)")
            throw notFoundOrConflict
        }
        return active
    }

    struct Activate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate a policy, store it as a new version and make it active; workers switch to it within seconds."
        )

        @Argument(help: "The policy's YAML file (term files beside it are included).")
        var file: String

        @OptionGroup var moderator: ModeratorOption

        @Flag(help: "Print JSON for scripts.")
        var json = false

        func run() async throws {
            let (bundle, compiled) = try PolicyCommand.bundle(file)
            let stored = try await withDatabase { try await PolicyVersions().activate(bundle, by: moderator.name, on: $0) }
            if json {
                return try printJSON(["id": String(stored.id), "version": stored.version, "sha256": stored.sha256, "activatedBy": stored.activatedBy])
            }
            print(
                "activated \(compiled.document.name) version \(stored.version) as policy version \(stored.id) (sha256 \(stored.sha256.prefix(12)))"
            )
        }
    }

    struct ShowActive: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Show the active policy: version, who activated it, its rules."
        )

        @Flag(help: "Print the policy's YAML document instead.")
        var document = false

        @OptionGroup var zone: TimeZoneOption

        @Flag(help: "Print JSON for scripts.")
        var json = false

        struct Output: Encodable {
            var id: Int64
            var version: String
            var sha256: String
            var activatedBy: String
            var activatedAt: Date
            var maxCharacters: Int
            var providers: [String]
            var reasonCodes: [String]
            var rules: [String]
        }

        func run() async throws {
            let stored = try await withDatabase { try await PolicyCommand.active(on: $0) }
            if document { return print(stored.bundle.document, terminator: "") }
            let parsed = try PolicyLoader.document(from: stored.bundle)
            let output = Output(
                id: stored.id,
                version: stored.version,
                sha256: stored.sha256,
                activatedBy: stored.activatedBy,
                activatedAt: stored.activatedAt,
                maxCharacters: parsed.limits.maxCharacters,
                providers: parsed.providers,
                reasonCodes: parsed.reasonCodes,
                rules: parsed.rules.map(PolicyDiff.summary)
            )
            if json { return try printJSON(output) }
            print("policy version \(output.id): \(parsed.name) \(output.version) (sha256 \(output.sha256.prefix(12)))")
            let time = LocalClock(TimeZone(identifier: zone.chosen ?? parsed.siteTimeZone) ?? .gmt)
            print("activated by \(output.activatedBy) at \(time(output.activatedAt)); times in \(time.zone.identifier)")
            print("max \(output.maxCharacters) characters; providers: \(output.providers.joined(separator: ", "))")
            print("rules:")
            for rule in output.rules { print("  " + rule) }
        }
    }

    struct Diff: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the rule-level differences between the active policy and a file.")

        @Argument(help: "The candidate policy's YAML file.")
        var file: String

        @Flag(help: "Print JSON for scripts.")
        var json = false

        func run() async throws {
            let (_, candidate) = try PolicyCommand.bundle(file)
            let stored = try await withDatabase { try await PolicyCommand.active(on: $0) }
            let diff = PolicyDiff.between(try PolicyLoader.document(from: stored.bundle), candidate.document)
            if json { return try printJSON(diff) }
            print("active \(diff.fromVersion) → candidate \(diff.toVersion)")
            if diff.isEmpty { return print("no differences in rules or settings") }
            for line in diff.settings { print("  setting  \(line)") }
            for rule in diff.added { print("  added    \(rule)") }
            for rule in diff.removed { print("  removed  \(rule)") }
            for change in diff.changed { print("  changed  \(change.rule): \(change.changes.joined(separator: "; "))") }
            if diff.reordered { print("  the rules are in a different order") }
        }
    }

    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-judge a period's comments under a candidate policy and report which decisions would change; changes nothing.",
            discussion: """
                Compares each comment's recorded automatic decision with the candidate's verdict. The context is \
                rebuilt as the worker builds it: the author's earlier comments as of the comment's submission, their \
                standing as of now.
                """
        )

        @Argument(help: "The candidate policy's YAML file.")
        var file: String

        @Option(help: "How far back (12h, 7d, 2w).")
        var since = "7d"

        @Option(help: "Examples shown per kind of change.")
        var examples = 3

        @OptionGroup var zone: TimeZoneOption

        @Flag(help: "Print JSON for scripts.")
        var json = false

        func validate() throws {
            guard parseDuration(since) != nil else { throw ValidationError("--since must be a duration like 12h, 7d or 2w") }
            guard (0...100).contains(examples) else { throw ValidationError("--examples must be between 0 and 100") }
        }

        func run() async throws {
            let (_, candidate) = try PolicyCommand.bundle(file)
            let start = Date().addingTimeInterval(-Double(parseDuration(since) ?? 0))
            let (report, time) = try await withDatabase {
                (try await PolicyReplay(examplesPerTransition: examples).run(candidate, since: start, on: $0), try await zone.clock(on: $0))
            }
            if json { return try printJSON(report) }
            print("replayed \(report.comments) comments since \(time(report.since)) under \(report.candidateVersion): \(report.changed) would change")
            for (transition, count) in report.transitions.sorted(by: { $0.value > $1.value }) {
                print("  \(transition): \(count)")
                for example in report.examples[transition] ?? [] {
                    let reasons = "\(example.reasonsBefore.joined(separator: ",")) → \(example.reasonsAfter.joined(separator: ","))"
                    print(
                        "    comment \(example.commentID) on \(example.article) (\(reasons)): \(example.excerpt ?? "[personal information withheld]")"
                    )
                }
            }
            func counts(_ values: [String: Int]) -> String {
                values.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }.map { "\($0.key) \($0.value)" }.joined(
                    separator: ", "
                )
            }
            if !report.reasonsGained.isEmpty { print("reasons gained: " + counts(report.reasonsGained)) }
            if !report.reasonsLost.isEmpty { print("reasons lost: " + counts(report.reasonsLost)) }
        }
    }
}
