import Foundation

/// The spellings of a term that readers write and nobody lists (issue 17), generated from the term when a policy
/// compiles, so a list holds each word once: Korean terms of two syllables or more in tensed and vowel-swapped
/// spellings (씨발, 쒸발, 씨뱔), with a final moved onto a particle (병시니), spaced between syllables (이 새끼), half in
/// Latin letters (시bal) and romanized (ssibal, shibal); English terms of four letters or more with one inner letter
/// masked (f*ck). The tables are ``KoreanSpellings`` and ``Obfuscations/maskSymbol``.
enum TermVariants {
    /// At most this many variants per term: a long term with many tensable initials would otherwise multiply.
    static let limit = 64

    /// A variant spelling and the mode it is matched in.
    struct Variant: Hashable {
        var text: String
        var mode: TermMode
    }

    static func variants(of term: Term) -> [Variant] {
        var seen: Set<String> = [term.text]
        var out: [Variant] = []
        func add(_ text: String, _ mode: TermMode) {
            guard out.count < limit, seen.insert(text).inserted else { return }
            out.append(Variant(text: text, mode: mode))
        }
        if term.mode.isKorean {
            guard let syllables = Syllable.split(term.text), syllables.count >= 2 else { return [] }
            for spelling in respellings(syllables) { add(Syllable.join(spelling), term.mode) }
            for moved in resyllabified(syllables) { add(Syllable.join(moved), term.mode) }
            if syllables.count >= 3 {
                for gap in 1..<syllables.count {
                    add(Syllable.join(Array(syllables[..<gap])) + " " + Syllable.join(Array(syllables[gap...])), term.mode)
                }
            }
            let romanized = romanizations(syllables)
            for roman in romanized where roman.count >= 5 { add(roman, .prefix) }
            // Half in Latin letters: the last syllable romanized after the others in Hangul (시bal).
            if let last = romanizations([syllables[syllables.count - 1]]).first, last.count >= 2 {
                add(Syllable.join(Array(syllables.dropLast())) + last, term.mode)
            }
        } else {
            let letters = Array(term.text)
            guard letters.count >= 4, letters.allSatisfy({ $0.isASCII && $0.isLetter }) else { return [] }
            for position in 1..<(letters.count - 1) {
                var masked = letters
                masked[position] = Obfuscations.maskSymbol
                add(String(masked), term.mode)
            }
        }
        return out
    }

    /// Every combination of the tensed initials and swapped vowels, at most two changes at once.
    static func respellings(_ syllables: [Syllable]) -> [[Syllable]] {
        // Each single change: which syllable, and the syllable it becomes.
        var changes: [(Int, Syllable)] = []
        for (index, syllable) in syllables.enumerated() {
            if let tensed = KoreanSpellings.tensed[syllable.initial] { changes.append((index, syllable.with(initial: tensed))) }
            for vowel in KoreanSpellings.vowels[syllable.vowel] ?? [] { changes.append((index, syllable.with(vowel: vowel))) }
        }
        var out: [[Syllable]] = []
        for (first, change) in changes.enumerated() {
            var one = syllables
            one[change.0] = change.1
            out.append(one)
            for other in changes[(first + 1)...] where other.0 != change.0 {
                var two = one
                two[other.0] = other.1
                out.append(two)
            }
        }
        return out
    }

    /// The last syllable's final moved onto each particle vowel (병신 → 병시니, 병시나, 병시너, 병시느).
    static func resyllabified(_ syllables: [Syllable]) -> [[Syllable]] {
        guard let last = syllables.last, let initial = KoreanSpellings.finalToInitial[last.final] else { return [] }
        return KoreanSpellings.particleVowels.map { vowel in
            Array(syllables.dropLast()) + [last.with(final: 0), Syllable(initial: initial, vowel: vowel, final: 0)]
        }
    }

    /// The Revised Romanization and the popular spelling beside it.
    static func romanizations(_ syllables: [Syllable]) -> [String] {
        let official = syllables.map { syllable in
            KoreanSpellings.romanInitials[syllable.initial] + KoreanSpellings.romanVowels[syllable.vowel]
                + KoreanSpellings.romanFinals[syllable.final]
        }.joined()
        var popular = official
        for (from, to) in KoreanSpellings.popularRomanization { popular = popular.replacingOccurrences(of: from, with: to) }
        return popular == official ? [official] : [official, popular]
    }
}

/// A precomposed Hangul syllable by its indices.
struct Syllable: Hashable {
    var initial: Int
    var vowel: Int
    var final: Int

    /// The syllables of `text`, or nil if anything in it is not a precomposed syllable.
    static func split(_ text: String) -> [Syllable]? {
        var out: [Syllable] = []
        for scalar in text.unicodeScalars {
            guard (Hangul.syllableBase...Hangul.syllableLast).contains(scalar.value) else { return nil }
            let index = Int(scalar.value - Hangul.syllableBase)
            out.append(Syllable(initial: index / (21 * 28), vowel: index % (21 * 28) / 28, final: index % 28))
        }
        return out
    }

    static func join(_ syllables: [Syllable]) -> String {
        String(
            String.UnicodeScalarView(
                syllables.compactMap { Unicode.Scalar(Hangul.syllableBase + UInt32(($0.initial * 21 + $0.vowel) * 28 + $0.final)) }
            )
        )
    }

    func with(initial: Int) -> Syllable { Syllable(initial: initial, vowel: vowel, final: final) }
    func with(vowel: Int) -> Syllable { Syllable(initial: initial, vowel: vowel, final: final) }
    func with(final: Int) -> Syllable { Syllable(initial: initial, vowel: vowel, final: final) }
}
