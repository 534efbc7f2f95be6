import Foundation
import StandardsPolicy
import Testing

/// Innocent comments that naive filters block (the Scunthorpe problem, in both languages), and ordinary news
/// comments: all must be approved.
@Suite struct TrapTests {
    static let cases: [PolicyCase] = [
        // English traps
        PolicyCase("Scunthorpe United won on Saturday", .approve), PolicyCase("The assassin was never caught", .approve),
        PolicyCase("A classic performance by the orchestra", .approve), PolicyCase("My therapist recommends walking", .approve),
        PolicyCase("Sussex police confirmed the arrest", .approve), PolicyCase("Essex and Middlesex councils met", .approve),
        PolicyCase("She graduated summa cum laude", .approve), PolicyCase("A cocktail party at the embassy", .approve),
        PolicyCase("The peacock is a beautiful bird", .approve), PolicyCase("Class act from the coach", .approve),
        PolicyCase("Herbie Hancock played tonight", .approve), PolicyCase("He passed the assessment with ease", .approve),
        PolicyCase("The assistant manager resigned", .approve), PolicyCase("Pass the bass, please", .approve),
        PolicyCase("Moby Dick is a long novel", .approve), PolicyCase("I'm shocked by the scrapheap of policies", .approve),
        PolicyCase("Hello! Great article!", .approve), PolicyCase("This analysis is thorough.", .approve),
        PolicyCase("Let's grab a Japanese lunch", .approve), PolicyCase("The pussy willow blooms in spring", .approve),
        PolicyCase("a chink in the armor of the ruling party", .approve), PolicyCase("The spicy food was great", .approve),
        PolicyCase("Shiitake mushrooms are on sale", .approve), PolicyCase("Dickens wrote about London", .approve),
        PolicyCase("I was pissed at first, now calm", .approve), PolicyCase("Hancock and Cockburn debated", .approve),
        // Korean traps
        PolicyCase("시발점이 어디였는지 다시 생각해 봐야 합니다", .approve), PolicyCase("시발역에서 출발하는 첫차", .approve),
        PolicyCase("병신년(丙申年) 새해 복 많이 받으세요", .approve), PolicyCase("한남동 맛집 추천합니다", .approve),
        PolicyCase("한남대교가 막히네요", .approve), PolicyCase("새끼손가락 걸고 약속", .approve), PolicyCase("개발자 채용 공고", .approve),
        PolicyCase("이 영상 보지 마세요 충격적입니다", .approve), PolicyCase("기사 끝까지 보지도 않고 댓글 다네", .approve),
        PolicyCase("밤새 자지 마세요", .approve), PolicyCase("곱씹어 볼 만한 칼럼입니다", .approve), PolicyCase("조종사 노조 파업", .approve),
        PolicyCase("음량 조절이 안 돼요", .approve), PolicyCase("옷보다 신발이 비싸다", .approve), PolicyCase("그게 맞나? 확인해 보세요", .approve),
        PolicyCase("서울시 발표에 따르면 내일부터 시행", .approve), PolicyCase("2018년에 발표된 자료입니다", .approve),
        PolicyCase("자위대 파견 문제는 신중해야", .approve), PolicyCase("한 남자가 구조되었다", .approve), PolicyCase("새끼 고양이 입양", .approve),
        PolicyCase("십 년 만에 돌아왔다", .approve), PolicyCase("발표 시기가 늦어졌네요", .approve), PolicyCase("밥상 물가가 올랐다", .approve),
        PolicyCase("ㅋㅋㅋㅋㅋㅋㅋㅋㅋㅋㅋㅋㅋㅋㅋㅋㅋㅋㅋ 웃기네요", .approve), PolicyCase("ㅠㅠㅠㅠㅠㅠㅠㅠㅠㅠㅠㅠㅠㅠ 슬프다", .approve),
        PolicyCase("좋은 기사 감사합니다!!!!!!!!!!!!!!!", .approve), PolicyCase("대출 규제가 강화된다는 소식", .approve),
        PolicyCase("텔레그램 n번방 사건 재판", .approve), PolicyCase("카지노 산업 규제 기사", .approve), PolicyCase("문의는 기자에게", .approve),
        PolicyCase("2024년 3월 15일 오후 3시 30분", .approve), PolicyCase("인구 51,780,000명", .approve), PolicyCase("전화번호 공개는 안 됩니다", .approve),
        PolicyCase("Visit koreajoongangdaily.joins.com for more", .approve),
        PolicyCase("https://koreajoongangdaily.joins.com/news/2026-12-03/national/politics/article/12345", .approve),
        PolicyCase("원문은 https://www.joongang.co.kr/article/25000000 에 있습니다", .approve),
        // Another paper's site is a link like any other.
        PolicyCase("Visit koreaherald.com for more", .hold, ["link"]),
        PolicyCase("e.g. the budget, i.e. spending", .approve), PolicyCase("Mr.Kim and Dr.Lee agreed", .approve),
        PolicyCase("version 3.14 of the report", .approve), PolicyCase("Meet me at the station", .approve), PolicyCase("Connect the dots", .approve),
        PolicyCase("좋은 정보 감사합니다 👍🏽👨‍👩‍👧‍👦🇰🇷", .approve), PolicyCase("이 기사에 전적으로 동의합니다.", .approve),
        PolicyCase("정부는 책임을 져야 한다", .approve), PolicyCase("아베 정부와 기시다 정부의 차이", .approve),
    ]

