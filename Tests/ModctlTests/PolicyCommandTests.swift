import CommentStore
import Foundation
import PostgresLibPQ
import PostgresTestSupport
import StandardsPolicy
import Testing

@Suite("modctl policy against the database", .timeLimit(.minutes(5)))
struct PolicyCommandTests {
    /// The version the default policy file declares.
    static let defaultVersion = (try? CompiledPolicy.standardsBoard().version) ?? "unreadable"

    /// A copy of the default policy with insults rejected instead of held, a new version, and one edit to apply.
    static func candidate(_ edit: (String) -> String = { $0 }) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cdt-policy-\(UUID().uuidString.prefix(8))")
        try FileManager.default.copyItem(at: TestPostgres.repositoryRoot.appendingPathComponent("deploy/policy"), to: folder)
        let file = folder.appendingPathComponent("standards-board.yaml")
        var text = try String(contentsOf: file, encoding: .utf8)
        text = text.replacingOccurrences(of: "version: \"\(Self.defaultVersion)\"", with: "version: \"candidate-2\"")
        text = text.replacingOccurrences(
            of: "  - id: insults\n    kind: terms\n    action: hold",
            with: "  - id: insults\n    kind: terms\n    action: reject"
        )
        try edit(text).write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }

    /// A fingerprint of everything moderation state is made of.
    static func state(_ db: PostgresClient) async throws -> String {
        try await db.query(
            """
            SELECT md5(coalesce((SELECT string_agg(id || status || status_changed_at, ',' ORDER BY id) FROM comments), '') ||
                       coalesce((SELECT string_agg(id || outcome || reasons::text, ',' ORDER BY id) FROM moderation_decisions), '') ||
                       coalesce((SELECT string_agg(id || is_active::text, ',' ORDER BY id) FROM policy_versions), '') ||
                       coalesce((SELECT string_agg(id || status, ',' ORDER BY id) FROM accounts), ''))
            """
        ).single().decode(String.self, at: 0)
    }

    @Test func activateShowAndDiff() async throws {
        try await withDesk { desk in
            let path = try Self.candidate()
            let diff = try await desk.modctl("policy", "diff", path)
            #expect(diff.code == 0)
            #expect(diff.stdout.contains("active \(Self.defaultVersion) → candidate candidate-2"), "\(diff.stdout)")
            #expect(diff.stdout.contains("changed  insults: action hold → reject"), "\(diff.stdout)")
            #expect(
                try await desk.modctl("policy", "diff", TestPostgres.repositoryRoot.appendingPathComponent("deploy/policy/standards-board.yaml").path)
                    .stdout.contains("no differences")
            )

            let activated = try await desk.modctl("policy", "activate", path, "--moderator", "board-chair")
            #expect(activated.code == 0, "\(activated.stderr)")
            #expect(activated.stdout.contains("version candidate-2"))
            let active = try await desk.db.query("SELECT version, activated_by FROM policy_versions WHERE is_active").single()
                .decode((String, String).self)
            #expect(active.0 == "candidate-2")
            #expect(active.1 == "board-chair")
            let show = try desk.json(try await desk.modctl("policy", "show", "--json"))
            #expect(show["version"] as? String == "candidate-2")
            #expect((show["rules"] as? [String])?.contains("insults: terms reject insult") == true)
            #expect(try await desk.modctl("policy", "show", "--document").stdout.contains("version: \"candidate-2\""))
        }
    }

    /// `modctl policy test` judges with what the workers use: the active policy, unless a file or the built-in one
    /// is asked for; without a database it says how to judge without one.
    @Test func policyTestJudgesWithTheActivePolicyByDefault() async throws {
        try await withDesk { desk in
            let text = "what an idiot"
            let before = try await desk.modctl("policy", "test", text)
            #expect(before.code == 0, "\(before.stderr)")
            #expect(before.stdout.contains("policy:  \(Self.defaultVersion) (active in the database)"), "\(before.stdout)")
            #expect(before.stdout.contains("outcome: hold"), "\(before.stdout)")

            let path = try Self.candidate()
            #expect(try await desk.modctl("policy", "activate", path, "--moderator", "board-chair").code == 0)
            let active = try await desk.modctl("policy", "test", text)
            #expect(active.stdout.contains("policy:  candidate-2 (active in the database)"), "\(active.stdout)")
            #expect(active.stdout.contains("outcome: reject"), "the active candidate rejects insults: \(active.stdout)")

            let builtIn = try await desk.modctl("policy", "test", text, "--built-in")
            #expect(builtIn.stdout.contains("(built into modctl)") && builtIn.stdout.contains("outcome: hold"), "\(builtIn.stdout)")
            let file = try await desk.modctl("policy", "test", text, "--policy", path)
            #expect(file.stdout.contains("candidate-2 (\(path))") && file.stdout.contains("outcome: reject"), "\(file.stdout)")
            #expect(try await desk.modctl("policy", "test", text, "--policy", path, "--built-in").code != 0)

            let port = try freePort()  // nothing listens there
            let offline = try await runModctl(["policy", "test", text], databaseURL: "host=127.0.0.1 port=\(port) user=nobody dbname=none")
            #expect(offline.code == 1)
            #expect(offline.stderr.contains("--built-in"), "\(offline.stderr)")
        }
    }

    @Test func anInvalidPolicyIsRefusedWithFileAndLineAndStoresNothing() async throws {
        try await withDesk { desk in
            let path = try Self.candidate {
                $0.replacingOccurrences(of: "    action: reject\n    reason: insult", with: "    action: maybe\n    reason: insult")
            }
            let before = try await desk.db.count("SELECT count(*) FROM policy_versions")
            let result = try await desk.modctl("policy", "activate", path)
            #expect(result.code == 1)
            #expect(result.stderr.contains("standards-board.yaml:"), "\(result.stderr)")
            #expect(try await desk.db.count("SELECT count(*) FROM policy_versions") == before)
            #expect(try await desk.modctl("policy", "activate", "/nonexistent/policy.yaml").code == 1)
        }
    }

    /// Replay reports the decisions a candidate would change, by transition and reason, with examples, and
    /// changes nothing in the database.
    @Test func replayReportsChangesAndTouchesNothing() async throws {
        try await withDesk { desk in
            let insult = try await desk.comment("you are an idiot", by: "r1", reasons: ["insult"])
            // r2 is a regular: three approved comments a month ago, so new-commenter pre-moderation does not apply.
            for index in 0..<3 { try await desk.comment("earlier \(index)", by: "r2", status: "approved", reasons: []) }
            try await desk.db.query("UPDATE comments SET submitted_at = now() - interval '30 days' WHERE body LIKE 'earlier %'")
            try await desk.comment("thoughtful reply", by: "r2", status: "approved", reasons: [])
            let old = try await desk.comment("an old idiot remark", by: "r3", reasons: ["insult"])
            try await desk.db.query("UPDATE comments SET submitted_at = now() - interval '30 days' WHERE id = \(old)")
            let before = try await Self.state(desk.db)
            let report = try desk.json(try await desk.modctl("policy", "replay", try Self.candidate(), "--since", "7d", "--json"))
            #expect(report["comments"] as? Int == 2, "the 30-day-old comment is outside --since 7d")
            #expect(report["changed"] as? Int == 1)
            #expect(report["transitions"] as? [String: Int] == ["hold → reject": 1])
            let examples = try #require((report["examples"] as? [String: [[String: Any]]])?["hold → reject"])
            #expect(examples.first?["commentID"] as? Int == Int(insult))
            #expect(examples.first?["excerpt"] as? String == "you are an idiot")
            let text = try await desk.modctl("policy", "replay", try Self.candidate(), "--since", "7d")
            #expect(text.stdout.contains("would change"))
            #expect(text.stdout.contains("hold → reject: 1"))
            #expect(try await Self.state(desk.db) == before, "replay changed nothing")
        }
    }
}
