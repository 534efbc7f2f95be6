/// Finds URLs, domain names and email addresses, including spoken and disguised forms: `example dot com`,
/// `example[.]com`, `example。com`, `name at gmail dot com`, `name 골뱅이 naver 닷컴`.
///
/// One scan serves every rule that needs it (links, personal information); text without a dot, an at sign, or their
/// spoken forms is not scanned at all.
enum Links {
    static let defaultShorteners = [
        "bit.ly", "t.co", "goo.gl", "tinyurl.com", "ow.ly", "is.gd", "buff.ly", "me2.do", "han.gl", "vo.la", "url.kr", "naver.me",
        "asq.kr", "cutt.ly", "rebrand.ly", "shorturl.at", "t.ly", "tiny.cc",
    ]

    /// Top-level domains that count as a link without a scheme (common ones, and those spam favours).
    static let topLevelDomains: Set<String> = [
        "com", "net", "org", "kr", "io", "co", "me", "ly", "gl", "info", "biz", "xyz", "top", "site", "shop", "club", "online",
        "live", "app", "dev", "tv", "us", "uk", "jp", "cn", "ru", "de", "fr", "tk", "ml", "ga", "cf", "gq", "link", "click", "pw",
        "vip", "win", "bet", "casino", "asia", "cc", "edu", "gov", "store", "xxx", "porn", "sex",
    ]

    /// Mail providers that readers name without a top-level domain (`abc 골뱅이 naver`).
    static let mailProviders: Set<String> = ["naver", "daum", "hanmail", "gmail", "kakao", "nate", "hotmail", "outlook", "yahoo", "icloud"]

    struct Found {
        /// Dotted names (with a path that follows) and `http(s)://` links, with the host for filtering.
        var candidates: [(range: Range<Int>, domain: String, explicit: Bool)] = []
        var emails: [Range<Int>] = []

        /// The links a rule reports: known top-level domain or shortener, not the site's own domains.
        /// Callers with no ``candidates`` need not call (``LinksRule`` does not).
        func links(siteDomains: [String], shorteners: [String]) -> [(range: Range<Int>, domain: String)] {
            candidates.compactMap { candidate in
                var domain = candidate.domain
                // `www.` says web address whatever the top-level domain (www.bit-coin.money).
                let web = domain.hasPrefix("www.")
                if web { domain.removeFirst(4) }
                if siteDomains.contains(where: { domain == $0 || domain.hasSuffix("." + $0) }) { return nil }
                let last = domain.split(separator: ".").last.map(String.init) ?? ""
                let isShortener = shorteners.contains { domain == $0 }
                guard candidate.explicit || web || topLevelDomains.contains(last) || isShortener else { return nil }
                return (candidate.range, domain)
            }
        }
    }

    /// The link text: ASCII letters, digits and URL punctuation with original offsets; everything else a space.
    struct LinkText {
        let bytes: [UInt8]
        let starts: [Int32]
        let ends: [Int32]

        /// The link text that `body` writes, at most `capacity` bytes (the caller bounds it; an append past it traps).
        /// Written straight into the arrays' storage: this runs for every comment with a dot or an at sign.
        init(capacity: Int, _ body: (inout Writer) -> Void) {
            var bytes = [UInt8](repeating: 0x20, count: capacity)
            var starts = [Int32](repeating: 0, count: capacity)
            var ends = [Int32](repeating: 0, count: capacity)
            var written = 0
            _ = bytes.write(capacity: capacity, filler: 0x20) { bytes in
                _ = starts.write(capacity: capacity, filler: 0) { starts in
                    _ = ends.write(capacity: capacity, filler: 0) { ends in
                        var writer = Writer(bytes: bytes, starts: starts, ends: ends)
                        body(&writer)
                        written = writer.bytes.count
                        (bytes, starts, ends) = (writer.bytes, writer.starts, writer.ends)
                    }
                }
            }
            bytes.removeLast(capacity - written)
            starts.removeLast(capacity - written)
            ends.removeLast(capacity - written)
            (self.bytes, self.starts, self.ends) = (bytes, starts, ends)
        }

        struct Writer {
            fileprivate(set) var bytes: CheckedWriter<UInt8>
            fileprivate(set) var starts: CheckedWriter<Int32>
            fileprivate(set) var ends: CheckedWriter<Int32>

            @inline(__always)
            mutating func append(_ byte: UInt8, _ start: Int32, _ end: Int32) {
                bytes.append(byte)
                starts.append(start)
                ends.append(end)
            }

            /// Whether nothing is written yet.
            var isEmpty: Bool { bytes.count == 0 }
        }
    }

    /// Korean spoken forms: the syllables and what they stand for.
    static let spokenKorean: [(syllables: [UInt32], replacement: [UInt8])] = [
        ("골뱅이", "@"), ("닷컴", ".com"), ("닷넷", ".net"), ("닷케이알", ".kr"), ("닷오알지", ".org"), ("쩜컴", ".com"), ("점컴", ".com"),
        ("닷", "."), ("쩜", "."),
    ].map { (Array($0.0.unicodeScalars.map(\.value)), Array($0.1.utf8)) }

