import Foundation
import StandardsPolicy
import Testing

/// Personal information, links, spam and flooding.
@Suite
struct DetectorTests {
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
        // Terms whose innocent words are allowed or that only start words (TrapTests has the innocent words).
        PolicyCase("그염병하며 나왔던 거", .reject, ["profanity"], "염병 still inside words; 감염병 and 전염병 are allowed"),
        PolicyCase("이 애자야", .reject, ["hate"], "at a word's start; inside one it is 동성애자"),
        PolicyCase("니애미", .reject, ["profanity"], "애미 still inside words; 마이애미 is allowed"),
        PolicyCase("roto", .reject, ["profanity"], "개새 typed on a Korean keyboard; rotor is allowed"),
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
