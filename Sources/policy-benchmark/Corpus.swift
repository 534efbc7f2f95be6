import PolicyTools
import StandardsPolicy

/// A deterministic, realistic mix of news comments: mostly ordinary Korean and English, with the share of
/// profanity, obfuscation, personal information, links, spam and emoji a busy comment section sees.
struct Corpus {
    typealias Generator = SeededGenerator

    static let korean = [
        "정부의 이번 정책은", "기사 잘 읽었습니다", "이 문제는 좀 더 신중하게 봐야 합니다", "서울시 발표에 따르면", "부동산 가격이 너무 올랐네요",
        "국회는 뭐 하는지 모르겠다", "2024년 통계와 비교하면", "정말 좋은 기사네요", "저는 반대합니다", "ㅋㅋㅋ", "전적으로 동의합니다",
        "경제가 어렵다는데", "기자님 수고하셨습니다", "한남동 재개발 소식", "아이들 교육이 걱정입니다", "물가가 계속 오르네요", "이게 말이 됩니까?",
        "선거가 얼마 안 남았네요", "외교 문제는 복잡합니다", "청년 일자리가 부족합니다", "시발점부터 다시 봐야", "대출 규제가 강화된다고",
    ]
    static let english = [
        "Great article, thanks.", "I completely disagree with this policy", "The government should explain this", "Seoul housing prices keep rising",
        "This is a classic mistake", "Who decided this?", "Interesting analysis of the economy", "The assassin plot sounds like fiction",
        "Good reporting as always", "What about the students?", "Prices in Sussex are no better", "I read this twice",
    ]
    static let bad = [
        "씨.발 진짜", "ㅅㅂ 뭐야", "tlqkf", "개새끼들", "병신 같은", "fuck this", "f u c k", "sh1t", "you idiot", "ｆｕｃｋ", "fuuuuck", "미친놈",
        "김치녀", "죽여버린다", "기레기", "kill yourself",
    ]
    static let personal = ["010-1234-5678로 연락", "kim at gmail dot com", "abc 골뱅이 naver 닷컴", "신한은행 110-123-456789", "900101-1234567"]
    static let promo = ["사설토토 가입", "무직자대출 당일", "bit.ly/3xYz 클릭", "see spamsite.com now", "오픈채팅 문의"]
    static let emoji = ["👍", "😂", "🇰🇷", "👨‍👩‍👧‍👦", "😡", "🙏🏽"]

    static func make(count: Int, seed: UInt64) -> [String] {
        var generator = Generator(state: seed)
        var comments: [String] = []
        comments.reserveCapacity(count)
        for _ in 0..<count {
            let roll = Int.random(in: 0..<100, using: &generator)
            var parts: [String] = []
            let pool = roll < 55 ? korean : (roll < 80 ? english : korean + english)
            for _ in 0..<Int.random(in: 1...5, using: &generator) { parts.append(pool.randomElement(using: &generator)!) }
            switch roll {
            case 80..<90: parts.insert(bad.randomElement(using: &generator)!, at: Int.random(in: 0...parts.count, using: &generator))
            case 90..<93: parts.append(personal.randomElement(using: &generator)!)
            case 93..<95: parts.append(promo.randomElement(using: &generator)!)
            case 95..<100: parts.append(emoji.randomElement(using: &generator)!)
            default: break
            }
            comments.append(parts.joined(separator: " "))
        }
        return comments
    }
}
