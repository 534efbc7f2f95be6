import Foundation
import StandardsPolicy
import Testing

@testable import ModctlCommands

/// What modctl shows a person, tested in the library instead of through a terminal.
@Suite struct PresentationTests {
    @Test func hitsAreMarkedByTheirStrongestActionInColourOrBrackets() {
        let hits = [
            Hit(rule: "links", reason: "link", category: "link", action: .hold, start: 6, end: 10),
            Hit(rule: "insults", reason: "insult", category: "insult", action: .reject, start: 8, end: 13),
        ]
        // Scalar offsets: a Korean syllable and an emoji each count one, as the engine counts them.
        // Where the stronger hit starts, the mark changes: hold ends, reject begins.
        #expect(Highlighter.mark("visit http스팸😀 now", hits: hits, color: false) == "visit «ht»«tp스팸😀» now")
        let coloured = Highlighter.mark("visit http스팸😀 now", hits: hits, color: true)
        #expect(coloured == "visit \u{1B}[1;33mht\u{1B}[0m\u{1B}[1;31mtp스팸😀\u{1B}[0m now", "\(coloured.debugDescription)")
        #expect(Highlighter.mark("nothing here", hits: [], color: true) == "nothing here")
    }

    @Test func timesAreShownInTheZoneWithTheirOffset() {
        let instant = Date(timeIntervalSince1970: 1_796_944_812)  // 2026-12-10 23:20:12 UTC
        #expect(LocalClock(TimeZone(identifier: "Asia/Seoul")!)(instant) == "2026-12-11 08:20:12 +09:00")
        #expect(LocalClock(TimeZone(identifier: "UTC")!)(instant) == "2026-12-10 23:20:12 +00:00")
        #expect(LocalClock(TimeZone(identifier: "America/St_Johns")!)(instant) == "2026-12-10 19:50:12 -03:30")
    }
}
