import Foundation
import StandardsPolicy
import Testing

/// Issue 17's classes of error, each as comments a reader could write (written here, not taken from any labelled set):
/// everyday news words that must pass, the vocabulary the lists lacked, the spellings readers disguise words in, and
/// the rules' gaps. A class is tested by several comments, so a fix for one sentence does not pass it.
@Suite
struct AccuracyCases {
    /// Everyday words that contain a listed one, or look like one: a news site must publish them.
    static let everydayWords: [PolicyCase] = [
        PolicyCase("장관은 자진 사퇴하라", .approve, [], "자지 inside 자진"),
        PolicyCase("피의자가 자진 출석했다고 경찰이 밝혔다", .approve, [], "자진 출석"),
        PolicyCase("자진신고 기간이 이달 말까지 연장됐다", .approve, [], "자진신고"),
        PolicyCase("후보자의 자질을 검증해야 한다", .approve, [], "자지 inside 자질"),
        PolicyCase("그렇게 억울하면 직접 해보지 그랬어", .approve, [], "해보지"),
        PolicyCase("요즘 많이 바쁜가 보지", .approve, [], "가 보지"),
        PolicyCase("이제 와서 후회하나보지", .approve, [], "-나보지"),
        PolicyCase("그 사람도 결국 피해자지 가해자가 아니다", .approve, [], "피해자 + 지"),
        PolicyCase("그래도 아직은 남자지", .approve, [], "남자 + 지"),
        PolicyCase("18년 만에 우승컵을 들어 올렸다", .approve, [], "18년 만에"),
        PolicyCase("18년도에 개봉한 영화가 재개봉한다", .approve, [], "18년도"),
        PolicyCase("벌써 18년 전 일이네요", .approve, [], "18년 전"),
        PolicyCase("허리띠를 졸라매야 할 때다", .approve, [], "졸라매다"),
        PolicyCase("우리 집 시바견이 제일 귀엽다", .approve, [], "시바견"),
        PolicyCase("목포 홍어삼합 맛집 소개 기사 잘 봤습니다", .approve, [], "홍어삼합"),
        PolicyCase("음식물 쓰레기 분리수거 제도가 바뀐다", .approve, [], "쓰레기 분리수거"),
        PolicyCase("길에서 새끼 고양이를 구조했대요", .approve, [], "새끼 고양이"),
        PolicyCase("정전으로 불이 모두 꺼져 있었다", .approve, [], "꺼져 (went out)"),
        PolicyCase("온라인 강의 신청은 홈페이지에서", .approve, [], "라인 inside 온라인"),
        PolicyCase("평신도 모임에서 봉사했다", .approve, [], "no aspirated variant of 병신"),
        PolicyCase("삼시세끼 새 시즌 언제 하나요", .approve, [], "세끼 (meals)"),
        PolicyCase("기관총 사격 훈련이 있었다", .approve, [], "no 관종 variant"),
        PolicyCase("딸바보 아빠의 하루", .approve, [], "바보 is not a listed word"),
        PolicyCase("기이한 일이 벌어졌다", .approve, [], "a stretched vowel is no word"),
        PolicyCase("The Kushite kingdom ruled Egypt", .approve, [], "*shit is a suffix"),
        PolicyCase("These jeans have a looser fit", .approve, [], "looser is not loser"),
        PolicyCase("A raccoon got into the trash", .approve, [], "coon is a whole word"),
        PolicyCase("The transmission needs repair", .approve, [], "tranny is a prefix of a word"),
        PolicyCase("That report was pure gobbledygook", .approve, [], "gook is a prefix"),
        PolicyCase("He used a hoe in the garden", .hold, ["insult"], "hoe is held, never rejected"),
    ]

