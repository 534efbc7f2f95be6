import Foundation
import Yams

/// Reads and validates policy documents. A policy with any problem is rejected whole, with every problem listed;
/// it is never half-loaded.
public enum PolicyLoader {
    /// Reason codes the system itself records, which every policy must list.
    public static let requiredReasonCodes = ["login_required", PolicyDocument.processingErrorReason, "other"]

    /// Parses and validates `bundle`'s main document and the term files it references.
    /// `ruleTypes` are the kinds a rule may name (``RuleTypes/standard`` unless a caller adds its own).
    public static func document(from bundle: PolicyBundle, ruleTypes: [any RuleType.Type] = RuleTypes.standard) throws -> PolicyDocument {
        var reader = Reader(bundle: bundle, ruleTypes: ruleTypes)
        let document = reader.readDocument()
        guard reader.issues.isEmpty, let document else {
            throw PolicyError(reader.issues.isEmpty ? [.init(file: bundle.mainFile, line: nil, message: "empty policy")] : reader.issues)
        }
        return document
    }

    /// The `version` a document declares, read without validating the rest (for the binaries' `--version`).
    public static func declaredVersion(in yaml: String) -> String? {
        (try? Yams.compose(yaml: yaml))?["version"]?.string
    }

    /// The `terms_file`, `allow_file` and `file` values in a document, for collecting a bundle from disk.
    public static func fileReferences(in yaml: String) -> [String] {
        guard let node = try? Yams.compose(yaml: yaml) else { return [] }
        var found: [String] = []
        func walk(_ node: Node) {
            switch node {
            case .mapping(let mapping):
                for (key, value) in mapping {
                    if let key = key.string, ["terms_file", "allow_file", "file", "model_file"].contains(key), let path = value.string {
                        found.append(path)
                    } else {
                        walk(value)
                    }
                }
            case .sequence(let sequence): sequence.forEach(walk)
            default: break
            }
        }
        walk(node)
        return found
    }

    /// `path` when it stays inside the policy's folder (relative, no `..`), else nil.
    public static func safeRelativePath(_ path: String) -> String? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        guard !path.hasPrefix("/"), !parts.isEmpty, !parts.contains(".."), !path.contains("\\") else { return nil }
        return parts.filter { $0 != "." }.joined(separator: "/")
    }

    /// Parses a duration such as `30s`, `10m`, `24h`, `7d` or `2w` into seconds: the one duration format of the policy
    /// files and the command lines.
    public static func seconds(_ text: String) -> Int? {
        guard let unit = text.last, let amount = Int(text.dropLast()), amount > 0 else { return nil }
        let (perUnit, overflow): (Int, Bool) =
            switch unit {
            case "s": (amount, false)
            case "m": amount.multipliedReportingOverflow(by: 60)
            case "h": amount.multipliedReportingOverflow(by: 3600)
            case "d": amount.multipliedReportingOverflow(by: 86_400)
            case "w": amount.multipliedReportingOverflow(by: 604_800)
            default: (0, true)
            }
        return overflow ? nil : perUnit
    }
}

/// Walks the YAML node tree, collecting issues instead of stopping at the first.
struct Reader {
    let bundle: PolicyBundle
    let ruleTypes: [any RuleType.Type]
    var issues: [PolicyError.Issue] = []

    init(bundle: PolicyBundle, ruleTypes: [any RuleType.Type]) {
        self.bundle = bundle
        self.ruleTypes = ruleTypes
    }

    mutating func issue(_ node: Node?, _ message: String, file: String? = nil) {
        issues.append(.init(file: file ?? bundle.mainFile, line: node?.mark?.line, message: message))
    }

    /// The entries of a mapping, complaining about keys not in `allowed`.
    mutating func entries(_ node: Node, allowed: Set<String>, context: String) -> [String: Node] {
        guard case .mapping(let mapping) = node else {
            issue(node, "\(context) must be a mapping")
            return [:]
        }
        var result: [String: Node] = [:]
        for (key, value) in mapping {
            guard let name = key.string else {
                issue(key, "\(context): keys must be text")
                continue
            }
            if !allowed.contains(name) {
                issue(key, "\(context): unknown key '\(name)' (expected one of: \(allowed.sorted().joined(separator: ", ")))")
            } else if result[name] != nil {
                issue(key, "\(context): '\(name)' appears twice")
            } else {
                result[name] = value
            }
        }
        return result
    }

