import CommentStore
import Foundation
import PostgresLibPQ
import Testing

/// The project's own SQLSTATEs: every code the migrations raise has its constant, and every constant is raised.
@Suite
struct SQLStateTests {
    @Test func theConstantsAreExactlyTheCodesTheMigrationsRaise() throws {
        let pattern = try NSRegularExpression(pattern: #"ERRCODE\s*=\s*'(CD[0-9]{3})'"#)
        var raised: Set<String> = []
        for migration in Migration.all {
            let text = migration.sql
            for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                raised.insert(String(text[Range(match.range(at: 1), in: text)!]))
            }
        }
        let constants = SQLState.commentDesk.map(\.rawValue)
        #expect(Set(constants).count == constants.count, "no code named twice")
        #expect(
            Set(constants) == raised,
            "constants without a raise: \(Set(constants).subtracting(raised)); raises without a constant: \(raised.subtracting(constants))"
        )
    }
}
