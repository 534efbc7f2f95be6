import Foundation
import PolicyTools
import StandardsPolicy

// Measures the Standards Board Policy engine on one core, beside a naive baseline measured in the same run: every
// term of the default policy in one regular expression with word boundaries (NSRegularExpression, case-insensitive).
//
//   policy-benchmark                       figures for the default policy
//   policy-benchmark --write-jsonl FILE [--count N]   write N comments as JSON lines for `modctl policy check --jsonl`
//   policy-benchmark --fuzz N              judge N adversarial texts (Adversarial.swift); exits non-zero on any broken
//                                          verdict, and a trap ends the process (run on the release build by the tests)

/// Resident memory of this process, from /proc (Linux).
func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    return fields.count > 1 ? (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE))) : 0
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

let arguments = CommandLine.arguments
if let index = arguments.firstIndex(of: "--write-jsonl"), index + 1 < arguments.count {
    let count = arguments.firstIndex(of: "--count").flatMap { Int(arguments[$0 + 1]) } ?? 200_000
    let comments = Corpus.make(count: count, seed: 7)
    var text = ""
    for (id, body) in comments.enumerated() {
        let escaped = body.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        text += "{\"id\":\(id),\"body\":\"\(escaped)\"}\n"
    }
    try text.write(toFile: arguments[index + 1], atomically: true, encoding: .utf8)
    print("wrote \(count) lines to \(arguments[index + 1])")
    exit(0)
}

if let index = arguments.firstIndex(of: "--fuzz"), index + 1 < arguments.count, let count = Int(arguments[index + 1]) {
    let policy = try CompiledPolicy.standardsBoard()
    var generator = Corpus.Generator(state: 20_261_203)
    var outcomes = [Int](repeating: 0, count: Action.allCases.count)
    var broken = 0
    let start = ContinuousClock.now
    for _ in 0..<count {
        let text = Adversarial.text(&generator)
        let scalars = text.unicodeScalars.count
        let verdict = policy.evaluate(text, context: .textOnly())
        _ = policy.checkFormat(text)
        outcomes[Action.allCases.firstIndex(of: verdict.outcome)!] += 1
        let spansHold = verdict.hits.allSatisfy { hit in
            guard let start = hit.start, let end = hit.end else { return hit.start == nil && hit.end == nil }
            return 0 <= start && start <= end && end <= scalars
        }
        if !spansHold || verdict.outcome != (verdict.hits.map(\.action).max() ?? .approve) {
            broken += 1
            if broken <= 5 { print("broken verdict for \(text.unicodeScalars.prefix(40).map { String($0.value, radix: 16) })") }
        }
    }
    let elapsed = seconds(ContinuousClock.now - start)
    print(
        "fuzz: \(count) adversarial texts in \(String(format: "%.1f", elapsed)) s, no trap; approve \(outcomes[0]), hold \(outcomes[1]), "
            + "reject \(outcomes[2]); broken verdicts: \(broken)"
    )
    exit(broken == 0 ? 0 : 1)
}

let corpus = Corpus.make(count: arguments.firstIndex(of: "--corpus").flatMap { Int(arguments[$0 + 1]) } ?? 100_000, seed: 1)
let averageCharacters = Double(corpus.reduce(0) { $0 + $1.count }) / Double(corpus.count)

let before = residentBytes()
let compileStart = ContinuousClock.now
// `--policy FILE`: another policy folder (one with a model rule, say); the default is the built-in policy.
let policy = try arguments.firstIndex(of: "--policy").map { try CompiledPolicy(contentsOf: arguments[$0 + 1]) } ?? CompiledPolicy.standardsBoard()
let compileTime = ContinuousClock.now - compileStart
let after = residentBytes()

