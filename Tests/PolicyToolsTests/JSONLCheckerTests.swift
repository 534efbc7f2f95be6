import Foundation
import PolicyTools
import StandardsPolicy
import Testing

let standardsBoard = try! CompiledPolicy.standardsBoard()

@Suite
struct JSONLCheckerTests {
    let checker = JSONLChecker(policy: standardsBoard, now: Date(timeIntervalSince1970: 1_795_918_081))

    func object(_ line: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    @Test func aCleanCommentIsApprovedAndTheIdComesBackAsGiven() throws {
        let out = try object(checker.check(line: #"{"id": "c-1", "body": "좋은 기사입니다"}"#, number: 1))
        #expect(out["id"] as? String == "c-1")
        #expect(out["outcome"] as? String == "approve")
        #expect((out["reasons"] as? [String])?.isEmpty == true)
        let numeric = try object(checker.check(line: #"{"id": 42, "body": "ok"}"#, number: 2))
        #expect(numeric["id"] as? Int == 42)
    }

    @Test func hitsCarrySpansAndRules() throws {
        let out = try object(checker.check(line: #"{"id": 1, "body": "you idiot \"quoted\"\n시발"}"#, number: 1))
        #expect(out["outcome"] as? String == "reject")
        #expect(out["reasons"] as? [String] == ["profanity", "insult"])
        let hits = try #require(out["hits"] as? [[String: Any]])
        #expect(hits.contains { $0["rule"] as? String == "insults" && $0["start"] as? Int == 4 && $0["end"] as? Int == 9 })
    }

    /// The same line gives the same bytes (keys sorted), and what the text held comes back intact through the encoder.
    @Test func theOutputIsStableAndRoundTrips() throws {
        let line = #"{"id": "a/b", "body": "you idiot \u2028 \"q\" \t 시발 http://x.example/"}"#
        let first = checker.check(line: line, number: 1)
        #expect(first == checker.check(line: line, number: 1))
        #expect(first.hasPrefix(#"{"hits":[{"action":"#), "\(first)")
        #expect(!first.contains("\n") && first.contains(#""id":"a/b""#), "\(first)")
        let hits = try #require(try object(first)["hits"] as? [[String: Any]])
        #expect(hits.contains { $0["matched"] as? String == "시발" })
    }

    @Test func contextChangesTheVerdict() throws {
        let anonymous = try object(checker.check(line: #"{"id": 1, "body": "hello", "context": {"authenticated": false}}"#, number: 1))
        #expect(anonymous["reasons"] as? [String] == ["login_required"])
        let banned = try object(checker.check(line: #"{"id": 2, "body": "hello", "context": {"account_status": "banned"}}"#, number: 2))
        #expect(banned["reasons"] as? [String] == ["account_banned"])
        let closed = try object(checker.check(line: #"{"id": 3, "body": "hello", "context": {"article_closed": true}}"#, number: 3))
        #expect(closed["reasons"] as? [String] == ["article_closed"])
        let provider = try object(checker.check(line: #"{"id": 4, "body": "hello", "context": {"provider": "google"}}"#, number: 4))
        #expect(provider["reasons"] as? [String] == ["provider_not_allowed"])
    }

    @Test(arguments: [
        ("not json", "null", "not a JSON object"),
        (#"{"id": 7}"#, "7", "missing"),
        (#"{"id": "x", "body": 12}"#, "null", "not a JSON object"),
        (#"{"id": 8, "body": "a", "context": {"account_status": "angry"}}"#, "8", "account_status"),
    ])
    func malformedLinesGiveAnErrorLineAndTheRunGoesOn(line: String, id: String, message: String) throws {
        let out = checker.check(line: line, number: 5)
        // Keys sorted, the same bytes every run: error, id, line.
        #expect(out.hasPrefix("{\"error\":"), "\(out)")
        #expect(out.hasSuffix(",\"id\":\(id),\"line\":5}"), "\(out)")
        #expect(out.contains(message))
        let parsed = try object(out)
        #expect(parsed["line"] as? Int == 5)
    }
}
