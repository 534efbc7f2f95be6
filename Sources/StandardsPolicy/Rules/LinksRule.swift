/// Links, domain names and spoken or disguised addresses, except to the site's own domains.
public struct LinksRule: RuleType {
    public static let kind = "links"
    public static var readsText: Bool { true }
    public static let parameterNames: Set<String> = ["shorteners"]
    public var shorteners: [String]

    public static func read(_ parameters: inout RuleParameters) -> LinksRule? {
        LinksRule(shorteners: parameters.strings("shorteners")?.map { $0.lowercased() } ?? Links.defaultShorteners)
    }

    public var parameters: String { "shorteners \(shorteners.sorted().joined(separator: ","))" }

    public func evaluate(_ input: inout RuleInput, rule: Int, into hits: inout [Hit]) {
        guard input.text.mightContainLinks else { return }
        let found = input.links()
        if found.candidates.isEmpty { return }
        for link in found.links(siteDomains: input.policy.document.siteDomains, shorteners: shorteners) {
            hits.append(input.hit(rule, range: link.range))
        }
    }
}
