import ArgumentParser
import CommentStore
import Foundation
import PolicyTools
import StandardsPolicy

/// `modctl model …`: train, evaluate and inspect the Board's learned abuse score. A model is a file that a policy names
/// (`kind: model`, `params.model_file`), so it is stored, activated and replayed with its policy.
struct ModelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Train, evaluate and inspect the learned abuse score that a policy's model rule reads.",
        subcommands: [Train.self, Evaluate.self, Show.self]
    )

    static func load(_ path: String) throws -> AbuseModel {
        do {
            return try ModelFile.model(from: String(contentsOfFile: path, encoding: .utf8))
        } catch let problem as ModelFile.Problem {
            printError("\(path): \(problem)")
            throw ExitCode.failure
        } catch {
            printError("cannot read \(path): \(error.localizedDescription)")
            throw ExitCode.failure
        }
    }

    struct Train: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train a model from labelled comments and write it as a model file (the same data and seed give the same file).",
            discussion: """
                From a file (FILE with --text-column, --label-column, --clean-label) or from the database \
                (--from-database --since 30d: every comment a moderator approved or rejected in the period, the \
                moderator's latest word deciding; automatic decisions and holds are left out, so the model learns this \
                Board's standard).
                """
        )

        @Argument(help: "A labelled file (.tsv with a header line, or .jsonl); leave out with --from-database.")
        var file: String?

        @Option(help: "The column that holds the comment.")
        var textColumn = "text"

        @Option(help: "The column that holds the label.")
        var labelColumn = "label"

        @Option(help: "The label of comments that should be approved; every other label is abuse.")
        var cleanLabel = "none"

        @Flag(help: "Learn from the moderators' approve and reject decisions in the database (DATABASE_URL).")
        var fromDatabase = false

        @Option(help: "With --from-database: how far back, as a duration (30d, 12w).")
        var since = "90d"

        @Option(help: "Where to write the model file.")
        var out: String

        @Option(help: "The seed of the shuffle and of the held-out tenth.")
        var seed: UInt64 = 1

        @Option(help: "L-BFGS iterations at most.")
        var iterations = 300

        @Option(help: "Feature buckets (a power of two).")
        var buckets = ModelTraining.Options().buckets

        @Option(help: "The L2 penalty per example (1 / (C × examples) in scikit-learn's terms).")
        var l2: Float = ModelTraining.Options().l2

        @Option(help: "The share of clean held-out comments the suggested threshold approves.")
        var targetClean = ModelTraining.Options().targetCleanApproval

        @Option(help: "Where the data comes from, and its license, for the model's provenance.")
        var source: String?

        @Option(help: "The policy whose rules the threshold is chosen beside (default: the built-in Standards Board Policy).")
        var policy: String?

        @Option(
            help: ArgumentHelp(
                "A file of texts known to be clean, one a line (everyday words or phrases), learned as extra clean examples.",
                discussion:
                    "They teach the model that a word's fragments alone are no evidence. Lines the policy's rules hold or reject are left out; the threshold is still chosen on the labelled comments."
            )
        )
        var cleanTexts: String?

        @Option(help: "What one line of --clean-texts weighs against one labelled clean comment.")
        var cleanTextsWeight: Float = ModelTraining.Options().extraCleanWeight

        func validate() throws {
            guard buckets > 0, buckets & (buckets - 1) == 0, buckets <= 1 << 20 else {
                throw ValidationError("--buckets must be a power of two up to 2^20")
            }
            guard (1...10_000).contains(iterations) else { throw ValidationError("--iterations must be 1…10000") }
            guard l2 >= 0, l2 < 1 else { throw ValidationError("--l2 must be at least 0 and below 1") }
            guard (0.5...1).contains(targetClean) else { throw ValidationError("--target-clean must be between 0.5 and 1") }
            guard (file == nil) == fromDatabase else { throw ValidationError("give a labelled FILE or --from-database, one of the two") }
            guard parseDuration(since) != nil else { throw ValidationError("--since must be a duration like 30d or 12w") }
            guard cleanTextsWeight > 0, cleanTextsWeight <= 1 else { throw ValidationError("--clean-texts-weight must be above 0 and at most 1") }
        }

        /// The lines of --clean-texts that hold text.
        func extraClean() throws -> [String] {
            guard let cleanTexts else { return [] }
            do {
                return try String(contentsOfFile: cleanTexts, encoding: .utf8).split(whereSeparator: \.isNewline)
                    .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            } catch {
                printError("cannot read \(cleanTexts): \(error.localizedDescription)")
                throw ExitCode.failure
            }
        }

        /// The labelled comments, the clean label they use, where they come from, and (from the database) when the newest
        /// of them was decided.
        func examples() async throws -> (rows: [LabelledEvaluation.Row], clean: String, source: String, newest: Date?) {
            if let file {
                let rows = try LabelledFileOptions.rows(file, textColumn: textColumn, labelColumn: labelColumn)
                return (rows, cleanLabel, URL(fileURLWithPath: file).lastPathComponent, nil)
            }
            let start = Date().addingTimeInterval(-Double(parseDuration(since) ?? 0))
            let decided = try await withDatabase { try await ModeratorLabels.since(start, on: $0) }
            guard !decided.isEmpty else {
                printError("no moderator approved or rejected a comment in the last \(since): nothing to learn from")
                throw ExitCode.failure
            }
            return (
                decided.map { LabelledEvaluation.Row(label: $0.outcome.rawValue, text: $0.body) }, "approve",
                "moderator decisions since \(iso(start))",
                decided.map(\.decidedAt).max()
            )
        }

        func run() async throws {
            let (rows, clean, trainedFrom, newest) = try await examples()
            var options = ModelTraining.Options()
            options.extraCleanWeight = cleanTextsWeight
            options.seed = seed
            options.iterations = iterations
            options.buckets = buckets
            options.targetCleanApproval = targetClean
            options.l2 = l2
            var provenance = [
                "trained_from": trainedFrom, "examples": String(rows.count), "seed": String(seed), "l2": String(l2), "clean_label": clean,
            ]
            if let source { provenance["source"] = source }
            let started = ContinuousClock.now
            if let newest { provenance["labels_until"] = iso(newest) }
            // The rules beside the model: the policy's, without a model of its own.
            let rules = try PolicyCommand.load(policy, leavingOut: \.isLearnedModel)
            let context = EvaluationContext.textOnly(now: Date())
            let blocked = rows.map { rules.evaluate($0.text, context: context).outcome != .approve }
            // A clean text the rules hold or reject (a listed slur among everyday words) is not learned as clean.
            let extra = try extraClean().filter { rules.evaluate($0, context: context).outcome == .approve }
            if let cleanTexts {
                provenance["clean_texts"] = "\(extra.count) from \(URL(fileURLWithPath: cleanTexts).lastPathComponent), weight \(cleanTextsWeight)"
            }
            let (model, report) = ModelTraining.train(
                rows,
                cleanLabel: clean,
                blockedByRules: blocked,
                extraClean: extra,
                options: options,
                provenance: provenance
            )
            let text = ModelFile(model).text()
            do {
                try text.write(toFile: out, atomically: true, encoding: .utf8)
            } catch {
                printError("cannot write \(out): \(error.localizedDescription)")
                throw ExitCode.failure
            }
            let seconds = (ContinuousClock.now - started) / .seconds(1)
            if report.extraClean > 0 {
                print("learned \(report.extraClean) clean texts from \(cleanTexts ?? "") beside the comments (those the rules pass)")
            }
            print(
                String(
                    format:
                        "trained on %d comments, %d iterations, in %.1f s; threshold %.3f: with the rules, %d-fold cross-validation approves %.1f %% of the clean comments and blocks %.1f %% of the others; %@ (%d bytes)",
                    report.examples,
                    report.iterations,
                    seconds,
                    report.threshold,
                    report.folds,
                    100 * report.cleanApproved,
                    100 * report.badBlocked,
                    out,
                    text.utf8.count
                )
            )
        }
    }

    struct Evaluate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a model's clean approved, bad blocked and precision at thresholds, alone and with a policy's rules."
        )

        @OptionGroup var labelled: LabelledFileOptions

        @Option(help: "The model file.")
        var model: String

        @Option(help: "A policy file whose rules judge beside the model, its own model left out (default: the built-in policy).")
        var policy: String?

        @Option(help: "The clean-approval share to find the threshold for (rules and model together).")
        var targetClean = 0.97

        func run() async throws {
            let rows = try labelled.rows()
            let abuse = try ModelCommand.load(model)
            let evaluation = ModelEvaluation(
                rows: rows,
                cleanLabel: labelled.cleanLabel,
                model: abuse,
                policy: try PolicyCommand.load(policy, leavingOut: \.isLearnedModel),
                target: targetClean
            )
            print("\(rows.count) labelled comments from \(labelled.file); model threshold \(abuse.threshold)")
            print(evaluation.render(), terminator: "")
            if let threshold = evaluation.thresholdForTarget, let figures = evaluation.atTarget {
                print(
                    String(
                        format:
                            "threshold for %.1f %% clean approved with the rules: %.3f (clean approved %.1f %%, bad blocked %.1f %%, precision %.1f %%)",
                        100 * targetClean,
                        threshold,
                        100 * figures.cleanApproved,
                        100 * figures.badBlocked,
                        100 * figures.precision
                    )
                )
            } else {
                print(String(format: "no threshold reaches %.1f %% clean approved with the rules", 100 * targetClean))
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a model file: its provenance, size and threshold.")

        @Argument(help: "The model file.")
        var file: String

        func run() async throws {
            let model = try ModelCommand.load(file)
            print("model: \(file)")
            print("buckets: \(model.buckets), non-zero weights: \(model.weights.filter { $0 != 0 }.count), threshold: \(model.threshold)")
            for (key, value) in model.provenance.sorted(by: { $0.key < $1.key }) { print("\(key): \(value)") }
        }
    }
}

