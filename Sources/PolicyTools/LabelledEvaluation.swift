public import Foundation
public import StandardsPolicy

/// `modctl policy evaluate`: how a policy judges a file of comments that people have labelled, per label: how many it
/// approves, holds and rejects, and why. The figures a Standards Board reads first: clean comments approved, and bad
/// ones blocked (held or rejected).
public struct LabelledEvaluation: Sendable {
    /// One labelled comment.
    public struct Row: Sendable, Equatable {
        public var label: String
        public var text: String

        public init(label: String, text: String) {
            self.label = label
            self.text = text
        }
    }

    /// What went wrong reading a labelled file.
    public struct FormatError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Reads a labelled file: tab-separated with a header line naming the columns (`.tsv`, the usual form of published
    /// sets), or JSON lines with the columns as keys (`.jsonl`). Blank lines are skipped; a line without the columns is
    /// an error naming the line.
    public static func read(_ contents: String, jsonLines: Bool, textColumn: String, labelColumn: String) throws -> [Row] {
        // "\r\n" is one Character: both line ends split.
        var lines = contents.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
        if jsonLines {
            return try lines.enumerated().compactMap { number, line in
                guard !line.allSatisfy(\.isWhitespace) else { return nil }
                guard let object = try? JSONDecoder().decode([String: Field].self, from: Data(line.utf8)),
                    case .text(let text)? = object[textColumn], let label = object[labelColumn]?.description
                else { throw FormatError(description: "line \(number + 1): not a JSON object with \"\(textColumn)\" and \"\(labelColumn)\"") }
                return Row(label: label, text: text)
            }
        }
        guard !lines.isEmpty else { throw FormatError(description: "the file is empty") }
        let header = lines.removeFirst().split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        guard let textIndex = header.firstIndex(of: textColumn) else {
            throw FormatError(description: "no column \"\(textColumn)\" in the header (\(header.joined(separator: ", ")))")
        }
        guard let labelIndex = header.firstIndex(of: labelColumn) else {
            throw FormatError(description: "no column \"\(labelColumn)\" in the header (\(header.joined(separator: ", ")))")
        }
        return try lines.enumerated().compactMap { number, line in
            guard !line.isEmpty else { return nil }
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == header.count else {
                throw FormatError(description: "line \(number + 2): \(fields.count) fields, the header has \(header.count)")
            }
            return Row(label: String(fields[labelIndex]), text: String(fields[textIndex]))
        }
    }

    /// A field of a JSON line: the text is a string, a label a string, number or boolean.
    enum Field: Decodable, CustomStringConvertible {
        case text(String)
        case other(String)

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let text = try? container.decode(String.self) {
                self = .text(text)
            } else if let number = try? container.decode(Int64.self) {
                self = .other(String(number))
            } else if let number = try? container.decode(Double.self) {
                self = .other(String(number))
            } else if let flag = try? container.decode(Bool.self) {
                self = .other(String(flag))
            } else {
                self = .other("null")
            }
        }

        var description: String {
            switch self {
            case .text(let text), .other(let text): text
            }
        }
    }

    /// The figures for one label.
    public struct LabelFigures: Sendable, Equatable {
        public var label: String
        public var count = 0
        public var approved = 0
        public var held = 0
        public var rejected = 0
        /// Comments per reason code (a comment counts once per reason it has).
        public var reasons: [String: Int] = [:]
        /// Comments per matched text (folded), for the term rules: what the lists catch, or wrongly catch.
        public var matches: [String: Int] = [:]

        public var blocked: Int { held + rejected }

        public init(label: String) { self.label = label }

        func share(_ part: Int) -> Double { count == 0 ? 0 : 100 * Double(part) / Double(count) }

        /// The `limit` commonest entries of `counts`, most first (ties by name, so the output is stable).
        static func top(_ counts: [String: Int], _ limit: Int) -> [(String, Int)] {
            Array(counts.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.prefix(limit)).map { ($0.key, $0.value) }
        }
    }

    /// The figures per label, in order of first appearance, and the clean label's name.
    public private(set) var labels: [LabelFigures] = []
    public let cleanLabel: String
    /// Up to `sampleLimit` texts per label that went the wrong way (a clean one blocked, a bad one approved), for
    /// finding classes of error.
    public private(set) var wrong: [String: [String]] = [:]
    let sampleLimit: Int

    /// Judges every row with `policy` in the text-only context (``EvaluationContext/textOnly(now:)``): only the text
    /// decides.
    public init(rows: [Row], policy: CompiledPolicy, cleanLabel: String, sampleLimit: Int = 0, now: Date = Date()) {
        self.cleanLabel = cleanLabel
        self.sampleLimit = sampleLimit
        let context = EvaluationContext.textOnly(now: now)
        var index: [String: Int] = [:]
        for row in rows {
            let position: Int
            if let known = index[row.label] {
                position = known
            } else {
                position = labels.count
                index[row.label] = position
                labels.append(LabelFigures(label: row.label))
            }
            let verdict = policy.evaluate(row.text, context: context)
            labels[position].count += 1
            switch verdict.outcome {
            case .approve: labels[position].approved += 1
            case .hold: labels[position].held += 1
            case .reject: labels[position].rejected += 1
            }
            for reason in verdict.reasons { labels[position].reasons[reason, default: 0] += 1 }
            for matched in Set(verdict.hits.compactMap { $0.start == nil ? nil : $0.matched.map(TextNormalizer.fold) }) {
                labels[position].matches[matched, default: 0] += 1
            }
            let isClean = row.label == cleanLabel
            if isClean != (verdict.outcome == .approve), wrong[row.label, default: []].count < sampleLimit {
                wrong[row.label, default: []].append(row.text)
            }
        }
    }

    /// The report as text: one table of the figures, then the commonest reasons and matches per label.
    public func render(top: Int = 8) -> String {
        func percent(_ value: Double) -> String { String(format: "%.1f %%", value) }
        var out = "label        comments  approved   held      rejected  blocked\n"
        for figures in labels {
            let name = figures.label == cleanLabel ? "\(figures.label) (clean)" : figures.label
            out += name.padding(toLength: 13, withPad: " ", startingAt: 0)
            out += String(figures.count).padding(toLength: 10, withPad: " ", startingAt: 0)
            for part in [figures.approved, figures.held, figures.rejected, figures.blocked] {
                out += percent(figures.share(part)).padding(toLength: 10, withPad: " ", startingAt: 0)
            }
            out += "\n"
        }
        for figures in labels {
            let side = figures.label == cleanLabel ? "blocked (wrongly)" : "blocked"
            out += "\n\(figures.label): \(side) \(figures.blocked) of \(figures.count)\n"
            let reasons = LabelFigures.top(figures.reasons, top).map { "\($0) \($1)" }
            out += "  reasons: \(reasons.isEmpty ? "none" : reasons.joined(separator: ", "))\n"
            let matches = LabelFigures.top(figures.matches, top).map { "\($0) \($1)" }
            out += "  matched: \(matches.isEmpty ? "none" : matches.joined(separator: ", "))\n"
            for text in wrong[figures.label] ?? [] {
                out += "  \(figures.label == cleanLabel ? "blocked" : "approved"): \(text)\n"
            }
        }
        return out
    }
}
