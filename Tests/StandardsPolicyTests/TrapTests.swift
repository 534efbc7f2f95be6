import Foundation
import StandardsPolicy
import Testing

/// Innocent comments that naive filters block (the Scunthorpe problem, in both languages), and ordinary news
/// comments: all must be approved.
@Suite
struct TrapTests {
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
        // Everyday words a short term sits in (deploy/local/everyday-words.sh finds them in wordfreq's vocabulary).
        PolicyCase("감염병 전문가들은 백신 접종을 권고했다", .approve), PolicyCase("전염병 확산 속도가 빨라졌다", .approve),
        PolicyCase("동성애자 인권 단체가 성명을 냈다", .approve), PolicyCase("이성애자와 동성애자 모두의 권리", .approve),
        PolicyCase("마이애미에서 열린 결승전", .approve), PolicyCase("도시바 반도체 부문 매각", .approve),
        // An English word that reads as a Korean term typed on a Korean keyboard (rotor: 개색); its Latin allow entry
        // vetoes the hit the jamo view found.
        PolicyCase("The helicopter's rotor blades were damaged", .approve),
    ]

    @Test(arguments: cases)
    func innocentCommentsAreApproved(_ policyCase: PolicyCase) { check(policyCase) }
}