    /// The syllables a spoken form starts with: where the scanner looks for one, and what makes the normalizer's link
    /// signal fire (``TextNormalizer/SignalsCounter``), so the gate and the scanner cannot disagree.
    static let spokenStarts: [UInt32] = spokenKorean.reduce(into: []) { starts, form in
        if !starts.contains(form.syllables[0]) { starts.append(form.syllables[0]) }
    }

    static func linkText(_ base: BaseText) -> LinkText {
        // A scalar writes one byte, a spoken form (one syllable or more) at most three per syllable: 닷 is " . ".
        let text = LinkText(capacity: 3 * base.count) { text in
            let scalars = base.scalars
            let classes = base.classes
            var index = 0
            scanning: while index < base.count {
                let scalar = scalars[index]
                let start = base.start(index)
                let end = base.end(index)
                if spokenStarts.contains(scalar) {
                    for (syllables, replacement) in spokenKorean where index + syllables.count <= base.count {
                        guard (0..<syllables.count).allSatisfy({ scalars[index + $0] == syllables[$0] }) else { continue }
                        let last = base.end(index + syllables.count - 1)
                        text.append(0x20, start, last)
                        for byte in replacement { text.append(byte, start, last) }
                        text.append(0x20, start, last)
                        index += syllables.count
                        continue scanning
                    }
                }
                let scalarClass = classes[index]
                switch scalarClass.kind {
                case .latin, .digit: text.append(UInt8(scalarClass.value), start, end)
                case .invisible, .combining: break
                default:
                    switch scalar {
                    case 0x2E, 0x40, 0x2D, 0x5F, 0x2F, 0x3A, 0x3F, 0x3D, 0x26, 0x25, 0x2B, 0x7E, 0x23: text.append(UInt8(scalar), start, end)
                    case 0x3002, 0xFF0E, 0xFF61, 0x2024, 0x00B7: text.append(0x2E, start, end)
                    case 0xFF20: text.append(0x40, start, end)
                    default: text.append(0x20, start, end)
                    }
                }
                index += 1
            }
        }
        return glueSpokenOperators(text)
    }

    /// Rewrites the words `at`/`dot` (also `(at)`, `[dot]`) between two other words into `@`/`.`, and drops the spaces
    /// around `@` and `.` operators, so `name at gmail dot com` reads `name@gmail.com`.
    static func glueSpokenOperators(_ text: LinkText) -> LinkText {
        let bytes = text.bytes
        // The words (runs of bytes between spaces).
        do {
            var words: [Range<Int>] = []
            var start = -1
            for index in 0...bytes.count {
                if index == bytes.count || bytes[index] == 0x20 {
                    if start >= 0 { words.append(start..<index) }
                    start = -1
                } else if start < 0 {
                    start = index
                }
            }
            func isWord(_ range: Range<Int>, _ word: String) -> Bool {
                range.count == word.utf8.count && zip(range, word.utf8).allSatisfy { bytes[$0] == $1 }
            }
            // Every word keeps its bytes or shrinks to one, and a space goes in only where one stood between two words.
            return LinkText(capacity: bytes.count) { out in
                var previousWasOperator = true
                for (position, range) in words.enumerated() {
                    let hasNeighbors = position > 0 && position + 1 < words.count
                    var replacement: UInt8?
                    // `at` before a written address is English, not the address's @ (email me at jane.doe@example.com).
                    let nextHasAt = position + 1 < words.count && words[position + 1].contains { bytes[$0] == 0x40 }
                    if hasNeighbors, !nextHasAt, isWord(range, "at") { replacement = 0x40 }
                    if hasNeighbors, isWord(range, "dot") { replacement = 0x2E }
                    let isOperator =
                        replacement != nil || (range.count == 1 && (bytes[range.lowerBound] == 0x40 || bytes[range.lowerBound] == 0x2E))
                    let gluesLeft = isOperator || (position > 0 && bytes[range.lowerBound] == 0x2E)
                    if !out.isEmpty, !gluesLeft, !previousWasOperator {
                        out.append(0x20, text.starts[range.lowerBound], text.starts[range.lowerBound])
                    }
                    if let replacement {
                        out.append(replacement, text.starts[range.lowerBound], text.ends[range.upperBound - 1])
                    } else {
                        for index in range { out.append(bytes[index], text.starts[index], text.ends[index]) }
                    }
                    previousWasOperator = isOperator
                }
            }
        }
    }

    @inline(__always)
    static func isLabelByte(_ byte: UInt8) -> Bool {
        (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte) || byte == 0x2D
    }

