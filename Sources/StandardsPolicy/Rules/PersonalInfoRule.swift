/// Personal information: phone numbers, registration numbers, card numbers, bank accounts near a bank word, and
/// e-mail addresses, of the kinds `detect` asks for.
public struct PersonalInfoRule: RuleType {
    public static let kind = "personal_info"
    public static var readsText: Bool { true }
    public static let parameterNames: Set<String> = ["detect", "bank_words", "proximity"]
    public var detect: Set<PersonalInfoKind>
    public var bankWords: [String]
    public var proximity: Int
    /// `detect` as bits and the bank words lowercased, made once per policy.
    let kinds: PersonalInfo.Kinds
    let loweredBankWords: [[UInt32]]

    public init(detect: Set<PersonalInfoKind>, bankWords: [String], proximity: Int) {
        self.detect = detect
        self.bankWords = bankWords
        self.proximity = proximity
        kinds = PersonalInfo.Kinds(detect)
        loweredBankWords = bankWords.map(PersonalInfo.lowered)
    }

    public static func read(_ parameters: inout RuleParameters) -> PersonalInfoRule? {
        let names = parameters.strings("detect", allowed: PersonalInfoKind.allCases.map(\.rawValue), what: "detector")
        return PersonalInfoRule(
            detect: names.map { Set($0.compactMap(PersonalInfoKind.init(rawValue:))) } ?? Set(PersonalInfoKind.allCases),
            bankWords: parameters.strings("bank_words") ?? PersonalInfo.defaultBankWords,
            proximity: parameters.int("proximity", range: 1...200) ?? 24
        )
    }

    public var parameters: String {
        "kinds \(detect.map(\.rawValue).sorted().joined(separator: ",")), bank words \(bankWords.sorted().joined(separator: ",")), "
            + "proximity \(proximity)"
    }

    public func evaluate(_ input: inout RuleInput, rule: Int, into hits: inout [Hit]) {
        let text = input.text
        // The link scan is shared with the links rule, and runs only for a text where something may be a link or address.
        let links = input.links()
        for finding in PersonalInfo.find(in: text, kinds: kinds, bankWords: loweredBankWords, proximity: proximity, links: links) {
            var found = input.hit(rule, range: finding.range)
            found.matched = "\(finding.kind.rawValue): " + CompiledPolicy.mask(found.matched ?? "")
            hits.append(found)
        }
    }
}