    /// Vocabulary the lists lacked: Korean political, regional and online slurs, the 새끼 family, and English terms.
    static let vocabulary: [PolicyCase] = [
        PolicyCase("문재앙 또 헛소리하네", .hold, ["insult"]), PolicyCase("개돼지 취급 받는 국민들", .hold, ["insult"]),
        PolicyCase("메갈들이 또 난리다", .reject, ["hate"]), PolicyCase("좌빨 방송 그만 봐라", .reject, ["hate"]),
        PolicyCase("짱개들 다 나가라", .reject, ["hate"]), PolicyCase("홍어들은 원래 저래", .hold, ["insult"]),
        PolicyCase("한녀들 수준 보소", .reject, ["hate"]), PolicyCase("토착왜구 청산하자", .reject, ["hate"]),
        PolicyCase("일베충 냄새 난다", .reject, ["hate"]), PolicyCase("꼴페미 또 시작", .reject, ["hate"]),
        PolicyCase("빨갱이 소리 듣기 싫으면", .reject, ["hate"]), PolicyCase("저런 년들은 처벌해야", .reject, ["hate"]),
        PolicyCase("표정 보소 새끼가", .hold, ["insult"]), PolicyCase("저 색히 뭐냐", .hold, ["insult"]),
        PolicyCase("쉐끼 진짜 웃기네", .hold, ["insult"]), PolicyCase("ㅅㄲ 꼴보기 싫다", .hold, ["insult"]),
        PolicyCase("졸라 재미없네", .reject, ["profanity"]), PolicyCase("ㅈ같은 판결이다", .reject, ["profanity"]),
        PolicyCase("니 애미 없냐", .reject, ["profanity"]), PolicyCase("느금 뭐하시냐", .reject, ["profanity"]),
        PolicyCase("그 쓰레기 같은 인간", .hold, ["insult"]), PolicyCase("듣보잡이 나대네", .hold, ["insult"]),
        PolicyCase("she is a thot", .reject, ["sexual"]), PolicyCase("what a slut", .reject, ["sexual"]),
        PolicyCase("whores everywhere", .reject, ["sexual"]), PolicyCase("sup my nicca", .reject, ["hate"]),
        PolicyCase("that nigguh again", .reject, ["hate"]), PolicyCase("shut up nig", .reject, ["hate"]),
        PolicyCase("look at that niglet", .reject, ["hate"]), PolicyCase("typical whigger", .reject, ["hate"]),
        PolicyCase("go home towel head", .reject, ["hate"]), PolicyCase("bunch of white trash", .reject, ["hate"]),
    ]

    /// Spellings readers disguise words in, each class generated or normalized, never listed word by word.
    static let spellings: [PolicyCase] = [
        PolicyCase("f*ck this government", .reject, ["profanity"], "masked letter"),
        PolicyCase("what a load of sh*t", .reject, ["profanity"], "masked letter"),
        PolicyCase("you b*tch", .reject, ["profanity"], "masked letter"),
        PolicyCase("this is bullsh*t", .reject, ["profanity"], "masked letter"),
        PolicyCase("ㅈ같ㅇ 판결", .reject, ["profanity"], "initial consonant for a syllable"),
        PolicyCase("x같은 세상", .reject, ["profanity"], "x for a syllable"),
        PolicyCase("씌발 뭐하는 거야", .reject, ["profanity"], "vowel variant ㅢ"),
        PolicyCase("쒸발 진짜", .reject, ["profanity"], "tensed and vowel variant"),
        PolicyCase("씨뱔 어이없네", .reject, ["profanity"], "vowel variant ㅑ"),
        PolicyCase("씨바 왜 저래", .reject, ["profanity"], "listed spelling"),
        PolicyCase("씨벌 뭐냐", .reject, ["profanity"], "listed spelling"),
        PolicyCase("십알 이게 뭐야", .reject, ["profanity"], "listed spelling"),
        PolicyCase("씨이이이발 진짜", .reject, ["profanity"], "stretched vowel"),
        PolicyCase("지이이랄 하네", .reject, ["profanity"], "stretched vowel"),
        PolicyCase("쥐랄 떨지 마", .reject, ["profanity"], "vowel variant ㅟ"),
        PolicyCase("찌랄하고 있네", .reject, ["profanity"], "tensed initial"),
        PolicyCase("뼝신 같은 소리", .reject, ["profanity"], "tensed initial"),
        PolicyCase("개.새끼야", .reject, ["profanity"], "symbol between syllables"),
        PolicyCase("개**새끼", .reject, ["profanity"], "symbols between syllables"),
        PolicyCase("시1발 진짜", .reject, ["profanity"], "digit between syllables"),
        PolicyCase("병_신 인증", .reject, ["profanity"], "symbol between syllables"),
        PolicyCase("개새♡끼", .reject, ["profanity"], "symbol between syllables"),
        PolicyCase("지-랄났다", .reject, ["profanity"], "a separator, then a suffix"),
        PolicyCase("미친-놈아 꺼져라", .reject, ["profanity"], "a separator inside"),
        PolicyCase("이 새끼 뭐야", .reject, ["profanity"], "spaced with a particle"),
        PolicyCase("병 신 같은 짓", .reject, ["profanity"], "spaced syllables"),
        PolicyCase("개 새끼들", .reject, ["profanity"], "spaced compound"),
        PolicyCase("人ㅂ 뭐야", .reject, ["profanity"], "CJK look-alike for ㅅ"),
        PolicyCase("ㅅ丨발", .reject, ["profanity"], "CJK look-alike for ㅣ"),
        PolicyCase("ssibal what is this", .reject, ["profanity"], "romanized"),
        PolicyCase("sibal jinjja", .reject, ["profanity"], "romanized"),
        PolicyCase("shibal seki", .reject, ["profanity"], "popular romanization"),
        PolicyCase("you are byungshin", .reject, ["profanity"], "popular romanization"),
        PolicyCase("gaesaekki ya", .reject, ["profanity"], "romanized"),
        PolicyCase("시bal 진짜", .reject, ["profanity"], "half in Latin letters"),
        PolicyCase("병시니 같은 놈", .reject, ["profanity"], "final moved onto the particle"),
        PolicyCase("지라리 떠네", .reject, ["profanity"], "final moved onto the particle"),
        PolicyCase("이 병시나", .reject, ["profanity"], "final moved onto the particle"),
    ]