    mutating func string(_ node: Node?, _ context: String) -> String? {
        guard let node else { return nil }
        guard case .scalar(let scalar) = node, !scalar.string.isEmpty else {
            issue(node, "\(context) must be non-empty text")
            return nil
        }
        return scalar.string
    }

    mutating func int(_ node: Node?, _ context: String, range: ClosedRange<Int>) -> Int? {
        guard let node else { return nil }
        guard let value = node.int else {
            issue(node, "\(context) must be a whole number")
            return nil
        }
        guard range.contains(value) else {
            issue(node, "\(context) must be between \(range.lowerBound) and \(range.upperBound)")
            return nil
        }
        return value
    }

    mutating func double(_ node: Node?, _ context: String, range: ClosedRange<Double>) -> Double? {
        guard let node else { return nil }
        guard let value = node.float ?? node.int.map(Double.init) else {
            issue(node, "\(context) must be a number")
            return nil
        }
        guard range.contains(value) else {
            issue(node, "\(context) must be between \(range.lowerBound) and \(range.upperBound)")
            return nil
        }
        return value
    }

    mutating func bool(_ node: Node?, _ context: String) -> Bool? {
        guard let node else { return nil }
        guard let value = node.bool else {
            issue(node, "\(context) must be true or false")
            return nil
        }
        return value
    }

    mutating func strings(_ node: Node?, _ context: String) -> [(String, Node)]? {
        guard let node else { return nil }
        guard case .sequence(let sequence) = node else {
            issue(node, "\(context) must be a list")
            return nil
        }
        var result: [(String, Node)] = []
        for item in sequence {
            if let text = string(item, "\(context) entries") { result.append((text, item)) }
        }
        return result
    }

    mutating func duration(_ node: Node?, _ context: String) -> Int? {
        guard let node, let text = string(node, context) else { return nil }
        guard let seconds = PolicyLoader.seconds(text) else {
            issue(node, "\(context) must be a duration such as 30s, 10m, 24h or 7d")
            return nil
        }
        return seconds
    }

    // MARK: The document