// The shared build machine's speed drifts by tens of percent within a minute, so the engine and the baseline are
// measured in alternating rounds, and each figure is the median of its rounds (the best round is printed beside it).
let context = EvaluationContext.textOnly()
/// Verdicts per outcome, indexed like `Action.allCases` (an array, so the harness adds no hashing to the engine's time).
var outcomes = [Int](repeating: 0, count: Action.allCases.count)
for comment in corpus.prefix(5_000) { _ = policy.evaluate(comment, context: context) }

/// One engine round: a whole pass over the corpus. Returns verdicts per second.
@MainActor func engineRound() -> Double {
    let start = ContinuousClock.now
    for comment in corpus {
        switch policy.evaluate(comment, context: context).outcome {
        case .approve: outcomes[0] += 1
        case .hold: outcomes[1] += 1
        case .reject: outcomes[2] += 1
        }
    }
    return Double(corpus.count) / seconds(ContinuousClock.now - start)
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

let rounds = arguments.firstIndex(of: "--rounds").flatMap { Int(arguments[$0 + 1]) } ?? 7
if arguments.contains("--engine-only") {
    let rates = (0..<rounds).map { _ in engineRound() }
    print("engine: \(Int(median(rates))) verdicts/s (median of \(rounds) rounds; best \(Int(rates.max()!)))")
    exit(0)
}

// The baseline: the same terms as one alternation, matched on the raw text.
var terms: [String] = []
for rule in policy.document.rules {
    if let list = rule.kind as? TermsRule { terms += list.terms.map(\.text) }
}
let pattern = "\\b(?:" + terms.map { NSRegularExpression.escapedPattern(for: $0) }.joined(separator: "|") + ")\\b"
let regex = try NSRegularExpression(pattern: pattern, options: [.caseInsensitive])
var baselineMatches = 0

/// One baseline round: the first 10,000 comments of the corpus. Returns comments per second.
@MainActor func baselineRound() -> Double {
    let start = ContinuousClock.now
    for comment in corpus.prefix(10_000) {
        let range = NSRange(comment.startIndex..<comment.endIndex, in: comment)
        if regex.firstMatch(in: comment, options: [], range: range) != nil { baselineMatches += 1 }
    }
    return 10_000 / seconds(ContinuousClock.now - start)
}

var engineRates: [Double] = []
var baselineRates: [Double] = []
for _ in 0..<rounds {
    engineRates.append(engineRound())
    baselineRates.append(baselineRound())
}
let engineRate = median(engineRates)
let baselineRate = median(baselineRates)
let evaluated = corpus.count * rounds

func format(_ value: Double) -> String { String(format: "%.0f", value) }
print("Standards Board Policy engine, one core, \(corpus.count) comments (\(String(format: "%.1f", averageCharacters)) characters on average)")
print(
    "policy: version \(policy.version), \(policy.document.rules.count) rules, \(policy.termCount) terms, automaton \(policy.automatonStates) states"
)
print(
    "compile: \(String(format: "%.1f", seconds(compileTime) * 1000)) ms; resident memory grew \(String(format: "%.1f", Double(after - before) / 1_048_576)) MB (automaton tables \(String(format: "%.2f", Double(policy.automatonBytes) / 1_048_576)) MB); process RSS \(String(format: "%.1f", Double(after) / 1_048_576)) MB"
)
print("rounds:   \(rounds), alternating; figures are medians")
print("engine:   \(format(engineRate)) verdicts/s (full verdict: limits, views, every rule; best round \(format(engineRates.max()!)))")
print(
    "baseline: \(format(baselineRate)) comments/s (one regex of \(terms.count) terms with \\b, first match only; best round \(format(baselineRates.max()!)))"
)
print("ratio:    \(String(format: "%.1f", engineRate / baselineRate))x (median over median)")
print(
    "outcomes: "
        + Action.allCases.map {
            "\($0.rawValue) \(String(format: "%.1f", 100 * Double(outcomes[Action.allCases.firstIndex(of: $0)!]) / Double(evaluated)))%"
        }.joined(
            separator: ", "
        )
)
