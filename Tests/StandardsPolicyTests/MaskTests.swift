import Foundation
import Testing

@testable import StandardsPolicy

@Suite
struct MaskTests {
    /// A personal-information match keeps its first two characters and its separators; every letter and digit after
    /// them is masked, in any script or width.
    @Test(arguments: [
        ("010-1234-5678", "01*-****-****"), ("kim@gmail.com", "ki*@*****.***"), ("김철수", "김철*"), ("０１０１２３", "０１****"),
        ("900101-1234567", "90****-*******"), ("ab", "ab"), ("신한은행 110", "신한** ***"), ("e\u{301}tu\u{301}de", "e\u{301}t***"),
        ("ab\r\n12", "ab\r\n**"), ("👍🏽 010", "👍🏽 ***"),
    ])
    func masksLettersAndDigitsAfterTheFirstTwo(text: String, masked: String) {
        #expect(CompiledPolicy.mask(text) == masked)
    }
}