    /// Rule gaps: handles instead of links, links without a scheme or with odd top-level domains, international phone
    /// numbers, addresses after "at", floods of punctuation and laughter, and the site's own links.
    static let ruleGaps: [PolicyCase] = [
        PolicyCase("좋은 정보 있어요 카톡 abc1234 로 연락", .hold, ["spam"], "messenger ID"),
        PolicyCase("DM me on telegram @quick_cash", .hold, ["spam"], "@ handle"),
        PolicyCase("텔레그램: toto_vip 토토 환영", .hold, ["spam"], "ID with underscore"),
        PolicyCase("문의는 라인 id money77 으로", .hold, ["spam"], "ID after a label"),
        PolicyCase("kakao id: loanking 즉시 대출", .hold, ["spam"], "ID after a label"),
        PolicyCase("카톡으로 연락주세요 감사합니다", .approve, [], "a messenger's name alone"),
        PolicyCase("I read it on Telegram yesterday", .approve, [], "a messenger's name alone"),
        PolicyCase("go to www.bit-coin.money now", .hold, ["link"], "www. with an unusual TLD"),
        PolicyCase("visit http://promo.example/deal today", .hold, ["link"], "explicit scheme, unusual TLD"),
        PolicyCase("연락처 +82 10-1234-5678", .hold, ["personal_info"], "country code"),
        PolicyCase("call me +82-10-9876-5432", .hold, ["personal_info"], "country code"),
        PolicyCase("email me at jane.doe@example.com", .hold, ["personal_info"], "address after at"),
        PolicyCase("write to kim at gmail dot com", .hold, ["personal_info"], "spoken address"),
        PolicyCase(String(repeating: "!", count: 30), .reject, ["flood"], "punctuation flood"),
        PolicyCase(String(repeating: "ㅋ", count: 60), .reject, ["flood"], "laughter flood"),
        PolicyCase("ㅋㅋㅋㅋㅋㅋㅋㅋㅋㅋ 웃기다", .approve, [], "laughter"),
        PolicyCase("기사 원문 https://koreajoongangdaily.joins.com/news/2026-12-03/national/12345", .approve, [], "own site"),
        PolicyCase("관련 기사 www.joongang.co.kr/article/25000000", .approve, [], "own site"),
    ]

    @Test(arguments: everydayWords) func everydayWordsPass(_ policyCase: PolicyCase) { check(policyCase) }
    @Test(arguments: vocabulary) func newVocabularyIsCaught(_ policyCase: PolicyCase) { check(policyCase) }
    @Test(arguments: spellings) func disguisedSpellingsAreCaught(_ policyCase: PolicyCase) { check(policyCase) }
    @Test(arguments: ruleGaps) func ruleGapsAreClosed(_ policyCase: PolicyCase) { check(policyCase) }

    /// Each case is its own text: a repeated one would check nothing new, and two cases of one text expecting
    /// different outcomes would contradict each other.
    @Test func everyCaseIsADifferentText() {
        let all = Self.everydayWords + Self.vocabulary + Self.spellings + Self.ruleGaps
        let repeated = Dictionary(grouping: all, by: \.text).filter { $0.value.count > 1 }.keys.sorted()
        #expect(repeated.isEmpty, "\(repeated)")
    }

    /// Every English term family the issue names is caught in every spelling the obfuscation classes make of it, and
    /// the Scunthorpe traps still pass (``TrapTests``).
    @Test(arguments: ["slut", "whore", "thot", "nicca", "nigguh", "niglet", "whigger"])
    func englishFamiliesAreCaughtInEverySpelling(word: String) {
        for obfuscation in Obfuscation.allCases where obfuscation != .bidi {
            let text = "you \(obfuscation.apply(word)) again"
            let verdict = standardsBoard.evaluate(text, context: .textOnly())
            #expect(verdict.outcome == .reject, "\(obfuscation.rawValue): \(text) → \(verdict.outcome) \(verdict.reasons)")
        }
    }
}