/// A labelled file and its columns: what `modctl policy evaluate` and `modctl model train|evaluate` read.
struct LabelledFileOptions: ParsableArguments {
    @Argument(help: "A labelled file (.tsv with a header line, or .jsonl).")
    var file: String

    @Option(help: "The column that holds the comment.")
    var textColumn = "text"

    @Option(help: "The column that holds the label.")
    var labelColumn = "label"

    @Option(help: "The label of comments that should be approved; every other label is abuse.")
    var cleanLabel = "none"

    func rows() throws -> [LabelledEvaluation.Row] {
        try Self.rows(file, textColumn: textColumn, labelColumn: labelColumn)
    }

    /// Reads a labelled file, printing why when it cannot be read.
    static func rows(_ file: String, textColumn: String, labelColumn: String) throws -> [LabelledEvaluation.Row] {
        let contents: String
        do {
            contents = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            printError("cannot read \(file): \(error.localizedDescription)")
            throw ExitCode.failure
        }
        do {
            return try LabelledEvaluation.read(contents, jsonLines: file.hasSuffix(".jsonl"), textColumn: textColumn, labelColumn: labelColumn)
        } catch let error as LabelledEvaluation.FormatError {
            printError("\(file): \(error)")
            throw ExitCode.failure
        }
    }
}