    mutating func readDocument() -> PolicyDocument? {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: bundle.document) else {
                issue(nil, "the policy is empty")
                return nil
            }
            root = node
        } catch {
            issues.append(.init(file: bundle.mainFile, line: Self.line(of: error), message: "not valid YAML: \(error)"))
            return nil
        }
        let top = entries(
            root,
            allowed: [
                "version", "name", "limits", "login", "site_domains", "site_time_zone", "reason_codes", "allow", "rules", "community", "privacy",
            ],
            context: "policy"
        )
        let version = top["version"].flatMap { string($0, "version") }
        if top["version"] == nil { issue(root, "policy: 'version' is required") }
        let name = top["name"].flatMap { string($0, "name") } ?? "Standards Board Policy"

        // max_bytes stops texts far beyond anything a reader types; it must never refuse a text the character count
        // accepts, so it is at least max_characters characters of max_scalars_per_character 4-byte scalars each
        // (250 × 10 × 4 = 10,000 by default: 250 of the longest emoji sequences).
        var limits = Limits(maxCharacters: 250, maxBytes: 0, maxScalarsPerCharacter: 10)
        let values =
            top["limits"].map { entries($0, allowed: ["max_characters", "max_bytes", "max_scalars_per_character"], context: "limits") } ?? [:]
        limits.maxCharacters = int(values["max_characters"], "limits.max_characters", range: 1...100_000) ?? limits.maxCharacters
        limits.maxScalarsPerCharacter =
            int(values["max_scalars_per_character"], "limits.max_scalars_per_character", range: 1...100) ?? limits.maxScalarsPerCharacter
        let fitting = limits.maxCharacters * limits.maxScalarsPerCharacter * 4
        limits.maxBytes = int(values["max_bytes"], "limits.max_bytes", range: 4...10_000_000) ?? fitting
        if let node = top["limits"], limits.maxBytes < fitting {
            issue(
                node,
                "limits.max_bytes (\(limits.maxBytes)) must be at least max_characters × max_scalars_per_character × 4 = \(fitting), "
                    + "so every text the character count accepts fits"
            )
        }

        var community = Community()
        if let node = top["community"] {
            let values = entries(node, allowed: ["flags_to_hide", "flags_per_hour", "edit_window_minutes"], context: "community")
            community.flagsToHide = int(values["flags_to_hide"], "community.flags_to_hide", range: 0...1_000) ?? community.flagsToHide
            community.flagsPerHour = int(values["flags_per_hour"], "community.flags_per_hour", range: 1...10_000) ?? community.flagsPerHour
            if let minutes = int(values["edit_window_minutes"], "community.edit_window_minutes", range: 0...1_440) {
                community.editWindowSeconds = minutes * 60
            }
        }

        var privacy = Privacy()
        if let node = top["privacy"] {
            let values = entries(node, allowed: ["erasure_grace_days", "rejected_text_days"], context: "privacy")
            privacy.erasureGraceDays = int(values["erasure_grace_days"], "privacy.erasure_grace_days", range: 0...90) ?? privacy.erasureGraceDays
            privacy.rejectedTextDays = int(values["rejected_text_days"], "privacy.rejected_text_days", range: 1...3_650)
        }

        var providers: [String] = []
        if let node = top["login"] {
            let values = entries(node, allowed: ["providers"], context: "login")
            providers = strings(values["providers"], "login.providers")?.map { $0.0.lowercased() } ?? []
        }
        if providers.isEmpty { issue(top["login"] ?? root, "login.providers must list at least one provider") }

        let siteDomains = (strings(top["site_domains"], "site_domains") ?? []).compactMap { domain, node -> String? in
            let lowered = domain.lowercased()
            guard lowered.range(of: #"^[a-z0-9-]+(\.[a-z0-9-]+)+$"#, options: .regularExpression) != nil else {
                issue(node, "site_domains: '\(domain)' is not a domain name")
                return nil
            }
            return lowered
        }

        var siteTimeZone = "UTC"
        if let node = top["site_time_zone"], let zone = string(node, "site_time_zone") {
            if TimeZone(identifier: zone) == nil {
                issue(node, "site_time_zone: '\(zone)' is not a time zone name (use an IANA name such as Asia/Seoul)")
            } else {
                siteTimeZone = zone
            }
        }

        var reasonCodes: [String] = []
        if let list = strings(top["reason_codes"], "reason_codes") {
            for (code, node) in list {
                if code.range(of: #"^[a-z][a-z0-9_]*$"#, options: .regularExpression) == nil {
                    issue(node, "reason code '\(code)' must be lowercase letters, digits and _")
                } else if reasonCodes.contains(code) {
                    issue(node, "reason code '\(code)' is listed twice")
                } else {
                    reasonCodes.append(code)
                }
            }
        } else {
            issue(root, "policy: 'reason_codes' is required")
        }
        for required in PolicyLoader.requiredReasonCodes where !reasonCodes.contains(required) && top["reason_codes"] != nil {
            issue(top["reason_codes"], "reason_codes must include '\(required)'")
        }

        var allow: [Term] = []
        if let node = top["allow"] {
            let values = entries(node, allowed: ["terms", "file"], context: "allow")
            allow = termList(inline: values["terms"], file: values["file"], context: "allow")
        }

        var rules: [Rule] = []
        if case .sequence(let list)? = top["rules"] {
            var seen: Set<String> = []
            for item in list {
                guard let rule = readRule(item, reasonCodes: reasonCodes) else { continue }
                if seen.contains(rule.id) {
                    issue(item, "rule id '\(rule.id)' is used twice")
                }
                seen.insert(rule.id)
                rules.append(rule)
            }
        } else {
            issue(top["rules"] ?? root, "policy: 'rules' must be a list")
        }
        guard let version else { return nil }
        var document = PolicyDocument(
            version: version,
            name: name,
            limits: limits,
            providers: providers,
            siteDomains: siteDomains,
            reasonCodes: reasonCodes,
            allow: allow,
            rules: rules,
            community: community,
            privacy: privacy
        )
        document.siteTimeZone = siteTimeZone
        return document
    }

    static func line(of error: any Error) -> Int? {
        let text = String(describing: error)
        guard let match = text.range(of: #"\d+:\d+"#, options: .regularExpression) else { return nil }
        return Int(text[match].split(separator: ":")[0])
    }

    // MARK: Rules

    mutating func readRule(_ node: Node, reasonCodes: [String]) -> Rule? {
        let values = entries(
            node,
            allowed: ["id", "kind", "action", "reason", "category", "params", "terms", "terms_file", "allow", "allow_file", "description"],
            context: "rule"
        )
        let line = node.mark?.line ?? 0
        guard let id = string(values["id"], "rule.id") else {
            issue(node, "rule: 'id' is required")
            return nil
        }
        let context = "rule '\(id)'"
        if id.range(of: #"^[a-z0-9][a-z0-9_.-]*$"#, options: .regularExpression) == nil {
            issue(values["id"], "\(context): ids are lowercase letters, digits, '.', '_' and '-'")
        }
        let kindName = string(values["kind"], "\(context).kind")
        if values["kind"] == nil { issue(node, "\(context): 'kind' is required") }
        let actionName = string(values["action"], "\(context).action")
        let action = actionName.flatMap(Action.init(rawValue:))
        if values["action"] == nil {
            issue(node, "\(context): 'action' is required")
        } else if action == nil {
            issue(values["action"], "\(context): action must be approve, hold or reject")
        }
        let reason = string(values["reason"], "\(context).reason")
        if values["reason"] == nil {
            issue(node, "\(context): 'reason' is required")
        } else if let reason, !reasonCodes.contains(reason) {
            issue(values["reason"], "\(context): reason '\(reason)' is not in reason_codes")
        }
        let category = string(values["category"], "\(context).category")
        if values["category"] == nil { issue(node, "\(context): 'category' is required") }

        let params = values["params"].map { $0 } ?? Node.mapping(Node.Mapping([]))
        let hasTerms = values["terms"] != nil || values["terms_file"] != nil || values["allow"] != nil || values["allow_file"] != nil
        var kind: (any RuleType)?
        if let kindName {
            if let type = ruleTypes.first(where: { $0.kind == kindName }) {
                kind = read(type, params: params, values: values, node: node, context: context)
                if !type.takesTermLists, hasTerms { issue(node, "\(context): only terms rules take terms or allow lists") }
            } else {
                issue(values["kind"], "\(context): unknown kind '\(kindName)'")
            }
        }
        guard let kind, let action, let reason, let category else { return nil }
        return Rule(
            id: id,
            kind: kind,
            action: action,
            reason: reason,
            category: category,
            location: PolicyLocation(file: bundle.mainFile, line: line)
        )
    }

    /// Lets `type` read its parameters, with this reader's checks and its issues.
    private mutating func read<Kind: RuleType>(_ type: Kind.Type, params: Node, values: [String: Node], node: Node, context: String) -> Kind? {
        let given: [String: Node]
        if Kind.parameterNames.isEmpty {
            if case .mapping(let mapping) = params, !mapping.isEmpty { issue(values["params"], "\(context): \(Kind.kind) rules take no params") }
            given = [:]
        } else {
            given = entries(params, allowed: Kind.parameterNames, context: "\(context).params")
        }
        var parameters = RuleParameters(reader: self, params: given, values: values, node: node, context: context)
        let made = Kind.read(&parameters)
        self = parameters.reader
        return made
    }

    // MARK: Term lists

    /// Terms given inline (a YAML list) and/or in a file beside the policy (one per line, `#` comments).
    mutating func termList(inline: Node?, file: Node?, context: String) -> [Term] {
        var terms: [Term] = []
        if let list = strings(inline, context) {
            for (text, node) in list {
                if let term = Self.term(text, location: PolicyLocation(file: bundle.mainFile, line: node.mark?.line ?? 0)) {
                    terms.append(term)
                } else {
                    issue(node, "\(context): '\(text)' is not a usable term")
                }
            }
        }
        if let file, let path = string(file, "\(context) file") {
            guard let relative = PolicyLoader.safeRelativePath(path) else {
                issue(file, "\(context): '\(path)' must be a relative path inside the policy's folder")
                return terms
            }
            guard let text = bundle.files[relative] else {
                issue(file, "\(context): file '\(path)' not found beside the policy")
                return terms
            }
            for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                var line = rawLine
                if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
                let entry = line.trimmingCharacters(in: .whitespacesAndNewlines)
                if entry.isEmpty { continue }
                let location = PolicyLocation(file: relative, line: index + 1)
                if let term = Self.term(entry, location: location) {
                    terms.append(term)
                } else {
                    issues.append(.init(file: relative, line: index + 1, message: "'\(entry)' is not a usable term"))
                }
            }
        }
        return terms
    }

    /// `word`, `word*` (prefix), `*word` (suffix) or `*word*` (embedded); anything with Hangul is a Korean term, matched inside words
    /// unless written `word*` (then it must begin a word).
    static func term(_ entry: String, location: PolicyLocation) -> Term? {
        var text = Substring(entry)
        let leading = text.hasPrefix("*")
        let trailing = text.hasSuffix("*")
        if leading { text = text.dropFirst() }
        if trailing { text = text.dropLast() }
        let cleaned = text.trimmingCharacters(in: .whitespaces)
        guard !cleaned.isEmpty else { return nil }
        let korean = cleaned.unicodeScalars.contains { (0xAC00...0xD7A3).contains($0.value) || (0x3131...0x318E).contains($0.value) }
        let mode: TermMode =
            korean
            ? (trailing && !leading ? .koreanWordStart : .korean) : leading && trailing ? .embedded : trailing ? .prefix : leading ? .suffix : .word
        return Term(text: cleaned, mode: mode, location: location)
    }
}

