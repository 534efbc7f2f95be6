import Foundation
import Synchronization

/// What evaluating one comment needs besides the policy: the normalized text and the term matcher's lists. Kept in a
/// pool and reused, so evaluating a comment of a size seen before allocates nothing for them.
///
/// Only the task that took a workspace from the pool touches it until it is given back, which is what makes the
/// unchecked `Sendable` sound.
final class Workspace: @unchecked Sendable {
    var text = NormalizedText()
    var terms = TermScratch()

    /// A workspace whose text storage grew beyond this many entries (sized to the UTF-8 bytes of the longest text it
    /// read) is not kept: one very long text must not pin its buffers for good.
    static let keepLimit = 16_384
}

/// The term matcher's lists, reused between comments.
struct TermScratch: Sendable {
    /// Where allow entries matched, in the original text (rule -1: the policy's own allow list).
    var allows: [(rule: Int, range: Range<Int>)] = []
    var found: [CompiledPolicy.TermHit] = []
    /// The result: each rule's hits with vetoes applied and nested repeats removed.
    var kept: [CompiledPolicy.TermHit] = []
    /// Where the automaton found outputs in the view being scanned (see ``MultiPatternMatcher/run(_:into:)``).
    var positions: [MultiPatternMatcher.Found] = []
}

/// Workspaces not in use, shared by every task that evaluates with one policy.
final class WorkspacePool: Sendable {
    private let free = Mutex<[Workspace]>([])
    /// More than the cores that evaluate at once; beyond it a returned workspace is dropped.
    private static let capacity = 64

    func take() -> Workspace {
        free.withLock { $0.popLast() } ?? Workspace()
    }

    func give(_ workspace: Workspace) {
        guard workspace.text.base.scalars.count <= Workspace.keepLimit else { return }
        workspace.text.original = ""
        free.withLock { free in
            if free.count < Self.capacity { free.append(workspace) }
        }
    }
}

extension CompiledPolicy {
    /// Judges `text` in `context`. Deterministic: the same text, context and policy give the same verdict.
    ///
    /// Text far over the byte limit is not analysed further than its length (its verdict is already a rejection).
    public func evaluate(_ text: String, context: EvaluationContext) -> Verdict {
        if text.utf8.count > document.limits.maxBytes * 4 {
            var hits: [Hit] = []
            var input = RuleInput(text: NormalizedText(), context: context, policy: self, termHits: [])
            for (index, kind) in kinds.enumerated() {
                if kind is LengthRule {
                    hits.append(hit(index, matched: "\(text.utf8.count) bytes, limit \(document.limits.maxBytes)"))
                } else if !type(of: kind).readsText {
                    kind.evaluate(&input, rule: index, into: &hits)
                }
            }
            return verdict(hits)
        }
        let workspace = workspaces.take()
        // The text's buffers are moved out of the workspace (a copy would share them, and the first write would copy
        // them all), filled, read as a constant (a variable passed on would be copied, every array in it retained and
        // released) and moved back.
        var normalized = NormalizedText()
        swap(&normalized, &workspace.text)
        TextNormalizer.normalize(text, into: &normalized)
        let read = consume normalized
        let verdict = evaluate(normalized: read, context: context, terms: &workspace.terms)
        workspace.text = read
        workspaces.give(workspace)
        return verdict
    }

    /// Judges an already normalized text.
    public func evaluate(_ text: NormalizedText, context: EvaluationContext) -> Verdict {
        var terms = TermScratch()
        return evaluate(normalized: text, context: context, terms: &terms)
    }

    /// Every rule is visited for every comment: the rules about the context cost a few comparisons each, so no
    /// hand-kept list of "facts that could make one fire" stands between a new rule and the readers it is about.
    func evaluate(normalized text: NormalizedText, context: EvaluationContext, terms scratch: inout TermScratch) -> Verdict {
        matchTerms(text, into: &scratch)
        var hits: [Hit] = []
        var input = RuleInput(text: text, context: context, policy: self, termHits: scratch.kept)
        for index in kinds.indices {
            kinds[index].evaluate(&input, rule: index, into: &hits)
        }
        return verdict(hits)
    }

