/// A messenger handle given for readers to write to (spam that leaves no link): a messenger's name from the rule's
/// terms (카톡, 텔레그램, telegram, …) followed, within `proximity` characters, by an ID: one written after `@` or after
/// an ID label (`id`, `아이디`), or one with a digit or an underscore in it (`toto_vip`, `abc1234`). The name alone
/// (카톡으로 연락주세요) is no hit.
public struct ContactHandleRule: TermListRule {
    public static let kind = "contact_handle"
    public static var readsText: Bool { true }
    public static let parameterNames: Set<String> = ["proximity"]
    public var terms: [Term]
    public var allow: [Term]
    public var proximity: Int

    public static func read(_ parameters: inout RuleParameters) -> ContactHandleRule? {
        let terms = parameters.terms(inline: "terms", file: "terms_file")
        let allow = parameters.terms(inline: "allow", file: "allow_file")
        if terms.isEmpty { parameters.problem("a contact_handle rule needs the messengers' names as terms or terms_file") }
        return ContactHandleRule(terms: terms, allow: allow, proximity: parameters.int("proximity", range: 1...100) ?? 16)
    }

    public var parameters: String { "proximity \(proximity)" }

    public func evaluate(_ input: inout RuleInput, rule: Int, into hits: inout [Hit]) {
        var scalars: [UInt32]?
        for found in input.termHits where found.rule == rule {
            // Read only when a messenger is named: the original text's scalars, which the term hits count in.
            if scalars == nil { scalars = input.text.original.unicodeScalars.map(\.value) }
            if let end = Self.handleEnd(in: scalars!, after: found.range.upperBound, within: proximity) {
                hits.append(input.hit(rule, range: found.range.lowerBound..<end))
            }
        }
    }

    /// Where the ID after a messenger's name ends, if one follows within `proximity` scalars of `start`.
    static func handleEnd(in scalars: [UInt32], after start: Int, within proximity: Int) -> Int? {
        var index = start
        var labelled = false
        let limit = min(scalars.count, start + proximity)
        func isSpacing(_ scalar: UInt32) -> Bool { TextNormalizer.isWhitespace(scalar) || ":-=·/()[]".unicodeScalars.contains { $0.value == scalar } }
        func follows(_ label: String) -> Bool {
            let label = label.unicodeScalars.map(\.value)
            guard index + label.count <= scalars.count else { return false }
            return zip(label, scalars[index...]).allSatisfy { expected, scalar in expected == (scalar | (scalar < 0x80 ? 0x20 : 0)) }
        }
        while index < limit {
            if isSpacing(scalars[index]) {
                index += 1
            } else if let label = ["아이디", "아디", "id"].first(where: follows) {
                labelled = true
                index += label.unicodeScalars.count
            } else {
                break
            }
        }
        guard index < limit else { return nil }
        let at = scalars[index] == 0x40 || scalars[index] == 0xFF20
        if at { index += 1 }
        let handleStart = index
        var marked = false
        func isHandle(_ scalar: UInt32) -> Bool {
            (0x61...0x7A).contains(scalar | 0x20) || (0x30...0x39).contains(scalar) || scalar == 0x5F || scalar == 0x2E || scalar == 0x2D
        }
        while index < scalars.count, isHandle(scalars[index]), index - handleStart < 32 {
            if (0x30...0x39).contains(scalars[index]) || scalars[index] == 0x5F { marked = true }
            index += 1
        }
        // Trailing dots and hyphens are the sentence's, not the ID's.
        while index > handleStart, scalars[index - 1] == 0x2E || scalars[index - 1] == 0x2D { index -= 1 }
        guard index - handleStart >= 3, at || labelled || marked else { return nil }
        return index
    }
}