/// What a rule type reads its parameters through (``RuleType/read(_:)``): typed values of `params`, term lists, and
/// problems, each reported with the policy file and line.
public struct RuleParameters {
    fileprivate(set) var reader: Reader
    private let params: [String: Node]
    private let values: [String: Node]
    private let node: Node
    private let context: String

    init(reader: Reader, params: [String: Node], values: [String: Node], node: Node, context: String) {
        self.reader = reader
        self.params = params
        self.values = values
        self.node = node
        self.context = context
    }

    /// Whether `params` gives `name`.
    public func has(_ name: String) -> Bool { params[name] != nil }

    /// A problem with the rule as a whole, reported at the rule.
    public mutating func problem(_ message: String) { reader.issue(node, "\(context): \(message)") }

    public mutating func int(_ name: String, range: ClosedRange<Int>) -> Int? { reader.int(params[name], "\(context).params.\(name)", range: range) }

    public mutating func double(_ name: String, range: ClosedRange<Double>) -> Double? {
        reader.double(params[name], "\(context).params.\(name)", range: range)
    }

    public mutating func bool(_ name: String) -> Bool? { reader.bool(params[name], "\(context).params.\(name)") }

    public mutating func string(_ name: String) -> String? { reader.string(params[name], "\(context).params.\(name)") }