    @Test(arguments: cases)
    func innocentCommentsAreApproved(_ policyCase: PolicyCase) { check(policyCase) }
}

/// The 250-character limit and malformed input.
@Suite struct LimitTests {
    /// `count` characters cycling through `alphabet`, so no limit test is also a flood.
    static func cycle(_ alphabet: String, _ count: Int) -> String {
        let characters = Array(alphabet)
        return String((0..<count).map { characters[$0 % characters.count] })
    }
    static let hangul = "가나다라마바사아자차카타파하"
    static let sentence = "The quick brown fox jumps over the lazy dog near 42 old barns. "
    /// 10 different lines of 24 syllables joined by CRLF: 249 characters with 9 line breaks.
    static let lines = (0..<10).map { String(cycle(hangul + hangul, 24 + $0).suffix(24)) }.joined(separator: "\r\n")
    static let cases: [PolicyCase] = [
        PolicyCase(cycle(sentence, 250), .approve, [], "250 ASCII"),
        PolicyCase(cycle(sentence, 250) + "k", .reject, ["too_long"], "251 ASCII"),
        PolicyCase(cycle(hangul, 250), .approve, [], "250 Hangul"),
        PolicyCase(cycle(hangul, 251), .reject, ["too_long"], "251 Hangul"),
        PolicyCase(cycle(hangul, 250).decomposedStringWithCanonicalMapping, .approve, [], "250 Hangul as NFD (750 scalars)"),
        PolicyCase(cycle(hangul, 251).decomposedStringWithCanonicalMapping, .reject, ["too_long"], "251 Hangul as NFD"),
        PolicyCase(String(repeating: "👍🏽", count: 250), .approve, [], "250 emoji with skin tones"),
        PolicyCase(String(repeating: "👨‍👩‍👧‍👦", count: 100), .approve, [], "100 family emoji (ZWJ sequences)"),
        PolicyCase(String(repeating: "👨‍👩‍👧‍👦", count: 251), .reject, ["too_long"], "251 family emoji"),
        PolicyCase(lines + "가", .approve, [], "CRLF counts as one character"),
        PolicyCase(lines + "가나", .reject, ["too_long"], "251 with CRLFs"),
        PolicyCase("   " + cycle(sentence, 250) + "  \n ", .approve, [], "leading and trailing whitespace is trimmed"),
        PolicyCase(String(repeating: "e\u{301}o\u{308}", count: 125), .approve, [], "250 accented letters as NFD"),
        PolicyCase("", .reject, ["empty"], "empty"), PolicyCase("   \n\t  ", .reject, ["empty"], "whitespace only"),
        PolicyCase("\u{200B}\u{3164}\u{FEFF}", .reject, ["empty"], "invisible only"),
        PolicyCase("hello\u{0}world", .reject, ["malformed"], "NUL"), PolicyCase("bell\u{7}", .reject, ["malformed"], "BEL"),
        PolicyCase("c1\u{85}control", .reject, ["malformed"], "C1 control"), PolicyCase("tab\tis fine", .approve, [], "tab"),
        PolicyCase("Z" + String(repeating: "\u{0351}\u{034A}\u{0342}", count: 5) + "algo", .reject, ["combining_overload"], "Zalgo"),
        PolicyCase("Vie\u{0323}\u{0302}t Nam", .approve, [], "Vietnamese stacked diacritics are fine"),
        PolicyCase("👩🏻‍❤️‍💋‍👨🏼 kiss", .approve, [], "the longest emoji sequence (10 scalars)"),
        PolicyCase(String(repeating: "😀", count: 1100), .reject, ["too_long"], "over the byte cap"),
    ]

    @Test(arguments: cases)
    func limits(_ policyCase: PolicyCase) { check(policyCase) }

