import ArgumentParser
import CommentStore
import Foundation
import PolicyTools
import PostgresLibPQ
import StandardsPolicy

/// `modctl policy …`: check and try Standards Board Policy files.
struct PolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Validate, try, activate, compare and replay Standards Board Policy files.",
        subcommands: [Validate.self, Try.self, Check.self, Evaluate.self, Activate.self, ShowActive.self, Diff.self, Replay.self]
    )

    /// The policy at `path`, or the default one built into modctl.
    static func load(_ path: String?, leavingOut: (Rule) -> Bool = { _ in false }) throws -> CompiledPolicy {
        if let path { return try bundle(path, leavingOut: leavingOut).1 }
        do {
            return try CompiledPolicy(bundle: .standardsBoard, leavingOut: leavingOut)
        } catch let error as PolicyError {
            printError("the built-in policy is not valid:\n\(error)")
            throw ExitCode.failure
        }
    }

    struct Validate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check a policy file and the term lists beside it; list every problem.")

        @Argument(help: "The policy's YAML file.")
        var file: String

        func run() async throws {
            let policy = try PolicyCommand.load(file)
            let terms = policy.termCount
            print("valid: \(policy.document.name) version \(policy.version), \(policy.document.rules.count) rules, \(terms) terms")
        }
    }

    struct Try: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "test",
            abstract: "Show how a policy judges one text: outcome, reasons and the text with its hits marked."
        )

        @Argument(help: "The comment text.")
        var text: String

        @Option(help: "A policy file (default: the policy active in the database, which is what the workers judge with).")
        var policy: String?

        @Flag(help: "Judge with the Standards Board Policy built into modctl, without the database.")
        var builtIn = false

        @Flag(help: "Print the verdict as JSON.")
        var json = false

        func validate() throws {
            if builtIn, policy != nil { throw ValidationError("give --policy FILE or --built-in, not both") }
        }

        /// The policy to judge with, and how to name it.
        func chosen() async throws -> (CompiledPolicy, String) {
            if let policy {
                let compiled = try PolicyCommand.load(policy)
                return (compiled, "\(compiled.version) (\(policy))")
            }
            if builtIn {
                let compiled = try PolicyCommand.load(nil)
                return (compiled, "\(compiled.version) (built into modctl)")
            }
            let stored: PolicyVersions.Stored
            do {
                stored = try await withDatabase { try await PolicyCommand.active(on: $0) }
            } catch let exit as ExitCode {
                printError("(to judge without the database: --built-in, or --policy FILE)")
                throw exit
            }
            do {
                return (try CompiledPolicy(bundle: stored.bundle), "\(stored.version) (active in the database)")
            } catch {
                printError("the active policy \(stored.version) does not compile: \(error)")
                throw ExitCode.failure
            }
        }

        func run() async throws {
            let (compiled, name) = try await chosen()
            let verdict = compiled.evaluate(text, context: .textOnly())
            if json {
                try printJSON(verdict)
                return
            }
            let color = isatty(STDOUT_FILENO) == 1
            print("policy:  \(name)")
            print("outcome: \(verdict.outcome.rawValue)")
            print("reasons: \(verdict.reasons.isEmpty ? "none" : verdict.reasons.joined(separator: ", "))")
            print("text:    \(Highlighter.mark(text, hits: verdict.hits, color: color))")
            for hit in verdict.hits {
                let place = hit.start.map { "at \($0)..<\(hit.end ?? $0)" } ?? "context"
                print(
                    "  \(hit.action.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0)) \(hit.rule) (\(hit.reason)) \(place): \(hit.matched ?? "")"
                )
            }
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Judge JSON lines from standard input, one JSON verdict per line on standard output, in order.",
            discussion: """
                Input lines: {"id": ..., "body": "...", "context": {"authenticated", "provider", "account_status", \
                "article_closed"}}. Output lines: {"id", "outcome", "reasons", "hits"}. A malformed line gets \
                {"id", "line", "error"} and the run goes on.
                """
        )

        @Flag(help: "Read and write JSON lines (the only format).")
        var jsonl = false

        @Option(help: "A policy file (default: the built-in Standards Board Policy).")
        var policy: String?

        func validate() throws {
            guard jsonl else { throw ValidationError("policy check needs --jsonl") }
        }

        func run() async throws {
            let checker = JSONLChecker(policy: try PolicyCommand.load(policy))
            var output = ""
            output.reserveCapacity(1 << 17)
            var number = 0
            while let line = readLine(strippingNewline: true) {
                number += 1
                if line.isEmpty { continue }
                output += checker.check(line: line, number: number)
                output += "\n"
                if output.utf8.count >= 1 << 16 {
                    FileHandle.standardOutput.write(Data(output.utf8))
                    output.removeAll(keepingCapacity: true)
                }
            }
            FileHandle.standardOutput.write(Data(output.utf8))
        }
    }
}

extension PolicyCommand {
    struct Evaluate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Judge a file of labelled comments and print, per label, how many the policy approves, holds and rejects, and why.",
            discussion: """
                The file is tab-separated with a header line (.tsv), or JSON lines (.jsonl). Every comment is judged in \
                the text-only context: a logged-in reader in good standing, so only the text decides. Example, for the \
                Korean HateSpeech Dataset (github.com/kocohub/korean-hate-speech): modctl policy evaluate train.tsv --text-column comments \
                --label-column hate --clean-label none
                """
        )

        @OptionGroup var labelled: LabelledFileOptions

        @Option(help: "A policy file (default: the built-in Standards Board Policy).")
        var policy: String?

        @Option(help: "How many comments that went the wrong way to print per label.")
        var samples = 0

        @Option(help: "How many reasons and matched words to list per label.")
        var top = 8

        @Flag(help: "Leave out the policy's learned-model rules: for a file the model was trained on, which would flatter it.")
        var rulesOnly = false

        func run() async throws {
            let compiled = try PolicyCommand.load(policy, leavingOut: { rulesOnly && $0.isLearnedModel })
            let rows = try labelled.rows()
            let evaluation = LabelledEvaluation(rows: rows, policy: compiled, cleanLabel: labelled.cleanLabel, sampleLimit: samples)
            print(
                "policy: \(compiled.document.name) version \(compiled.version)\(rulesOnly ? " (its rules, without a learned model)" : "");"
                    + " \(rows.count) labelled comments from \(labelled.file)"
            )
            print(evaluation.render(top: top), terminator: "")
        }
    }
}

/// Marks hits in a text: ANSI colours on a terminal (red for reject, yellow for hold), «brackets» elsewhere.
enum Highlighter {
    static func mark(_ text: String, hits: [Hit], color: Bool) -> String {
        let spans = hits.compactMap { hit in hit.start.flatMap { start in hit.end.map { (start..<$0, hit.action) } } }
        guard !spans.isEmpty else { return text }
        var out = ""
        var open: Action?
        for (offset, scalar) in text.unicodeScalars.enumerated() {
            let action = spans.filter { $0.0.contains(offset) }.map(\.1).max()
            if action != open {
                if open != nil { out += color ? "\u{1B}[0m" : "»" }
                if let action { out += color ? (action == .reject ? "\u{1B}[1;31m" : "\u{1B}[1;33m") : "«" }
                open = action
            }
            out.unicodeScalars.append(scalar)
        }
        if open != nil { out += color ? "\u{1B}[0m" : "»" }
        return out
    }
}
