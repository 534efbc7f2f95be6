import CommentAPI
import CommentStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import PolicyReports
import PostgresLibPQ
import PostgresTestSupport
import StandardsPolicy
import Testing

/// sql/roles.sql applied to a migrated database; each test connects as a login role in one group.
struct RoleDatabase {
    let owner: PostgresClient
    let database: String

    /// Runs `body` connected as a new login role in `group`, dropped afterwards.
    func asMember<T>(of group: String, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        let login = "cdt_\(group.replacingOccurrences(of: "commentdesk_", with: ""))_\(UUID().uuidString.prefix(6).lowercased())"
        try await owner.query("CREATE ROLE \(identifier: login) LOGIN IN ROLE \(identifier: group)")
        let server = try TestPostgres.server()
        let configuration = PostgresConfiguration(
            connectionString: "host=\(server.host) port=\(server.port) user=\(login) dbname=\(database)", applicationName: "roles-test")
        do {
            let value = try await PostgresConnection.withConnection(configuration: configuration, logger: TestPostgres.logger, body)
            try await owner.query("DROP ROLE \(identifier: login)")
            return value
        } catch {
            _ = try? await owner.query("DROP ROLE \(identifier: login)")
            throw error
        }
    }

    func client(of group: String) async throws -> (PostgresClient, String) {
        let login = "cdt_\(group.replacingOccurrences(of: "commentdesk_", with: ""))_\(UUID().uuidString.prefix(6).lowercased())"
        try await owner.query("CREATE ROLE \(identifier: login) LOGIN IN ROLE \(identifier: group)")
        let server = try TestPostgres.server()
        let configuration = PostgresConfiguration(
            connectionString: "host=\(server.host) port=\(server.port) user=\(login) dbname=\(database)", applicationName: "roles-test")
        return (PostgresClient(configuration: configuration, options: .init(maxConnections: 2), logger: TestPostgres.logger), login)
    }
}

func withRoles(_ body: (RoleDatabase) async throws -> Void) async throws {
    try await withMigratedDatabase(label: "roles") { owner in
        let text = try String(contentsOf: TestPostgres.repositoryRoot.appendingPathComponent("sql/roles.sql"), encoding: .utf8)
        try await owner.query(SQLQuery(unsafeSQL: text))
        try await owner.query(SQLQuery(unsafeSQL: text))  // re-running is safe
        try await owner.query("SELECT register_article('a-1', NULL, 'Article', NULL)")
        let database = try await owner.query("SELECT current_database()").single().decode(String.self, at: 0)
        try await body(RoleDatabase(owner: owner, database: database))
    }
}

/// Expects `work` to be refused by PostgreSQL for lack of privilege (SQLSTATE 42501).
func expectDenied(_ what: String, _ work: () async throws -> Void) async {
    do {
        try await work()
        Issue.record("\(what) was allowed")
    } catch let error as PostgresError {
        #expect(error.sqlState?.rawValue == "42501", "\(what): \(String(reflecting: error))")
    } catch {
        Issue.record("\(what): \(error)")
    }
}

@Suite("Database roles (sql/roles.sql)", .serialized)
struct RolesTests {
    @Test func theAPIRoleSubmitsAndReadsButChangesNothingElse() async throws {
        try await withRoles { db in
            let id = try await db.asMember(of: "commentdesk_api") { api -> Int64 in
                let posted = try await ReaderComments().post(
                    articleRef: "a-1",
                    reader: .init(provider: "twitter", subject: "r1", displayName: "R", tokenIssuedAt: nil, tokenExpiresAt: nil),
                    body: "hello", idempotencyKey: "k1", maxPerMinute: 5, on: api)
                #expect(posted.status == "queued")
                #expect(try await ReaderComments().published(articleRef: "a-1", before: nil, limit: 10, on: api) == [])
                await expectDenied("updating a status") { try await api.query("UPDATE comments SET status = 'approved'") }
                await expectDenied("recording a decision") {
                    try await api.query(
                        "INSERT INTO moderation_decisions (comment_id, source, outcome, decided_by) VALUES (\(posted.commentID), 'moderator', 'approve', 'x')"
                    )
                }
                await expectDenied("changing an account") { try await api.query("UPDATE accounts SET status = 'active'") }
                await expectDenied("inserting a comment directly") {
                    try await api.query("INSERT INTO comments (article_id, body) VALUES (1, 'x')")
                }
                await expectDenied("touching the queue") { try await api.query("DELETE FROM comment_queue") }
                return posted.commentID
            }
            #expect(try await db.owner.count("SELECT count(*) FROM comment_queue WHERE comment_id = \(id)") == 1)
        }
    }