    @Test func countsMatchTheBrowserCounterForOrdinaryText() {
        #expect(TextNormalizer.normalize("안녕하세요 👋 반갑습니다").characterCount == 13)
        #expect(TextNormalizer.normalize("a\r\nb").characterCount == 3)
        #expect(TextNormalizer.normalize("🇰🇷🇯🇵").characterCount == 2)
        #expect(TextNormalizer.normalize("  x  ").characterCount == 1)
    }
}

/// Personal information, links, spam and flooding.
@Suite struct DetectorTests {
    static let cases: [PolicyCase] = [
        // Phones
        PolicyCase("연락주세요 010-1234-5678", .hold, ["personal_info"]), PolicyCase("010 1234 5678", .hold, ["personal_info"]),
        PolicyCase("01012345678로 문자", .hold, ["personal_info"]), PolicyCase("공일공 일이삼사 오육칠팔", .hold, ["personal_info"]),
        PolicyCase("０１０－１２３４－５６７８", .hold, ["personal_info"]), PolicyCase("O1O-1234-5678", .hold, ["personal_info"]),
        PolicyCase("02-123-4567 사무실", .hold, ["personal_info"]), PolicyCase("031-765-4321", .hold, ["personal_info"]),
        PolicyCase("070-1234-5678", .hold, ["personal_info"]), PolicyCase("(02) 3456 7890", .hold, ["personal_info"]),
        // Registration and card numbers
        PolicyCase("주민번호 900101-1234567", .reject, ["personal_info"]), PolicyCase("9001011234567", .reject, ["personal_info"]),
        PolicyCase("외국인등록번호 850312-5123456", .reject, ["personal_info"]), PolicyCase("카드 4111 1111 1111 1111", .reject, ["personal_info"]),
        PolicyCase("5500-0000-0000-0004", .reject, ["personal_info"]), PolicyCase("4111 1111 1111 1112 is not a card", .approve),
        PolicyCase("123456-7890123 is no birth date", .approve), PolicyCase("아멕스 3782 822463 10005", .reject, ["personal_info"]),
        PolicyCase("3056 930902 5904 다이너스", .reject, ["personal_info"]), PolicyCase("3782 8224 6310 005", .reject, ["personal_info"]),
        // Bank accounts near a bank word
        PolicyCase("신한은행 110-123-456789 입금", .hold, ["personal_info"]), PolicyCase("계좌 3333-01-1234567", .hold, ["personal_info"]),
        PolicyCase("order number 110-123-456789", .approve),
        // Emails
        PolicyCase("메일 kim@example.com 으로", .hold, ["personal_info"]), PolicyCase("kim at gmail dot com", .hold, ["personal_info"]),
        PolicyCase("abc 골뱅이 naver 닷컴", .hold, ["personal_info"]), PolicyCase("kim(at)daum(dot)net", .hold, ["personal_info"]),
        PolicyCase("kim＠naver", .hold, ["personal_info"]),
        // Links
        PolicyCase("see spamsite.com now", .hold, ["link"]), PolicyCase("http://198.51.100.7/x", .hold, ["link"]),
        PolicyCase("www.example.org", .hold, ["link"]), PolicyCase("bit.ly/3xYz", .hold, ["link"]), PolicyCase("me2.do/abc", .hold, ["link"]),
        PolicyCase("example dot com", .hold, ["link"]), PolicyCase("example[.]com", .hold, ["link"]), PolicyCase("example。com", .hold, ["link"]),
        PolicyCase("spam닷컴", .hold, ["link"]), PolicyCase("news.joongang.co.kr/article", .approve),
        PolicyCase("see my-shop.co.kr/sale", .hold, ["link"]), PolicyCase("버전 2.0 출시, 3.14.15 아님", .approve),
        PolicyCase("..spam.xyz..", .hold, ["link"]), PolicyCase("a..com b.c1", .approve),
        // Spam
        PolicyCase("사설토토 가입하면 보너스", .reject, ["spam"]), PolicyCase("무직자대출 당일 가능", .reject, ["spam"]),
        PolicyCase("오픈채팅으로 오세요", .reject, ["spam"]), PolicyCase("조건만남 원하시면", .reject, ["spam"]),
        PolicyCase("best online casino bonus", .reject, ["spam"]), PolicyCase("리딩방 무료 입장", .reject, ["spam"]),
        PolicyCase("카 톡 아 이 디 abc", .reject, ["spam"]),
        // Flooding
        PolicyCase("아아아아아아아아아아아아아아아아", .reject, ["flood"]), PolicyCase("!!!!!!!!!!!!!!!!!!!! fine", .approve),
        PolicyCase("spam spam spam spam spam spam spam", .reject, ["flood"]), PolicyCase(String(repeating: "줄\n", count: 20), .reject, ["flood"]),
        PolicyCase("zzzzzzzzzzzzzzzzzzzzzzzzz", .reject, ["flood"]),
        PolicyCase(String(repeating: "Antidisestablishment ", count: 6) + "is long", .reject, ["flood"]),
        PolicyCase("Antidisestablishmentarianism and internationalization are both long words, said nobody", .approve),
        PolicyCase("정말 정말 정말 정말 정말 좋은 기사", .approve, [], "five of seven words: under the six a flood needs"),
        PolicyCase("정말 정말 정말 정말 정말 정말 좋은 기사", .reject, ["flood"]),
        PolicyCase("좋은 정말 좋은 정말 좋은 정말 좋은 정말 좋은 정말 기사", .approve, [], "two words of one length, neither over half"),
        // Threats and the strongest action
        PolicyCase("I know where you live", .hold, ["threat"]), PolicyCase("kys", .hold, ["threat"]), PolicyCase("찾아간다 기다려라", .hold, ["threat"]),
        PolicyCase("you idiot, fuck off", .reject, ["insult", "profanity"], "reject beats hold, both kept"),
        PolicyCase("tlqkf", .reject, ["profanity"], "typed on a Korean keyboard"), PolicyCase("qudtls", .reject, ["profanity"]),
        PolicyCase("ㅅ1ㅂ", .reject, ["profanity"]), PolicyCase("7ㅐ새끼", .reject, ["profanity"]), PolicyCase("^ㅂ", .reject, ["profanity"]),
        PolicyCase("18놈아", .reject, ["profanity"]), PolicyCase("시1발", .reject, ["profanity"]), PolicyCase("ㅆ ㅂ", .reject, ["profanity"]),
        PolicyCase("병신년", .reject, ["profanity"], "without the Hanja it is the insult"), PolicyCase("한남들 진짜", .reject, ["hate"]),
        PolicyCase("Scunthorpe is a cunt", .reject, ["profanity"], "a real hit beside an allowed word"),
    ]