    /// The links and addresses in `text`. Inlined: most texts have nothing that could start one, and return before a
    /// call.
    @inline(__always)
    static func scan(_ text: NormalizedText) -> Found {
        text.mightContainLinks ? scanLinkText(text) : Found()
    }

    private static func scanLinkText(_ text: NormalizedText) -> Found {
        var found = Found()
        let link = linkText(text.base)
        let bytes = link.bytes
        var index = 0
        while index < bytes.count {
            // A name starts at a label byte that follows no label: dots before it count as nothing when no label
            // stands before them (`..spam.xyz`), and as part of the name when one does (`a.b`: no name starts at `b`).
            var before = index
            while before > 0, bytes[before - 1] == 0x2E { before -= 1 }
            guard isLabelByte(bytes[index]), before == 0 || !isLabelByte(bytes[before - 1]) else {
                index += 1
                continue
            }
            var end = index
            var hasDot = false
            while end < bytes.count, isLabelByte(bytes[end]) || bytes[end] == 0x2E || bytes[end] == 0x5F || bytes[end] == 0x2B || bytes[end] == 0x25 {
                if bytes[end] == 0x2E { hasDot = true }
                end += 1
            }
            var domainStart = index
            if end < bytes.count, bytes[end] == 0x40 {
                // local@domain: an email when the domain has a known top-level domain, or is a mail provider's name.
                var domainEnd = end + 1
                while domainEnd < bytes.count, isLabelByte(bytes[domainEnd]) || bytes[domainEnd] == 0x2E { domainEnd += 1 }
                let domain = String(decoding: bytes[trimmingDots(bytes, (end + 1)..<domainEnd)], as: UTF8.self)
                let labels = domain.split(separator: ".")
                if let first = labels.first, let last = labels.last,
                    (labels.count >= 2 && topLevelDomains.contains(String(last))) || mailProviders.contains(String(first))
                {
                    found.emails.append(Int(link.starts[index])..<Int(link.ends[domainEnd - 1]))
                    index = domainEnd
                    continue
                }
                domainStart = end + 1
                end = domainEnd
                hasDot = bytes[domainStart..<end].contains(0x2E)
            }
            if hasDot {
                let host = trimmingDots(bytes, domainStart..<end)
                if isDomainName(bytes[host]) {
                    var stop = end
                    while stop < bytes.count, bytes[stop] != 0x20 { stop += 1 }
                    found.candidates.append(
                        (Int(link.starts[domainStart])..<Int(link.ends[stop - 1]), String(decoding: bytes[host], as: UTF8.self), false)
                    )
                }
            }
            index = max(end, index + 1)
        }
        // Explicit schemes catch what the domain scan does not (an IP address, an unusual top-level domain).
        var position = 0
        while position + 7 <= bytes.count {
            defer { position += 1 }
            guard bytes[position] == 0x68, bytes[position + 1] == 0x74, bytes[position + 2] == 0x74, bytes[position + 3] == 0x70 else { continue }
            var after = position + 4
            if after < bytes.count, bytes[after] == 0x73 { after += 1 }
            guard after + 3 <= bytes.count, bytes[after] == 0x3A, bytes[after + 1] == 0x2F, bytes[after + 2] == 0x2F else { continue }
            var stop = after + 3
            while stop < bytes.count, bytes[stop] != 0x20 { stop += 1 }
            guard stop > after + 3 else { continue }
            let host = String(decoding: bytes[(after + 3)..<stop], as: UTF8.self).split(separator: "/").first.map(String.init) ?? ""
            let range = Int(link.starts[position])..<Int(link.ends[stop - 1])
            // The domain scan may have found the host already (promo.example/deal): the scheme makes it a link.
            if let known = found.candidates.firstIndex(where: { $0.range.overlaps(range) }) {
                found.candidates[known].explicit = true
            } else {
                found.candidates.append((range, host, true))
            }
        }
        return found
    }

    /// `range` without the dots at either end.
    static func trimmingDots(_ bytes: [UInt8], _ range: Range<Int>) -> Range<Int> {
        var lower = range.lowerBound
        var upper = range.upperBound
        while lower < upper, bytes[lower] == 0x2E { lower += 1 }
        while upper > lower, bytes[upper - 1] == 0x2E { upper -= 1 }
        return lower..<upper
    }

    /// Whether link-text bytes read as a domain name: two labels or more, none empty, a letter in one before the last,
    /// and the last (the top-level domain) all letters. The link text's letters are lowercase ASCII.
    static func isDomainName(_ name: ArraySlice<UInt8>) -> Bool {
        let labels = name.split(separator: 0x2E, omittingEmptySubsequences: false)
        let isLetter = { (byte: UInt8) in (0x61...0x7A).contains(byte) }
        return labels.count >= 2 && labels.allSatisfy { !$0.isEmpty } && labels.dropLast().contains { $0.contains(where: isLetter) }
            && labels.last!.allSatisfy(isLetter)
    }

}
