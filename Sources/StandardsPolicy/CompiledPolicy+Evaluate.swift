import Foundation

extension CompiledPolicy {
    /// Judges `text` in `context`. Deterministic: the same text, context and policy give the same verdict.
    ///
    /// Text far over the byte limit is not analysed further than its length (its verdict is already a rejection).
    public func evaluate(_ text: String, context: EvaluationContext) -> Verdict {
        if text.utf8.count > document.limits.maxBytes * 4 {
            var hits: [Hit] = []
            for rule in document.rules {
                if case .length = rule.kind {
                    hits.append(hit(rule, matched: "\(text.utf8.count) bytes, limit \(document.limits.maxBytes)"))
                } else if !isTextRule(rule.kind) {
                    evaluateContextRule(rule, context: context, normalized: nil, into: &hits)
                }
            }
            return verdict(hits)
        }
        return evaluate(TextNormalizer.normalize(text), context: context)
    }

    /// Judges an already normalized text.
    public func evaluate(_ text: NormalizedText, context: EvaluationContext) -> Verdict {
        let termHits = matchTerms(text)
        var hits: [Hit] = []
        for (index, rule) in document.rules.enumerated() {
            switch rule.kind {
            case .terms:
                for found in termHits where found.rule == index {
                    hits.append(hit(rule, text: text, range: found.range))
                }
            case .length:
                if text.characterCount > document.limits.maxCharacters {
                    hits.append(hit(rule, matched: "\(text.characterCount) characters, limit \(document.limits.maxCharacters)"))
                } else if text.byteCount > document.limits.maxBytes {
                    hits.append(hit(rule, matched: "\(text.byteCount) bytes, limit \(document.limits.maxBytes)"))
                }
            case .empty:
                if text.isBlank { hits.append(hit(rule, matched: "nothing but whitespace")) }
            case .controlCharacters:
                if text.hasControlCharacters { hits.append(hit(rule, matched: "control characters")) }
            case .combiningOverload:
                if text.maxScalarsPerCharacter > document.limits.maxScalarsPerCharacter {
                    hits.append(
                        hit(rule, matched: "\(text.maxScalarsPerCharacter) scalars in one character, limit \(document.limits.maxScalarsPerCharacter)")
                    )
                }
            case .personalInfo(let kinds, let bankWords, let proximity):
                for finding in PersonalInfo.find(in: text, kinds: kinds, bankWords: bankWords, proximity: proximity) {
                    var found = hit(rule, text: text, originalRange: finding.range)
                    found.matched = "\(finding.kind.rawValue): " + Self.mask(found.matched ?? "")
                    hits.append(found)
                }
            case .links(let shorteners):
                for link in Links.scan(text.base, siteDomains: document.siteDomains, shorteners: shorteners).links {
                    hits.append(hit(rule, text: text, originalRange: link.range))
                }
            case .flood(let maxRun, let ignored, let maxRepeatedWord, let maxLines):
                for range in Flood.find(text, maxRun: maxRun, ignored: ignored, maxRepeatedWord: maxRepeatedWord) {
                    hits.append(hit(rule, text: text, originalRange: range))
                }
                if text.lineCount > maxLines { hits.append(hit(rule, matched: "\(text.lineCount) line breaks, limit \(maxLines)")) }
            default:
                evaluateContextRule(rule, context: context, normalized: text, into: &hits)
            }
        }
        return verdict(hits)
    }

    func isTextRule(_ kind: RuleKind) -> Bool {
        switch kind {
        case .terms, .length, .empty, .controlCharacters, .combiningOverload, .personalInfo, .links, .flood: true
        default: false
        }
    }

    func evaluateContextRule(_ rule: Rule, context: EvaluationContext, normalized: NormalizedText?, into hits: inout [Hit]) {
        switch rule.kind {
        case .loginRequired:
            if !context.authenticated { hits.append(hit(rule, matched: "no verified login")) }
        case .providerAllowed:
            if context.authenticated, !document.providers.contains((context.provider ?? "").lowercased()) {
                hits.append(hit(rule, matched: "provider \(context.provider ?? "none") is not allowed"))
            }
        case .accountBanned:
            if context.accountStatus == .banned { hits.append(hit(rule, matched: "account banned")) }
        case .accountSuspended:
            if context.accountStatus == .suspended { hits.append(hit(rule, matched: "account suspended")) }
        case .articleClosed:
            if context.articleClosed { hits.append(hit(rule, matched: "comments are closed on this article")) }
        case .rateLimit(let window, let max, let perArticle):
            let since = context.now.addingTimeInterval(-Double(window))
            let count =
                context.recentComments.filter {
                    $0.submittedAt > since && $0.submittedAt <= context.now && (!perArticle || $0.article == context.article)
                }.count + 1
            if count > max { hits.append(hit(rule, matched: "\(count) comments within \(window) s, limit \(max)")) }
        case .duplicate(let window, let similarity):
            guard let normalized, !context.recentComments.isEmpty else { return }
            let since = context.now.addingTimeInterval(-Double(window))
            let fingerprint = Duplicates.fingerprint(normalized)
            guard fingerprint.count >= 2 else { return }
            for recent in context.recentComments where recent.submittedAt > since {
                let other = Duplicates.fingerprint(TextNormalizer.normalize(recent.body))
                let score = Duplicates.similarity(fingerprint, other)
                if score >= similarity {
                    hits.append(hit(rule, matched: score >= 1 ? "same as an earlier comment" : "nearly the same as an earlier comment"))
                    return
                }
            }
        case .newCommenter(let first):
            if first > 0, context.authenticated, context.approvedCount < first {
                hits.append(hit(rule, matched: "\(context.approvedCount) approved comments so far, pre-moderated until \(first)"))
            }
        case .rejectionRate(let minDecisions, let maxRatio):
            if context.recentDecisions >= minDecisions, Double(context.recentRejections) / Double(context.recentDecisions) >= maxRatio {
                hits.append(hit(rule, matched: "\(context.recentRejections) of \(context.recentDecisions) recent comments rejected"))
            }
        default:
            break
        }
    }