    /// The real reader API on a pool connected as the api role: post, read one's own comment, readiness.
    @Test func theAPIRunsOnItsRole() async throws {
        try await withRoles { db in
            let (client, login) = try await db.client(of: "commentdesk_api")
            let app = try await CommentAPI.application(
                configuration: APIConfiguration(port: 0),
                login: LoginConfiguration(
                    key: .sharedSecret(Array(String(repeating: "s", count: 40).utf8)),
                    issuer: "iss", audience: "aud"), client: client, logger: TestPostgres.logger)
            let token = try await DevelopmentLogin.tokens(
                subjects: ["r1"], provider: "twitter", names: ["R"], lifetime: 60,
                configuration: LoginConfiguration(key: .sharedSecret(Array(String(repeating: "s", count: 40).utf8)), issuer: "iss", audience: "aud"))[
                    0]
            try await app.test(.live) { http in
                #expect(try await http.execute(uri: "/readyz", method: .get).status == .ok)
                let posted = try await http.execute(
                    uri: "/v1/articles/a-1/comments", method: .post, headers: [.authorization: "Bearer \(token)", .contentType: "application/json"],
                    body: .init(string: #"{"body": "on the api role"}"#))
                #expect(posted.status == .accepted)
            }
            await client.close()
            try await db.owner.query("DROP ROLE \(identifier: login)")
        }
    }

    @Test func theWorkerRoleDecidesButCannotSanctionOrRewriteHistory() async throws {
        try await withRoles { db in
            let id = try await db.owner.query("SELECT submit_comment('a-1', 'twitter', 'r1', 'R', 'hello', NULL)").single().decode(Int64.self, at: 0)
            try await db.asMember(of: "commentdesk_worker") { worker in
                let queue = ModerationQueue()
                let leases = try await queue.claim(limit: 10, leaseSeconds: 30, worker: "role-test", on: worker)
                #expect(leases.map(\.commentID) == [id])
                let finished = try await queue.finish(
                    leases.map { ModerationQueue.Decision(lease: $0, outcome: "approve", reasons: [], hits: PostgresJSON(text: "[]")) },
                    policyVersion: nil, worker: "role-test", on: worker)
                #expect(finished.count == 1)
                await expectDenied("sanctioning") {
                    try await worker.query("INSERT INTO account_sanctions (account_id, kind, reason, issued_by) VALUES (1, 'ban', 'x', 'w')")
                }
                await expectDenied("deleting a decision") { try await worker.query("DELETE FROM moderation_decisions") }
                await expectDenied("editing a comment's text") { try await worker.query("UPDATE comments SET body = 'edited'") }
                await expectDenied("changing an account") { try await worker.query("UPDATE accounts SET status = 'banned'") }
                await expectDenied("activating a policy") { try await worker.query("UPDATE policy_versions SET is_active = false") }
            }
            #expect(try await db.owner.query("SELECT status FROM comments WHERE id = \(id)").single().decode(String.self, at: 0) == "approved")
        }
    }

    @Test func theModeratorRoleDecidesAndSanctionsButCannotEditHistory() async throws {
        try await withRoles { db in
            let id = try await db.owner.query("SELECT submit_comment('a-1', 'twitter', 'r1', 'R', 'hello', NULL)").single().decode(Int64.self, at: 0)
            try await db.owner.query(
                """
                WITH d AS (INSERT INTO moderation_decisions (comment_id, source, outcome, reasons, decided_by) VALUES (\(id), 'automatic', 'hold', '{link}', 'w'))
                UPDATE comments SET status = 'held', reasons = '{link}' WHERE id = \(id)
                """)
            try await db.asMember(of: "commentdesk_moderator") { moderator in
                #expect(try await Moderation().claimNext(moderator: "kim", seconds: 60, on: moderator)?.id == id)
                let decided = try await Moderation().decide(
                    id, .reject, reasons: ["spam"], note: nil, moderator: "kim", reverse: false, on: moderator)
                #expect(decided.status == "rejected")
                let ban = try await Accounts().sanction(
                    AccountRef("twitter:r1")!, .ban, reason: "spam", duration: nil, rejectPending: true, moderator: "kim", on: moderator)
                #expect(ban?.status == "banned")
                #expect(try await Accounts().setArticle("a-1", open: false, on: moderator))
                try await PolicyVersions().activate(.standardsBoard, by: "kim", on: moderator)
                await expectDenied("editing a decision") { try await moderator.query("UPDATE moderation_decisions SET outcome = 'approve'") }
                await expectDenied("deleting a sanction") { try await moderator.query("DELETE FROM account_sanctions") }
                await expectDenied("deleting a comment") { try await moderator.query("DELETE FROM comments") }
                await expectDenied("editing a comment's text") { try await moderator.query("UPDATE comments SET body = 'edited'") }
            }
        }
    }

    @Test func theReportRoleReadsAndWritesOnlyItsReports() async throws {
        try await withRoles { db in
            try await db.owner.query("SELECT submit_comment('a-1', 'twitter', 'r1', 'R', 'hello', NULL)")
            try await db.asMember(of: "commentdesk_report") { report in
                let built = try await ReportBuilder().build(date: "2026-11-01", timeZone: "Asia/Seoul", on: report)
                try await built.save(on: report)
                await expectDenied("changing a status") { try await report.query("UPDATE comments SET status = 'approved'") }
                await expectDenied("recording a decision") {
                    try await report.query(
                        "INSERT INTO moderation_decisions (comment_id, source, outcome, decided_by) VALUES (1, 'moderator', 'approve', 'x')")
                }
                await expectDenied("submitting a comment") {
                    try await report.query("SELECT submit_comment('a-1', 'twitter', 'r2', 'R', 'x', NULL)")
                }
            }
            #expect(try await db.owner.count("SELECT count(*) FROM policy_reports") == 1)
        }
    }
}