    @Test(arguments: cases)
    func detectors(_ policyCase: PolicyCase) { check(policyCase) }

    @Test func hitsPointAtTheOriginalText() throws {
        let text = "좋은 기사지만 씨.발 진짜"
        let verdict = standardsBoard.evaluate(text, context: .textOnly())
        let hit = try #require(verdict.hits.first)
        let scalars = Array(text.unicodeScalars)
        let start = try #require(hit.start)
        let end = try #require(hit.end)
        #expect(String(String.UnicodeScalarView(scalars[start..<end])) == "씨.발")
        #expect(hit.matched == "씨.발")
        #expect(hit.rule == "profanity-ko")
    }

    @Test func personalInformationIsMaskedInHits() throws {
        let verdict = standardsBoard.evaluate("전화 010-9876-5432", context: .textOnly())
        let hit = try #require(verdict.hits.first { $0.reason == "personal_info" })
        #expect(hit.matched?.contains("9876") == false)
        #expect(hit.matched?.hasPrefix("mobile:") == true)
    }
}

/// The default policy as it ships, learned model included, on the comments the case suites say must pass: the model
/// may hold a few (it is tuned to approve 97 % of clean comments, with the rules), never reject one, and never hold a
/// comment for its length, its language or its repetitions alone.
@Suite struct ModelInThePolicyTests {
    static let innocent = (TrapTests.cases + AccuracyCases.everydayWords + LimitTests.cases).filter { $0.outcome == .approve }

    @Test func theModelHoldsFewInnocentCommentsAndRejectsNone() {
        #expect(standardsBoard.document.rules.contains { $0.isLearnedModel }, "the default policy ships its model")
        let verdicts = Self.innocent.map { ($0.text, standardsBoard.evaluate($0.text, context: .textOnly())) }
        let held = verdicts.filter { $0.1.outcome != .approve }
        #expect(held.allSatisfy { $0.1.outcome == .hold && $0.1.hits.allSatisfy { $0.rule == "abuse-model" } }, "\(held.map(\.0))")
        #expect(Double(held.count) <= 0.03 * Double(verdicts.count), "held \(held.count) of \(verdicts.count): \(held.map(\.0))")
        // English, long and repetitive comments: the model was trained on Korean, and counts a feature once.
        for text in [
            LimitTests.sentence + LimitTests.sentence, String(repeating: LimitTests.hangul, count: 10), "Visit koreajoongangdaily.joins.com for more",
        ] {
            #expect(standardsBoard.evaluate(text, context: .textOnly()).outcome == .approve, "\(text)")
        }
    }
}