    func verdict(_ hits: [Hit]) -> Verdict {
        Verdict(outcome: hits.map(\.action).max() ?? .approve, hits: hits, policyVersion: document.version)
    }

    func hit(_ rule: Rule, matched: String? = nil) -> Hit {
        Hit(rule: rule.id, reason: rule.reason, category: rule.category, action: rule.action, matched: matched)
    }

    func hit(_ rule: Rule, text: NormalizedText, range: Range<Int>) -> Hit {
        hit(rule, text: text, originalRange: range)
    }

    func hit(_ rule: Rule, text: NormalizedText, originalRange range: Range<Int>) -> Hit {
        let scalars = text.original.unicodeScalars
        let lower = scalars.index(scalars.startIndex, offsetBy: range.lowerBound)
        let upper = scalars.index(lower, offsetBy: range.count)
        return Hit(
            rule: rule.id, reason: rule.reason, category: rule.category, action: rule.action, start: range.lowerBound, end: range.upperBound,
            matched: String(scalars[lower..<upper]))
    }

    /// Keeps the first two characters of a personal-information match and masks letters and digits after them.
    static func mask(_ text: String) -> String {
        var out = ""
        for (index, character) in text.enumerated() {
            out.append(index < 2 || !(character.isLetter || character.isNumber) ? character : "*")
        }
        return out
    }

    // MARK: Terms

    struct TermHit {
        var rule: Int
        /// Original-text range.
        var range: Range<Int>
    }

    /// Scans both views once and returns each rule's hits, with allow-list vetoes applied, repeats removed, and a
    /// hit inside another hit of the same rule dropped.
    func matchTerms(_ text: NormalizedText) -> [TermHit] {
        var found: [TermHit] = []
        for view in [View.latin, View.jamo] {
            let units = view == .latin ? text.latin : text.jamo
            if units.count == 0 { continue }
            var blocks: [(rule: Int, range: Range<Int>)] = []
            var allows: [(rule: Int, range: Range<Int>)] = []
            matcher.scan(units.symbols) { match in
                let pattern = patterns[Int(match.payload)]
                guard pattern.view == view, accepts(pattern, match.range, in: units) else { return }
                if pattern.isAllow {
                    allows.append((pattern.rule, match.range))
                } else {
                    blocks.append((pattern.rule, match.range))
                }
            }
            for block in blocks {
                let vetoed = allows.contains { allow in
                    (allow.rule == -1 || allow.rule == block.rule) && allow.range.lowerBound <= block.range.lowerBound
                        && allow.range.upperBound >= block.range.upperBound
                }
                if !vetoed { found.append(TermHit(rule: block.rule, range: units.originalRange(block.range))) }
            }
        }
        found.sort { ($0.rule, $0.range.lowerBound, -$0.range.count) < ($1.rule, $1.range.lowerBound, -$1.range.count) }
        var kept: [TermHit] = []
        for candidate in found {
            let covered = kept.contains {
                $0.rule == candidate.rule && $0.range.lowerBound <= candidate.range.lowerBound && $0.range.upperBound >= candidate.range.upperBound
            }
            if !covered { kept.append(candidate) }
        }
        return kept
    }

    /// Word boundaries, repeat counts and the keyboard-reading length a match must satisfy.
    @inline(__always)
    func accepts(_ pattern: CompiledTerm, _ range: Range<Int>, in units: TextView) -> Bool {
        for (offset, needed) in pattern.runs.enumerated() where needed > 1 {
            if units.runs[range.lowerBound + offset] < needed { return false }
        }
        switch pattern.mode {
        case .word:
            let before = range.lowerBound == 0 || units.symbols[range.lowerBound - 1] == TextView.boundary
            let after = range.upperBound == units.count || units.symbols[range.upperBound] == TextView.boundary
            return before && after
        case .prefix:
            return range.lowerBound == 0 || units.symbols[range.lowerBound - 1] == TextView.boundary
        case .embedded:
            return true
        case .korean:
            // A Latin word read as typed on a Korean keyboard must spell a long enough term.
            if units.qwerty[range.lowerBound], range.count < 4 { return false }
            for (offset, role) in pattern.roles.enumerated() {
                let found = units.roles[range.lowerBound + offset]
                if found != TextView.Role.alone.rawValue, found != role { return false }
                if role == TextView.Role.alone.rawValue, found != role { return false }
            }
            func isASCII(_ position: Int) -> Bool {
                position >= 0 && position < units.count && units.symbols[position] < 0x80 && units.symbols[position] != TextView.boundary
            }
            if pattern.asciiEdges.leading, isASCII(range.lowerBound - 1) { return false }
            if pattern.asciiEdges.trailing, isASCII(range.upperBound) { return false }
            return true
        }
    }
}
