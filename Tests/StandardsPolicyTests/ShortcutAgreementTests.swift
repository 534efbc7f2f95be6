import Foundation
import Testing

@testable import StandardsPolicy

/// The shortcuts that remain are read off the same definitions as the full path; over generated texts they agree.
@Suite
struct ShortcutAgreementTests {
    /// The link gate (`mightContainLinks`, from the normalizer's signals) never hides a link or address the rules would
    /// report.
    @Test(arguments: 0..<6)
    func theLinkGateNeverHidesALink(seed: UInt64) {
        var generator = SeededGenerator(state: seed &* 31 &+ 7)
        let pieces = [
            "spam", "닷컴", "닷", "점컴", "쩜", "골뱅이", "naver", ".", "。", "[.]", "@", "com", "kr", " ", "at", "dot", "www", "/", "http://",
            "가", "a", "1", "-", "bit.ly",
        ]
        for _ in 0..<2_000 {
            var text = ""
            for _ in 0..<Int.random(in: 1...8, using: &generator) { text += pieces.randomElement(using: &generator)! }
            let normalized = TextNormalizer.normalize(text)
            if !normalized.mightContainLinks {
                var forced = normalized
                forced.mightContainLinks = true
                let found = Links.scan(forced)
                let reported = found.links(siteDomains: [], shorteners: Links.defaultShorteners)
                #expect(reported.isEmpty && found.emails.isEmpty, "the gate hid \(reported.map(\.domain)) \(found.emails) in \(text)")
            }
        }
    }

    /// What the reader API refuses at once (`checkFormat`) is exactly what the rejecting format rules hit in a verdict.
    @Test(arguments: 0..<4)
    func formatChecksAgreeWithVerdicts(seed: UInt64) {
        var generator = SeededGenerator(state: seed &* 131 &+ 5)
        for _ in 0..<300 {
            let text = NormalizerPropertyTests.randomText(&generator)
            let refusal = standardsBoard.checkFormat(text)
            let verdict = standardsBoard.evaluate(text, context: .textOnly())
            let formatHits = verdict.hits.filter { hit in
                standardsBoard.document.rules.first { $0.id == hit.rule }.map { $0.kind is any FormatRule && $0.action == .reject } ?? false
            }
            #expect((refusal == nil) == formatHits.isEmpty, "\(text.debugDescription): \(String(describing: refusal)) vs \(formatHits)")
            if let refusal { #expect(formatHits.first?.rule == refusal.rule) }
        }
    }
}