    /// Whether the policy allows the login provider `provider`, in any case: the one answer for the API's pre-check and
    /// the worker's rule.
    public func allowsProvider(_ provider: String?) -> Bool {
        guard let provider else { return false }
        return document.providers.contains(provider) || document.providers.contains(provider.lowercased())
    }

    func verdict(_ hits: [Hit]) -> Verdict {
        var outcome = Action.approve
        for hit in hits where hit.action > outcome { outcome = hit.action }
        return Verdict(outcome: outcome, hits: hits, policyVersion: document.version)
    }

    /// A hit of rule `index` about the context (no span).
    func hit(_ index: Int, matched: String? = nil) -> Hit {
        let rule = document.rules[index]
        return Hit(rule: rule.id, reason: rule.reason, category: rule.category, action: rule.action, matched: matched)
    }

    /// A hit of rule `index` on the original-text range `range`.
    func hit(_ index: Int, text: NormalizedText, range: Range<Int>) -> Hit {
        let rule = document.rules[index]
        return Hit(
            rule: rule.id,
            reason: rule.reason,
            category: rule.category,
            action: rule.action,
            start: range.lowerBound,
            end: range.upperBound,
            matched: Self.original(text, range)
        )
    }

    /// The original text's scalars `range`. A text read as is has them in its base text;
    /// a composed text is walked from its start.
    static func original(_ text: NormalizedText, _ range: Range<Int>) -> String {
        let base = text.base
        guard base.identity else {
            let scalars = text.original.unicodeScalars
            let lower = scalars.index(scalars.startIndex, offsetBy: range.lowerBound)
            return String(scalars[lower..<scalars.index(lower, offsetBy: range.count)])
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(4 * range.count)
        for index in range { Unicode.UTF8.encode(Unicode.Scalar(base.scalars[index])!) { bytes.append($0) } }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Keeps the first two characters of a personal-information match and masks letters and digits after them (any
    /// character whose first scalar the normalizer reads as a word character, which the class table tells cheaply).
    static func mask(_ text: String) -> String {
        // Text whose every scalar is a character of its own (the usual number or address) is masked scalar by scalar.
        var out = String.UnicodeScalarView()
        for (index, scalar) in text.unicodeScalars.enumerated() {
            let scalarClass = ScalarClass.of(scalar.value)
            guard scalarClass.standsAlone else { return maskCharacters(text) }
            out.append(index < 2 || !masks(scalarClass.kind) ? scalar : "*")
        }
        return String(out)
    }

    /// ``mask(_:)`` character by character.
    private static func maskCharacters(_ text: String) -> String {
        var out = ""
        for (index, character) in text.enumerated() {
            out.append(index < 2 || !masks(ScalarClass.of(character.unicodeScalars.first!.value).kind) ? character : "*")
        }
        return out
    }

    private static func masks(_ kind: ScalarClass.Kind) -> Bool { kind != .combining && TextNormalizer.isWordCharacter(kind) }

    // MARK: Terms

    struct TermHit: Sendable {
        var rule: Int
        /// Original-text range.
        var range: Range<Int>
    }

    /// Scans both views once and returns each rule's hits, with allow-list vetoes applied, repeats removed, and a
    /// hit inside another hit of the same rule dropped.
    func matchTerms(_ text: NormalizedText, into scratch: inout TermScratch) {
        if !scratch.found.isEmpty { scratch.found.removeAll(keepingCapacity: true) }
        if !scratch.kept.isEmpty { scratch.kept.removeAll(keepingCapacity: true) }
        if !scratch.allows.isEmpty { scratch.allows.removeAll(keepingCapacity: true) }
        // Each matcher is passed straight from its property: choosing one in an expression would copy it.
        matchTerms(text.latin, with: latinMatcher, into: &scratch)
        matchTerms(text.jamo, with: jamoMatcher, into: &scratch)
        if scratch.found.isEmpty { return }
        // An allow entry vetoes the hits it covers in the original text, whichever view found either: an English word
        // that reads as a Korean term typed on a Korean keyboard (rotor, 개새 in the jamo view) is vetoed by its Latin
        // allow entry.
        if !scratch.allows.isEmpty {
            let allows = scratch.allows
            scratch.found.removeAll { hit in
                allows.contains { allow in
                    (allow.rule == -1 || allow.rule == hit.rule) && allow.range.lowerBound <= hit.range.lowerBound
                        && allow.range.upperBound >= hit.range.upperBound
                }
            }
            if scratch.found.isEmpty { return }
        }
        scratch.found.sort { ($0.rule, $0.range.lowerBound, -$0.range.count) < ($1.rule, $1.range.lowerBound, -$1.range.count) }
        for candidate in scratch.found {
            let covered = scratch.kept.contains {
                $0.rule == candidate.rule && $0.range.lowerBound <= candidate.range.lowerBound && $0.range.upperBound >= candidate.range.upperBound
            }
            if !covered { scratch.kept.append(candidate) }
        }
    }

    /// Scans one view, adding its blocking matches to `scratch.found` and its allow entries' to `scratch.allows`, both in
    /// the original text's places.
    private func matchTerms(_ units: TextView, with matcher: MultiPatternMatcher, into scratch: inout TermScratch) {
        if units.count == 0 { return }
        // The automaton runs first and notes where outputs are; they are read after, with no closure holding on to
        // the view or the policy (which would retain them for every comment).
        let count = scratch.positions.write(capacity: units.count, filler: (position: 0, row: 0)) { positions in
            units.withSymbols { symbols in matcher.run(symbols, into: &positions) }
        }
        for index in 0..<count {
            matcher.report(scratch.positions[index]) { match in
                let info = patternInfo[Int(match.payload)]
                guard accepts(info, match.range, in: units) else { return }
                if info.isAllow {
                    scratch.allows.append((Int(info.rule), units.originalRange(match.range)))
                } else {
                    scratch.found.append(TermHit(rule: Int(info.rule), range: units.originalRange(match.range)))
                }
            }
        }
    }

    /// Word boundaries, repeat counts, jamo roles and the keyboard-reading length a match must satisfy.
    @inline(__always)
    func accepts(_ info: PatternInfo, _ range: Range<Int>, in units: TextView) -> Bool {
        let detail = Int(info.detail)
        if info.needsRunCheck {
            for offset in 0..<Int(info.length) where patternRuns[detail + offset] > units.unit(range.lowerBound + offset).run {
                return false
            }
        }
        switch info.mode {
        case .word:
            // A doubled letter spells another word (looser is not loser); a longer run is a stretched one (loooser).
            for offset in 0..<Int(info.length) where units.unit(range.lowerBound + offset).run == 2 && patternRuns[detail + offset] == 1 {
                return false
            }
            let before = range.lowerBound == 0 || units.symbol(range.lowerBound - 1) == TextView.boundary
            let after = range.upperBound == units.count || units.symbol(range.upperBound) == TextView.boundary
            return before && after
        case .prefix:
            return range.lowerBound == 0 || units.symbol(range.lowerBound - 1) == TextView.boundary
        case .embedded:
            return true
        case .suffix:
            return range.upperBound == units.count || units.symbol(range.upperBound) == TextView.boundary
        case .korean, .koreanWordStart:
            if info.mode == .koreanWordStart, range.lowerBound > 0, units.symbol(range.lowerBound - 1) != TextView.boundary { return false }
            // A Latin word read as typed on a Korean keyboard must spell a long enough term.
            if units.unit(range.lowerBound).qwerty, range.count < 4 { return false }
            for offset in 0..<Int(info.length) {
                let role = patternRoles[detail + offset]
                let found = units.unit(range.lowerBound + offset).role
                if found != TextView.Role.alone.rawValue, found != role { return false }
                if role == TextView.Role.alone.rawValue, found != role { return false }
            }
            // A match ends where a syllable ends: 자지 is no word inside 자진 (voluntary) or 자질 (aptitude), whose last
            // syllable goes on with a final consonant (the next unit comes from the same character). Allow entries may
            // end inside one (보지 마 covers 보지 맙시다).
            if !info.isAllow, range.upperBound < units.count, units.unit(range.upperBound).role != TextView.Role.alone.rawValue,
                units.unit(range.upperBound).start == units.unit(range.upperBound - 1).start
            {
                return false
            }
            func isASCII(_ position: Int) -> Bool {
                position >= 0 && position < units.count && units.symbol(position) < 0x80 && units.symbol(position) != TextView.boundary
            }
            if info.leadingASCII, isASCII(range.lowerBound - 1) { return false }
            if info.trailingASCII, isASCII(range.upperBound) { return false }
            return true
        }
    }
}
