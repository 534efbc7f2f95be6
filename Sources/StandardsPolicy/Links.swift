/// Finds URLs, domain names and email addresses, including spoken and disguised forms: `example dot com`,
/// `example[.]com`, `example。com`, `name at gmail dot com`, `name 골뱅이 naver 닷컴`.
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
        var links: [(range: Range<Int>, domain: String)] = []
        var emails: [Range<Int>] = []
    }

    /// The link text: ASCII letters, digits and URL punctuation with original offsets; everything else a space.
    /// Spoken forms are rewritten first (골뱅이 → @, 닷컴 → .com, at → @, dot → .).
    struct LinkText {
        var bytes: [UInt8] = []
        var starts: [Int32] = []
        var ends: [Int32] = []

        mutating func append(_ byte: UInt8, _ start: Int32, _ end: Int32) {
            bytes.append(byte)
            starts.append(start)
            ends.append(end)
        }

        mutating func append(_ text: String, _ start: Int32, _ end: Int32) {
            for byte in text.utf8 { append(byte, start, end) }
        }
    }

    static let spokenKorean: [(syllables: [UInt32], replacement: String)] = [
        ("골뱅이", "@"), ("닷컴", ".com"), ("닷넷", ".net"), ("닷케이알", ".kr"), ("닷오알지", ".org"), ("쩜컴", ".com"), ("점컴", ".com"),
        ("닷", "."), ("쩜", "."),
    ].map { (Array($0.0.unicodeScalars.map(\.value)), $0.1) }

    static func linkText(_ base: BaseText) -> LinkText {
        var text = LinkText()
        text.bytes.reserveCapacity(base.count)
        var index = 0
        scanning: while index < base.count {
            let scalar = base.scalars[index]
            let scalarClass = base.classes[index]
            let start = base.starts[index]
            let end = base.ends[index]
            if scalarClass.kind == .syllable {
                for (syllables, replacement) in spokenKorean where index + syllables.count <= base.count {
                    if Array(base.scalars[index..<index + syllables.count]) == syllables {
                        text.append(" " + replacement + " ", start, base.ends[index + syllables.count - 1])
                        index += syllables.count
                        continue scanning
                    }
                }
            }
            switch scalarClass.kind {
            case .latin, .digit: text.append(UInt8(scalarClass.value), start, end)
            case .invisible, .combining: break
            default:
                switch scalar {
                case 0x2E, 0x40, 0x2D, 0x5F, 0x2F, 0x3A, 0x3F, 0x3D, 0x26, 0x25, 0x2B, 0x7E, 0x23: text.append(UInt8(scalar), start, end)
                case 0x3002, 0xFF0E, 0xFF61, 0x2024, 0x00B7: text.append(UInt8(ascii: "."), start, end)
                case 0xFF20: text.append(UInt8(ascii: "@"), start, end)
                default: text.append(UInt8(ascii: " "), start, end)
                }
            }
            index += 1
        }
        return glueSpokenOperators(text)
    }

    /// Rewrites the words `at`/`dot` (also as `(at)`, `[dot]`) and bracketed dots `[.]`, `(.)` and drops the spaces
    /// around `@` and `.` operators, so `name at gmail dot com` reads `name@gmail.com`.
    static func glueSpokenOperators(_ text: LinkText) -> LinkText {
        var words: [(range: Range<Int>, word: [UInt8])] = []
        var start: Int?
        for index in 0...text.bytes.count {
            let isSpace = index == text.bytes.count || text.bytes[index] == 0x20
            if isSpace {
                if let begin = start { words.append((begin..<index, Array(text.bytes[begin..<index]))) }
                start = nil
            } else if start == nil {
                start = index
            }
        }
        var out = LinkText()
        var previousWasOperator = true
        for (position, entry) in words.enumerated() {
            var word = entry.word
            if word == Array("at".utf8) || word == Array("dot".utf8) {
                let hasNeighbors = position > 0 && position + 1 < words.count
                if hasNeighbors { word = word == Array("at".utf8) ? [UInt8(ascii: "@")] : [UInt8(ascii: ".")] }
            }
            let isOperator =
                word == [UInt8(ascii: "@")] || word == [UInt8(ascii: ".")]
                || word.first == UInt8(ascii: ".") && word.count > 1
                    && position > 0
            if !out.bytes.isEmpty, !isOperator, !previousWasOperator {
                out.append(UInt8(ascii: " "), text.starts[entry.range.lowerBound], text.starts[entry.range.lowerBound])
            }
            if word == entry.word {
                for index in entry.range { out.append(text.bytes[index], text.starts[index], text.ends[index]) }
            } else {
                for byte in word { out.append(byte, text.starts[entry.range.lowerBound], text.ends[entry.range.upperBound - 1]) }
            }
            previousWasOperator = word == [UInt8(ascii: "@")] || word == [UInt8(ascii: ".")]
        }
        return out
    }

    static func isLabelByte(_ byte: UInt8) -> Bool {
        (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte) || byte == 0x2D
    }

    static func scan(_ base: BaseText, siteDomains: [String], shorteners: [String]) -> Found {
        var found = Found()
        let text = linkText(base)
        let bytes = text.bytes
        guard bytes.contains(UInt8(ascii: ".")) || bytes.contains(UInt8(ascii: "@")) else { return found }
        var index = 0
        while index < bytes.count {
            guard isLabelByte(bytes[index]), index == 0 || !(isLabelByte(bytes[index - 1]) || bytes[index - 1] == 0x2E) else {
                index += 1
                continue
            }
            // A candidate: labels separated by dots, optionally `local@` before them.
            var end = index
            while end < bytes.count,
                isLabelByte(bytes[end]) || bytes[end] == 0x2E || bytes[end] == 0x5F || bytes[end] == 0x2B
                    || bytes[end] == 0x25
            {
                end += 1
            }
            var domainStart = index
            var isEmail = false
            if end < bytes.count, bytes[end] == 0x40 {
                // local@domain
                var domainEnd = end + 1
                while domainEnd < bytes.count, isLabelByte(bytes[domainEnd]) || bytes[domainEnd] == 0x2E { domainEnd += 1 }
                let domain = trimDots(String(decoding: bytes[(end + 1)..<domainEnd], as: UTF8.self))
                let labels = domain.split(separator: ".")
                if let first = labels.first, let last = labels.last,
                    (labels.count >= 2 && topLevelDomains.contains(String(last))) || mailProviders.contains(String(first))
                {
                    found.emails.append(Int(text.starts[index])..<Int(text.ends[domainEnd - 1]))
                    isEmail = true
                }
                index = max(domainEnd, index + 1)
                if isEmail { continue }
                domainStart = end + 1
                end = domainEnd
            }
            let candidate = trimDots(String(decoding: bytes[domainStart..<end], as: UTF8.self))
            let labels = candidate.split(separator: ".", omittingEmptySubsequences: false)
            if labels.count >= 2, labels.allSatisfy({ !$0.isEmpty }), let last = labels.last, topLevelDomains.contains(String(last)),
                labels.dropLast().contains(where: { $0.contains(where: \.isLetter) || $0.count >= 2 })
            {
                var domain = candidate
                if domain.hasPrefix("www.") { domain.removeFirst(4) }
                let own = siteDomains.contains { domain == $0 || domain.hasSuffix("." + $0) }
                if !own {
                    // Extend the reported range over a path that follows.
                    var stop = end
                    while stop < bytes.count, bytes[stop] != 0x20 { stop += 1 }
                    found.links.append((Int(text.starts[domainStart])..<Int(text.ends[stop - 1]), domain))
                }
            } else if let shortener = shorteners.first(where: { candidate == $0 || candidate.hasPrefix($0 + "/") }) {
                found.links.append((Int(text.starts[domainStart])..<Int(text.ends[end - 1]), shortener))
            }
            index = max(end, index + 1)
        }
        // Explicit schemes catch what the domain scan does not (an IP address, an unusual top-level domain).
        for scheme in ["http://", "https://"] {
            let pattern = Array(scheme.utf8)
            guard bytes.count >= pattern.count else { continue }
            for start in 0...(bytes.count - pattern.count) where bytes[start] == 0x68 && Array(bytes[start..<start + pattern.count]) == pattern {
                var stop = start + pattern.count
                while stop < bytes.count, bytes[stop] != 0x20 { stop += 1 }
                let host = String(decoding: bytes[(start + pattern.count)..<stop], as: UTF8.self).split(separator: "/").first.map(String.init) ?? ""
                let own = siteDomains.contains { host == $0 || host.hasSuffix("." + $0) }
                guard stop > start + pattern.count else { continue }
                let range = Int(text.starts[start])..<Int(text.ends[stop - 1])
                let covered = found.links.contains { $0.range.overlaps(range) }
                if !covered, !own {
                    found.links.append((range, host))
                }
            }
        }
        return found
    }

    static func trimDots(_ text: String) -> String {
        var result = Substring(text)
        while result.hasPrefix(".") { result = result.dropFirst() }
        while result.hasSuffix(".") { result = result.dropLast() }
        return String(result)
    }
}
