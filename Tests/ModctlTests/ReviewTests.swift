import CommentStore
import Foundation
import PostgresLibPQ
import PostgresTestSupport
import Testing

@Suite("modctl review", .timeLimit(.minutes(5)))
struct ReviewTests {
    @Test func twoReviewersNeverGetTheSameComment() async throws {
        try await withDesk { desk in
            var ids: [Int64] = []
            for index in 0..<8 { ids.append(try await desk.comment("held \(index)", by: "r\(index)")) }
            var seen: [Int64] = []
            for round in 0..<4 {
                async let kim = desk.modctl("review", "--next", "--json", as: "kim-\(round)")
                async let lee = desk.modctl("review", "--next", "--json", as: "lee-\(round)")
                for result in try await [kim, lee] {
                    #expect(result.code == 0, "\(result.stderr)")
                    seen.append(Int64(try #require(try desk.json(result)["id"] as? Int)))
                }
            }
            #expect(Set(seen).count == 8, "every reviewer got a different comment: \(seen)")
            #expect(Set(seen) == Set(ids))
            let none = try await desk.modctl("review", "--next", "--json", as: "third")
            #expect(none.code == 3, "everything is claimed by others")
            #expect(none.stderr.contains("no held comments left"))
        }
    }

    @Test func aClaimStaysWithItsReviewerUntilDecided() async throws {
        try await withDesk { desk in
            let first = try await desk.comment("first")
            let second = try await desk.comment("second", by: "r2")
            let kim = try desk.json(try await desk.modctl("review", "--next", "--json", as: "kim"))
            #expect(kim["id"] as? Int == Int(first))
            let again = try desk.json(try await desk.modctl("review", "--next", "--json", as: "kim"))
            #expect(again["id"] as? Int == Int(first), "kim's own claim comes back to kim")
            let lee = try desk.json(try await desk.modctl("review", "--next", "--json", as: "lee"))
            #expect(lee["id"] as? Int == Int(second))
            #expect(try await desk.modctl("approve", String(first), as: "kim").code == 0)
            #expect(try await desk.db.count("SELECT count(*) FROM review_claims WHERE comment_id = \(first)") == 0, "a decision ends the claim")
            let claimedBy = try await desk.db.query("SELECT moderator FROM review_claims").map { try $0.decode(String.self, at: 0) }
            #expect(claimedBy == ["lee"])
        }
    }

    /// The interactive loop in a real terminal: tmux runs it, the test sends keys and reads the screen.
    @Test func interactiveLoopInATerminal() async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux") else {
            Issue.record("tmux is missing (deploy/local/test.sh installs it)")
            return
        }
        try await withDesk { desk in
            let first = try await desk.comment("first held comment")
            let second = try await desk.comment("second held comment", by: "r2")
            let third = try await desk.comment("third held comment", by: "r3")
            let session = "cdt-review-\(UUID().uuidString.prefix(6))"
            let modctl = WorkerProcess.productsDirectory.appendingPathComponent("modctl").path
            let command = "env DATABASE_URL='\(desk.url)' MODCTL_MODERATOR=tmux-mod \(modctl) review; echo EXITED $?; sleep 60"
            try await runProcess("/usr/bin/tmux", ["new-session", "-d", "-s", session, "-x", "150", "-y", "50", command])
            func screen() async throws -> String {
                let log = FileManager.default.temporaryDirectory.appendingPathComponent("\(session).screen").path
                defer { try? FileManager.default.removeItem(atPath: log) }
                let child = try ChildProcess("/usr/bin/tmux", ["capture-pane", "-p", "-t", session, "-S", "-200"], logPath: log)
                _ = await child.exitCode()
                return child.output
            }
            func press(_ key: String) async throws { try await runProcess("/usr/bin/tmux", ["send-keys", "-t", session, key]) }
            do {
                try await waitUntil("the first comment is shown", timeout: .seconds(20)) { try await screen().contains("first held comment") }
                #expect(try await screen().contains("[a]pprove  [r]eject  [s]kip  [h]istory  [q]uit"))
                try await press("a")
                try await waitUntil("approved, and the next one shown", timeout: .seconds(20)) {
                    let text = try await screen()
                    return text.contains("comment \(first): approved") && text.contains("second held comment")
                }
                try await press("s")
                try await waitUntil("skipped to the third", timeout: .seconds(20)) { try await screen().contains("third held comment") }
                try await press("r")
                try await waitUntil("the reason menu", timeout: .seconds(20)) { try await screen().contains("reason (Esc cancels)") }
                let menu = try await screen()
                let spamLine = try #require(menu.split(separator: "\n").first { $0.hasSuffix(" spam") && $0.hasPrefix("  ") })
                let key = String(spamLine.trimmingCharacters(in: .whitespaces).prefix(1))
                try await press(key)
                try await waitUntil("rejected, nothing left", timeout: .seconds(20)) {
                    let text = try await screen()
                    return text.contains("comment \(third): rejected") && text.contains("Nothing left to review (2 decided")
                }
                try await waitUntil("modctl exits 0", timeout: .seconds(20)) { try await screen().contains("EXITED 0") }
                #expect(try await desk.status(first) == "approved")
                #expect(try await desk.status(second) == "held", "skipped stays held")
                #expect(try await desk.status(third) == "rejected")
                let reasons = try await desk.db.query(
                    "SELECT reasons FROM moderation_decisions WHERE comment_id = \(third) AND decided_by = 'tmux-mod'"
                ).single().decode([String].self, at: 0)
                #expect(reasons == ["spam"])
            } catch {
                Issue.record("screen at failure:\n\(try await screen())")
                try? await runProcess("/usr/bin/tmux", ["kill-session", "-t", session])
                throw error
            }
            try await runProcess("/usr/bin/tmux", ["kill-session", "-t", session])
        }
    }

    @Test func theLoopNeedsATerminal() async throws {
        try await withDesk { desk in
            let result = try await desk.modctl("review")
            #expect(result.code == 2)
            #expect(result.stderr.contains("--next --json"))
        }
    }
}
