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
            connectionString: "host=\(server.host) port=\(server.port) user=\(login) dbname=\(database)",
            applicationName: "roles-test"
        )
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
            connectionString: "host=\(server.host) port=\(server.port) user=\(login) dbname=\(database)",
            applicationName: "roles-test"
        )
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

@Suite("Database roles (sql/roles.sql)", .serialized, .timeLimit(.minutes(5)))
struct RolesTests {
    @Test func theAPIRoleSubmitsAndReadsButChangesNothingElse() async throws {
        try await withRoles { db in
            let id = try await db.asMember(of: "commentdesk_api") { api -> Int64 in
                let posted = try await ReaderComments().post(
                    articleRef: "a-1",
                    reader: .init(provider: "twitter", subject: "r1", displayName: "R", tokenIssuedAt: nil, tokenExpiresAt: nil),
                    body: "hello",
                    idempotencyKey: "k1",
                    on: api
                )
                #expect(posted.status == .queued)
                let article = try #require(try await ReaderComments().publishedVersion(articleRef: "a-1", on: api))
                #expect(try await ReaderComments().published(articleID: article.articleID, before: nil, limit: 10, on: api) == [])
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
                await expectDenied("keeping the partitions") { _ = try await HistoryPartitions().maintain(on: api) }
                // The definer functions read the comment id sequence and the partitions' periods with their owner's
                // rights; the API's role reads neither (the site's posting volume and its history's shape are not a
                // reader's), nor the readers' idempotency keys or the times of their last posts (sql/0017).
                await expectDenied("reading the comment id sequence") { try await api.query("SELECT last_value FROM comments_id_seq") }
                await expectDenied("reading the partitions' periods") { try await api.query("SELECT * FROM history_partitions") }
                await expectDenied("reading idempotency keys") { try await api.query("SELECT * FROM reader_idempotency_keys") }
                await expectDenied("reading post times") { try await api.query("SELECT recent_posts FROM accounts") }
                await expectDenied("reading approval counts") { try await api.query("SELECT * FROM account_approvals") }
                await expectDenied("reading a partition directly") { try await api.query("SELECT count(*) FROM comments_from_1") }
                // Built-in login (issue 19): a login is started and finished through the functions only.
                let state = String(repeating: "s", count: 43)
                try await ReaderLogins().begin(
                    state: state,
                    provider: "twitter",
                    codeVerifier: String(repeating: "v", count: 43),
                    returnOrigin: "https://news.test",
                    on: api
                )
                await expectDenied("listing pending logins") { try await api.query("SELECT code_verifier FROM reader_logins") }
                let finished = try await ReaderLogins().finish(state: state, provider: "twitter", on: api)
                #expect(finished == ReaderLogins.Pending(codeVerifier: String(repeating: "v", count: 43), returnOrigin: "https://news.test"))
                #expect(try await ReaderLogins().finish(state: state, provider: "twitter", on: api) == nil, "a state is used once")
                // A reader's own edit and delete (issue 20): through their functions only.
                let reader = ReaderComments.Reader(provider: "twitter", subject: "r1", displayName: "R", tokenIssuedAt: nil, tokenExpiresAt: nil)
                let revision = try await ReaderComments().edit(commentID: posted.commentID, reader: reader, body: "hello again", on: api)
                try await ReaderComments().delete(commentID: revision.commentID, reader: reader, on: api)
                await expectDenied("removing a comment directly") { try await api.query("UPDATE comments SET status = 'removed'") }
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
                configuration: APIConfiguration(port: 0, requestReadTimeout: .seconds(120)),
                login: LoginConfiguration(
                    key: .sharedSecret(Array(String(repeating: "s", count: 40).utf8)),
                    issuer: "iss",
                    audience: "aud"
                ),
                client: client,
                logger: TestPostgres.logger
            )
            let token = try await DevelopmentLogin.tokens(
                subjects: ["r1"],
                provider: "twitter",
                names: ["R"],
                lifetime: 60,
                configuration: LoginConfiguration(key: .sharedSecret(Array(String(repeating: "s", count: 40).utf8)), issuer: "iss", audience: "aud")
            )[
                0
            ]
            try await app.test(.live) { http in
                #expect(try await http.execute(uri: "/readyz", method: .get).status == .ok)
                let posted = try await http.execute(
                    uri: "/v1/articles/a-1/comments",
                    method: .post,
                    headers: [.authorization: "Bearer \(token)", .contentType: "application/json"],
                    body: .init(string: #"{"body": "on the api role"}"#)
                )
                #expect(posted.status == .accepted)
            }
            await client.close()
            try await db.owner.query("DROP ROLE \(identifier: login)")
        }
    }

    @Test func theWorkerRoleDecidesButCannotSanctionOrRewriteHistory() async throws {
        try await withRoles { db in
            let id = try await db.owner.query("SELECT submit_comment('a-1', 'twitter', 'r1', 'R', 'hello', NULL)").single().decode(Int64.self, at: 0)
            try await db.asMember(of: "commentdesk_worker") { (worker: PostgresConnection) async throws in
                let queue = ModerationQueue()
                let leases = try await queue.claim(limit: 10, leaseSeconds: 30, worker: "role-test", on: worker)
                #expect(leases.map(\.commentID) == [id])
                let finished = try await queue.finish(
                    leases.map { ModerationQueue.Decision(lease: $0, outcome: "approve", reasons: [], hits: PostgresJSON(text: "[]")) },
                    policyVersion: nil,
                    worker: "role-test",
                    on: worker
                )
                #expect(finished.count == 1)
                // The approval was counted for its reader by the comments' trigger (sql/0019), which the worker reads
                // and cannot write.
                let approved = try await worker.query("SELECT approved FROM account_approvals").single().decode(Int.self, at: 0)
                #expect(approved == 1)
                await expectDenied("changing an approval count") { try await worker.query("UPDATE account_approvals SET approved = 100") }
                await expectDenied("sanctioning") {
                    try await worker.query("INSERT INTO account_sanctions (account_id, kind, reason, issued_by) VALUES (1, 'ban', 'x', 'w')")
                }
                await expectDenied("deleting a decision") { try await worker.query("DELETE FROM moderation_decisions") }
                await expectDenied("editing a comment's text") { try await worker.query("UPDATE comments SET body = 'edited'") }
                await expectDenied("changing an account") { try await worker.query("UPDATE accounts SET status = 'banned'") }
                await expectDenied("activating a policy") { try await worker.query("UPDATE policy_versions SET is_active = false") }
                // The history's partitions (sql/0016): kept by the worker's maintenance, through its function only.
                let round = try await HistoryPartitions(sealAfterSeconds: 0).maintain(on: worker)
                #expect(round.created == 0)
                await expectDenied("reading a partition directly") { try await worker.query("SELECT count(*) FROM comments_from_1") }
                await expectDenied("dropping a partition") { try await worker.query("DROP TABLE comment_queue_from_1") }
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
                """
            )
            try await db.asMember(of: "commentdesk_moderator") { moderator in
                #expect(try await Moderation().claimNext(moderator: "kim", seconds: 60, on: moderator)?.id == id)
                let decided = try await Moderation().decide(
                    id,
                    .reject,
                    reasons: ["spam"],
                    note: nil,
                    moderator: "kim",
                    reverse: false,
                    on: moderator
                )
                #expect(decided.status == .rejected)
                let ban = try await Accounts().sanction(
                    AccountRef("twitter:r1")!,
                    .ban,
                    reason: "spam",
                    duration: nil,
                    rejectPending: true,
                    moderator: "kim",
                    on: moderator
                )
                #expect(ban?.status == "banned")
                #expect(try await Articles().setOpen("a-1", false, on: moderator))
                try await PolicyVersions().activate(.standardsBoard, by: "kim", on: moderator)
                await expectDenied("editing a decision") { try await moderator.query("UPDATE moderation_decisions SET outcome = 'approve'") }
                await expectDenied("deleting a sanction") { try await moderator.query("DELETE FROM account_sanctions") }
                await expectDenied("deleting a comment") { try await moderator.query("DELETE FROM comments") }
                await expectDenied("editing a comment's text") { try await moderator.query("UPDATE comments SET body = 'edited'") }
            }
        }
    }

    /// Flags (issue 20): the API role flags only through flag_comment and cannot read or resolve flags, choose the
    /// threshold, or hide a comment itself; a moderator's decision resolves the flags.
    @Test func flagsGoThroughTheirFunctionAndModeratorsResolveThem() async throws {
        try await withRoles { db in
            let id = try await db.owner.query("SELECT submit_comment('a-1', 'twitter', 'r1', 'R', 'hello', NULL)").single().decode(Int64.self, at: 0)
            try await db.owner.query(
                """
                WITH d AS (INSERT INTO moderation_decisions (comment_id, source, outcome, decided_by) VALUES (\(id), 'automatic', 'approve', 'w'))
                UPDATE comments SET status = 'approved' WHERE id = \(id)
                """
            )
            try await db.owner.query("UPDATE policy_versions SET flags_to_hide = 1 WHERE is_active")
            try await db.asMember(of: "commentdesk_api") { api in
                let flagged = try await ReaderComments().flag(
                    commentID: id,
                    reader: .init(provider: "facebook", subject: "f1", displayName: "F", tokenIssuedAt: nil, tokenExpiresAt: nil),
                    reason: .abusive,
                    note: nil,
                    on: api
                )
                #expect(flagged.created && flagged.commentStatus == "held")
                await expectDenied("reading flags") { try await api.query("SELECT account_id FROM comment_flags") }
                await expectDenied("resolving flags") { try await api.query("UPDATE comment_flags SET upheld = false") }
                await expectDenied("flagging directly") {
                    try await api.query("INSERT INTO comment_flags (comment_id, account_id, reason) VALUES (\(id), 1, 'spam')")
                }
                await expectDenied("choosing the threshold") { try await api.query("UPDATE policy_versions SET flags_to_hide = 0") }
            }
            try await db.asMember(of: "commentdesk_moderator") { moderator in
                let decided = try await Moderation().decide(id, .approve, reasons: [], note: nil, moderator: "kim", reverse: false, on: moderator)
                #expect(decided.status == .approved)
                await expectDenied("deleting a flag") { try await moderator.query("DELETE FROM comment_flags") }
            }
            #expect(try await db.owner.count("SELECT count(*) FROM comment_flags WHERE upheld = false AND resolved_by IS NOT NULL") == 1)
        }
    }

    /// Readers' rights (issue 20): the API exports and schedules only the logged-in reader's data, the worker carries
    /// out due erasures, moderators erase at once; none of them can rewrite decisions to do it.
    @Test func exportAndErasureGoThroughTheirFunctions() async throws {
        try await withRoles { db in
            try await db.owner.query("SELECT submit_comment('a-1', 'twitter', 'r1', 'R', 'hello', NULL)")
            try await db.owner.query("SELECT submit_comment('a-1', 'twitter', 'r2', 'R2', 'hi', NULL)")
            let r1 = ReaderComments.Reader(provider: "twitter", subject: "r1", displayName: "R", tokenIssuedAt: nil, tokenExpiresAt: nil)
            try await db.asMember(of: "commentdesk_api") { (api: PostgresConnection) async throws in
                #expect(try await ReaderComments().export(reader: r1, on: api)?.contains("hello") == true)
                _ = try await ReaderComments().requestErasure(reader: r1, on: api)
                await expectDenied("reading another reader's export") { try await api.query("SELECT build_reader_export(2, true)") }
                await expectDenied("erasing at once") { try await api.query("SELECT erase_account(2, 'api')") }
            }
            try await db.owner.query("UPDATE account_erasures SET due_at = now() - interval '1 minute'")
            try await db.asMember(of: "commentdesk_worker") { (worker: PostgresConnection) async throws in
                #expect(try await Accounts().privacyMaintenance(limit: 10, on: worker).erased == 1)
                await expectDenied("erasing at will") { try await worker.query("SELECT erase_account(2, 'worker')") }
            }
            try await db.asMember(of: "commentdesk_moderator") { (moderator: PostgresConnection) async throws in
                #expect(try await Accounts().export(AccountRef("twitter:r2")!, on: moderator)?.contains("hi") == true)
                #expect(try await Accounts().erase(AccountRef("twitter:r2")!, by: "kim", on: moderator) == 1)
                await expectDenied("scrubbing decisions by hand") {
                    try await moderator.query("SELECT set_config('commentdesk.erasing', 'on', false)")
                    try await moderator.query("UPDATE moderation_decisions SET hits = '[]'")
                }
            }
            #expect(try await db.owner.count("SELECT count(*) FROM comments WHERE body <> ''") == 0)
        }
    }

    /// Webhooks (issue 20): moderators manage endpoints, the worker claims and finishes deliveries, any role's status
    /// change fills the outbox through the trigger, and the API can read neither endpoints nor outbox.
    @Test func webhooksGoThroughTheirFunctions() async throws {
        try await withRoles { db in
            try await db.asMember(of: "commentdesk_moderator") { (moderator: PostgresConnection) async throws in
                _ = try await Webhooks().add(url: "http://127.0.0.1:9/hook", events: [], by: "kim", on: moderator)
                await expectDenied("deleting the outbox") { try await moderator.query("DELETE FROM webhook_outbox") }
            }
            let id = try await db.owner.query("SELECT submit_comment('a-1', 'twitter', 'r1', 'R', 'hello', NULL)").single().decode(Int64.self, at: 0)
            try await db.asMember(of: "commentdesk_worker") { (worker: PostgresConnection) async throws in
                try await worker.query("UPDATE comments SET status = 'approved' WHERE id = \(id)")
                let claimed = try await worker.query("SELECT outbox_id FROM claim_webhook_deliveries(10, 30)").map {
                    try $0.decode(Int64.self, at: 0)
                }
                #expect(claimed.count == 1)
                try await worker.query("SELECT finish_webhook_delivery(\(claimed[0]), true, NULL, NULL)")
                await expectDenied("adding an endpoint") {
                    try await worker.query("INSERT INTO webhook_endpoints (url, secret, created_by) VALUES ('http://x.test', repeat('s', 40), 'w')")
                }
            }
            try await db.asMember(of: "commentdesk_api") { (api: PostgresConnection) async throws in
                await expectDenied("reading secrets") { try await api.query("SELECT secret FROM webhook_endpoints") }
                await expectDenied("reading the outbox") { try await api.query("SELECT payload FROM webhook_outbox") }
                await expectDenied("claiming deliveries") { try await api.query("SELECT * FROM claim_webhook_deliveries(10, 30)") }
            }
            #expect(try await db.owner.count("SELECT count(*) FROM webhook_outbox WHERE delivered_at IS NOT NULL") == 1)
        }
    }

    @Test func refusedPostsAreCountedOnlyThroughTheirFunction() async throws {
        try await withRoles { db in
            try await db.asMember(of: "commentdesk_api") { (api: PostgresConnection) async throws in
                try await RefusedPosts().record(["too_long": 2, "login_required": 1], at: Date(), on: api)
                await expectDenied("writing the counts directly") {
                    try await api.query("INSERT INTO refused_posts (minute, reason, posts) VALUES (date_trunc('minute', now()), 'x', 1)")
                }
                await expectDenied("reading them") { try await api.query("SELECT * FROM refused_posts") }
                // The list's version (its ETag) moves only through the triggers: the API role reads it, never sets it.
                await expectDenied("setting a list's version") { try await api.query("UPDATE articles SET published_version = 0") }
                await expectDenied("calling a trigger's function") { try await api.query("SELECT bump_published_after_insert()") }
            }
            try await db.asMember(of: "commentdesk_worker") { (worker: PostgresConnection) async throws in
                await expectDenied("the worker counting refusals") { try await RefusedPosts().record(["x": 1], at: Date(), on: worker) }
            }
            #expect(try await db.owner.count("SELECT sum(posts)::bigint FROM refused_posts") == 3)
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
                        "INSERT INTO moderation_decisions (comment_id, source, outcome, decided_by) VALUES (1, 'moderator', 'approve', 'x')"
                    )
                }
                await expectDenied("submitting a comment") {
                    try await report.query("SELECT submit_comment('a-1', 'twitter', 'r2', 'R', 'x', NULL)")
                }
            }
            #expect(try await db.owner.count("SELECT count(*) FROM policy_reports") == 1)
        }
    }
}
