import Foundation
import Testing

@testable import StandardsPolicy

/// A rule kind added the way ENGINE.md says (one type, one registration), as a newcomer would: it reads a parameter,
/// loads, shows in a policy diff, and fires for an ordinary reader in good standing, where a hand-kept "quiet context"
/// shortcut once kept a new context rule from ever running.
struct NightOwlRule: RuleType {
    static let kind = "night_owl"
    static let parameterNames: Set<String> = ["from_hour"]
    static var readsText: Bool { false }
    var fromHour: Int

    static func read(_ parameters: inout RuleParameters) -> NightOwlRule? {
        NightOwlRule(fromHour: parameters.int("from_hour", range: 0...23) ?? 2)
    }

    var parameters: String { "from hour \(fromHour)" }

    func evaluate(_ input: inout RuleInput, rule: Int, into hits: inout [Hit]) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Seoul")!
        let hour = calendar.component(.hour, from: input.context.now)
        if hour >= fromHour, hour < 6 { hits.append(input.hit(rule, matched: "posted at \(hour) o'clock")) }
    }
}

@Suite
struct RuleTypeTests {
    static let yaml = """
        version: "t1"
        login: {providers: [twitter]}
        reason_codes: [profanity, login_required, processing_error, other]
        rules:
          - {id: words, kind: terms, action: reject, reason: profanity, category: profanity, terms: [darn]}
          - {id: late, kind: night_owl, action: hold, reason: other, category: behaviour, params: {from_hour: 1}}
        """

    static func policy(_ yaml: String = yaml) throws -> CompiledPolicy {
        try CompiledPolicy(
            bundle: PolicyBundle(mainFile: "policy.yaml", files: ["policy.yaml": yaml]),
            ruleTypes: RuleTypes.standard + [NightOwlRule.self]
        )
    }

    @Test func anAddedRuleKindFiresForAnOrdinaryReader() throws {
        let policy = try Self.policy()
        // 03:30 in Seoul, an ordinary reader: verified, allowed, in good standing, nothing recent.
        let night = Date(timeIntervalSince1970: 1_795_890_600)
        let verdict = policy.evaluate("좋은 기사 감사합니다", context: .textOnly(now: night))
        #expect(verdict.outcome == .hold, "\(verdict.hits)")
        #expect(verdict.hits.first?.rule == "late")
        let noon = Date(timeIntervalSince1970: 1_795_921_200)
        #expect(policy.evaluate("좋은 기사 감사합니다", context: .textOnly(now: noon)).outcome == .approve)
        // Text over the byte cap is judged by the rules that do not read text: the added one is among them.
        #expect(policy.evaluate(String(repeating: "a", count: 50_000), context: .textOnly(now: night)).hits.contains { $0.rule == "late" })
    }

    @Test func anAddedRuleKindIsValidatedAndDiffedLikeAnyOther() throws {
        func issues(_ yaml: String) -> [String] {
            do {
                _ = try Self.policy(yaml)
                return []
            } catch let error as PolicyError {
                return error.issues.map(\.message)
            } catch {
                return ["\(error)"]
            }
        }
        #expect(issues(Self.yaml.replacingOccurrences(of: "from_hour: 1", with: "from_hour: 30")).contains { $0.contains("from_hour") })
        #expect(issues(Self.yaml.replacingOccurrences(of: "from_hour: 1", with: "until: 1")).contains { $0.contains("until") })
        #expect(issues(Self.yaml.replacingOccurrences(of: "params: {from_hour: 1}", with: "terms: [x]")).contains { $0.contains("only terms rules") })
        // Without its registration the kind is unknown, with the line it is on.
        do {
            _ = try CompiledPolicy(bundle: PolicyBundle(mainFile: "policy.yaml", files: ["policy.yaml": Self.yaml]))
            Issue.record("an unregistered kind loaded")
        } catch let error as PolicyError {
            #expect(error.issues.contains { $0.message.contains("unknown kind 'night_owl'") && $0.line == 6 }, "\(error.issues)")
        }
        let before = try Self.policy().document
        let after = try Self.policy(Self.yaml.replacingOccurrences(of: "from_hour: 1", with: "from_hour: 3")).document
        #expect(PolicyDiff.between(before, after).changed == [PolicyDiff.RuleChange(rule: "late", changes: ["parameters from hour 1 → from hour 3"])])
    }

    /// Every standard kind has a distinct name and loads in a policy of its own, with no parameters or its defaults (a
    /// kind that takes term lists, with one term).
    @Test func everyStandardKindLoadsByItsName() throws {
        #expect(Set(RuleTypes.standard.map { $0.kind }).count == RuleTypes.standard.count)
        for type in RuleTypes.standard where type.kind != "rate_limit" {
            // A kind that takes term lists gets one term; the model kind, a model file beside the policy.
            let terms = type.takesTermLists ? ", terms: [x]" : type.kind == "model" ? ", params: {model_file: m.json}" : ""
            let yaml = """
                version: "t1"
                login: {providers: [twitter]}
                reason_codes: [login_required, processing_error, other]
                rules:
                  - {id: r, kind: \(type.kind), action: hold, reason: other, category: x\(terms)}
                """
            let files = ["policy.yaml": yaml, "m.json": ModelFile(AbuseModel(buckets: 4)).text()]
            let policy = try CompiledPolicy(bundle: PolicyBundle(mainFile: "policy.yaml", files: files))
            #expect(policy.document.rules[0].kindName == type.kind)
        }
    }
}