    /// A duration (`30s`, `10m`, `24h`, `7d`) in seconds.
    public mutating func duration(_ name: String) -> Int? { reader.duration(params[name], "\(context).params.\(name)") }

    /// A list of strings; with `allowed`, an entry not in it is reported as an unknown `what`.
    public mutating func strings(_ name: String, allowed: [String]? = nil, what: String = "value") -> [String]? {
        guard let list = reader.strings(params[name], "\(context).params.\(name)") else { return nil }
        if let allowed {
            for (text, item) in list where !allowed.contains(text) {
                reader.issue(item, "\(context): unknown \(what) '\(text)' (known: \(allowed.joined(separator: ", ")))")
            }
        }
        return list.map(\.0)
    }

    /// The text of the file beside the policy that parameter `name` names (a relative path inside the policy's folder),
    /// or nil with a problem reported.
    public mutating func file(_ name: String) -> (path: String, text: String)? {
        guard let path = string(name) else { return nil }
        guard let relative = PolicyLoader.safeRelativePath(path) else {
            problem("\(name): '\(path)' must be a relative path inside the policy's folder")
            return nil
        }
        guard let text = reader.bundle.files[relative] else {
            problem("\(name): file '\(path)' not found beside the policy")
            return nil
        }
        return (relative, text)
    }

    /// Terms given inline under `inline` and/or in the file named by `file` (for rules that ``RuleType/takesTermLists``).
    public mutating func terms(inline: String, file: String) -> [Term] {
        reader.termList(inline: values[inline], file: values[file], context: "\(context).\(inline)")
    }
}
