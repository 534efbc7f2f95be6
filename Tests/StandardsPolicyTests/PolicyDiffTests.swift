import Foundation
import StandardsPolicy
import Testing

@Suite
struct PolicyDiffTests {
    @Test func listsSettingsRulesTermsAndParameters() throws {
        let base = PolicyBundle.standardsBoard
        var edited = base
        var yaml = edited.document
        yaml = yaml.replacingOccurrences(of: "max_characters: 250", with: "max_characters: 300")
        yaml = yaml.replacingOccurrences(of: "params: {first: 3}", with: "params: {first: 5}")
        yaml = yaml.replacingOccurrences(
            of: "  - id: insults\n",
            with: "  - {id: shouting, kind: terms, action: hold, reason: other, category: other, terms: [AAARGH]}\n  - id: insults\n"
        )
        edited.files[edited.mainFile] = yaml
        edited.files["insults.txt"] = (base.files["insults.txt"] ?? "").replacingOccurrences(of: "stupid\n", with: "stupid\nnitwit*\n")
        let diff = PolicyDiff.between(try PolicyLoader.document(from: base), try PolicyLoader.document(from: edited))
        // The byte cap is derived from the character limit, so it follows it.
        #expect(diff.settings == ["max_characters: 250 → 300", "max_bytes: 10000 → 12000"])
        #expect(diff.added == ["shouting: terms hold other"])
        #expect(diff.removed.isEmpty)
        #expect(diff.changed.contains(PolicyDiff.RuleChange(rule: "insults", changes: ["terms +1 −0 (+nitwit*)"])), "\(diff.changed)")
        #expect(diff.changed.contains(PolicyDiff.RuleChange(rule: "new-commenter", changes: ["parameters first 3 → first 5"])))
        #expect(!diff.reordered)
        #expect(PolicyDiff.between(try PolicyLoader.document(from: base), try PolicyLoader.document(from: base)).isEmpty)
    }
}
