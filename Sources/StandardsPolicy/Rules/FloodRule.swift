/// One character repeated `max_run` times (those in `ignore`, laughter and the like, `max_ignored_run` times: ㅋㅋㅋ is
/// laughter, sixty of them a flood), one word repeated `max_repeated_word` times, or more than `max_lines` line breaks.
public struct FloodRule: RuleType {
    public static let kind = "flood"
    public static var readsText: Bool { true }
    public static let parameterNames: Set<String> = ["max_run", "ignore", "max_ignored_run", "max_repeated_word", "max_lines"]
    public var maxRun: Int
    public var ignored: Set<UInt32>
    public var maxIgnoredRun: Int
    public var maxRepeatedWord: Int
    public var maxLines: Int

    public static func read(_ parameters: inout RuleParameters) -> FloodRule? {
        FloodRule(
            maxRun: parameters.int("max_run", range: 3...1000) ?? 12,
            ignored: Set((parameters.string("ignore") ?? "ㅋㅎㅠㅜ.!?~ㅡ-=^*").unicodeScalars.map(\.value)),
            maxIgnoredRun: parameters.int("max_ignored_run", range: 3...10_000) ?? 30,
            maxRepeatedWord: parameters.int("max_repeated_word", range: 2...1000) ?? 6,
            maxLines: parameters.int("max_lines", range: 1...1000) ?? 15
        )
    }

    public var parameters: String {
        "max run \(maxRun), ignored \(ignored.sorted().map { String($0, radix: 16) }.joined(separator: ",")) up to \(maxIgnoredRun), "
            + "max repeated word \(maxRepeatedWord), max lines \(maxLines)"
    }

    public func evaluate(_ input: inout RuleInput, rule: Int, into hits: inout [Hit]) {
        let text = input.text
        for range in Flood.find(text, maxRun: maxRun, ignored: ignored, maxIgnoredRun: maxIgnoredRun, maxRepeatedWord: maxRepeatedWord) {
            hits.append(input.hit(rule, range: range))
        }
        if text.lineCount > maxLines { hits.append(input.hit(rule, matched: "\(text.lineCount) line breaks, limit \(maxLines)")) }
    }
}
