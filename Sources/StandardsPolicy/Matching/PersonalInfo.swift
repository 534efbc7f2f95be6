/// Finds personal information: Korean phone numbers, resident and foreigner registration numbers, card numbers
/// (Luhn-checked), bank account numbers near a bank word, and email addresses in their spoken forms.
enum PersonalInfo {
    static let defaultBankWords = [
        "은행", "계좌", "입금", "송금", "국민", "신한", "우리", "하나", "농협", "기업", "카카오뱅크", "케이뱅크", "토스", "새마을",
        "우체국", "수협", "씨티", "account", "bank", "acct",
    ]

    struct Finding {
        var kind: PersonalInfoKind
        var range: Range<Int>
    }

    /// The kinds a rule asks for, as bits (made once per policy): asked for every number tried, so no set is hashed.
    struct Kinds: Sendable {
        private var bits: UInt8 = 0

        init(_ kinds: Set<PersonalInfoKind>) {
            for kind in kinds { bits |= Self.bit(kind) }
        }

        func contains(_ kind: PersonalInfoKind) -> Bool { bits & Self.bit(kind) != 0 }

        private static func bit(_ kind: PersonalInfoKind) -> UInt8 {
            switch kind {
            case .mobile: 1
            case .landline: 2
            case .rrn: 4
            case .frn: 8
            case .email: 16
            case .card: 32
            case .bankAccount: 64
            }
        }
    }

    static func find(
        in text: NormalizedText,
        kinds: Kinds,
        bankWords: [[UInt32]],
        proximity: Int,
        links: Links.Found
    ) -> [Finding] {
        if !mayFind(in: text, links: links) { return [] }
        var findings: [Finding] = []
        var bankWordRanges: [Range<Int>]?
        for run in text.digitRuns {
            // Each stretch of groups is tried by its digits and the sizes of its groups.
            let sizes = (0..<run.groupCount).map { run.groupRange($0).count }
            var group = 0
            while group < run.groupCount {
                var matched = false
                for last in stride(from: min(run.groupCount - 1, group + 5), through: group, by: -1) {
                    let digitRange = run.groupStarts[group]..<run.groupRange(last).upperBound
                    // Copied from zero: only texts with a run of seven digits or more come here.
                    let digits = Array(run.digits[digitRange])
                    let groupSizes = Array(sizes[group...last])
                    let range = Int(run.starts[digitRange.lowerBound])..<Int(run.ends[digitRange.upperBound - 1])
                    var kind = classify(digits, groupSizes: groupSizes, kinds: kinds)
                    if kind == nil, kinds.contains(.bankAccount), looksLikeAccount(digits, groupSizes: groupSizes) {
                        if bankWordRanges == nil { bankWordRanges = locate(bankWords, in: text.base) }
                        let near = bankWordRanges!.contains { word in
                            word.upperBound + proximity >= range.lowerBound && word.lowerBound <= range.upperBound + proximity
                        }
                        if near { kind = .bankAccount }
                    }
                    if let kind {
                        findings.append(Finding(kind: kind, range: range))
                        group = last + 1
                        matched = true
                        break
                    }
                }
                if !matched { group += 1 }
            }
        }
        if kinds.contains(.email) {
            for email in links.emails {
                findings.append(Finding(kind: .email, range: email))
            }
        }
        return findings
    }

    /// Whether the text has anything ``find(in:kinds:bankWords:proximity:links:)`` reads: numbers or addresses. Most
    /// comments have neither, and `find` returns at once.
    private static func mayFind(in text: NormalizedText, links: Links.Found) -> Bool {
        !text.digitRuns.isEmpty || !links.emails.isEmpty
    }

    /// The kind of a number, or nil when it is none of phone, registration or card number. `groupSizes` are the sizes
    /// of the groups the writer separated (010-1234-5678 has 3, 4 and 4).
    static func classify(_ d: [UInt8], groupSizes: [Int], kinds: Kinds) -> PersonalInfoKind? {
        let n = d.count
        let groups = groupSizes.count
        if n == 13, groups == 1 || (groups == 2 && groupSizes[0] == 6), validBirthDate(d) {
            if (1...4).contains(d[6]), kinds.contains(.rrn) { return .rrn }
            if (5...8).contains(d[6]), kinds.contains(.frn) { return .frn }
        }
        // Phone numbers have nine digits or more and begin with 0.
        if n >= 9, d[0] == 0 {
            if kinds.contains(.mobile), (10...11).contains(n), d[1] == 1, d[2] <= 1 || (6...9).contains(d[2]) { return .mobile }
            if kinds.contains(.landline) {
                if d[1] == 2, (9...10).contains(n) { return .landline }
                if (3...6).contains(d[1]), (1...5).contains(d[2]), (10...11).contains(n) { return .landline }
                if d[1] == 7, d[2] == 0, n == 11 { return .landline }
            }
        }
        if kinds.contains(.card), (14...19).contains(n), d[0] == 3 || d[0] == 4 || d[0] == 5 || d[0] == 6 || d[0] == 9, luhn(d) {
            // One group, groups of four (the last may be shorter), or the 4-6-5 and 4-6-4 of some issuers.
            let fours = groupSizes.dropLast().allSatisfy { $0 == 4 }
            let issuer = groups == 3 && groupSizes[0] == 4 && groupSizes[1] == 6 && (groupSizes[2] == 5 || groupSizes[2] == 4)
            if groups == 1 || fours || issuer { return .card }
        }
        return nil
    }

    static func looksLikeAccount(_ digits: [UInt8], groupSizes: [Int]) -> Bool {
        (10...14).contains(digits.count) && (groupSizes.count >= 2 || digits.count >= 11)
    }

    static func validBirthDate(_ d: [UInt8]) -> Bool {
        let month = Int(d[2]) * 10 + Int(d[3])
        let day = Int(d[4]) * 10 + Int(d[5])
        return (1...12).contains(month) && (1...31).contains(day)
    }

    /// The Luhn checksum that card numbers carry.
    static func luhn(_ digits: [UInt8]) -> Bool {
        var sum = 0
        for (index, digit) in digits.reversed().enumerated() {
            var value = Int(digit)
            if index % 2 == 1 {
                value *= 2
                if value > 9 { value -= 9 }
            }
            sum += value
        }
        return sum % 10 == 0
    }

    /// Ranges (in original offsets) where any of `words` occurs, ASCII case-insensitively; each word is given as
    /// its lowercased scalars (see ``lowered(_:)``).
    static func locate(_ words: [[UInt32]], in base: BaseText) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        let count = base.count
        do {
            let scalars = base.scalars
            func folded(_ index: Int) -> UInt32 {
                let scalar = scalars[index]
                return (0x41...0x5A).contains(scalar) ? scalar + 0x20 : scalar
            }
            for pattern in words where !pattern.isEmpty && pattern.count <= count {
                for start in 0...(count - pattern.count) where folded(start) == pattern[0] {
                    if (1..<pattern.count).allSatisfy({ folded(start + $0) == pattern[$0] }) {
                        ranges.append(base.originalRange(start..<start + pattern.count))
                    }
                }
            }
        }
        return ranges
    }

    /// A word as ``locate(_:in:)`` looks for it.
    static func lowered(_ word: String) -> [UInt32] { word.lowercased().unicodeScalars.map(\.value) }
}
