import CommentStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import ModerationWorker
import PostgresLibPQ
import PostgresTestSupport
import Synchronization
import Testing

/// Webhooks (issue 20) against a real PostgreSQL and a real HTTP receiver: events from the transactional outbox,
/// a receiver that fails twice and then succeeds, exactly the events expected, each signature verified.
@Suite("Webhooks", .timeLimit(.minutes(2)))
struct WebhookTests {
    struct Received: Sendable {
        /// The endpoint's path: an event goes to each endpoint that asked for it, with the same id.
        var endpoint: String
        var eventID: String
        var signature: String
        var body: String
    }

    /// What the receiver was sent, in order.
    final class Inbox: Sendable {
        let items = Mutex<[Received]>([])
        func withLock<T>(_ body: (inout [Received]) -> T) -> T { items.withLock { body(&$0) } }
    }

    /// A receiver on a port of its own that answers 500 to the first `failures` deliveries of each event, then 204.
    static func withReceiver(failures: Int, _ body: @Sendable (Int, Inbox) async throws -> Void) async throws {
        let received = Inbox()
        let router = Router()
        router.post("/hook/{endpoint}") { request, context -> Response in
            let endpoint = context.parameters.get("endpoint") ?? ""
            let text = String(buffer: try await request.body.collect(upTo: 1 << 20))
            let id = request.headers[HTTPField.Name("CommentDesk-Event-Id")!] ?? ""
            let signature = request.headers[HTTPField.Name("CommentDesk-Signature")!] ?? ""
            let earlier = received.withLock { all in
                all.append(Received(endpoint: endpoint, eventID: id, signature: signature, body: text))
                return all.filter { $0.eventID == id && $0.endpoint == endpoint }.count - 1
            }
            return Response(status: earlier < failures ? .internalServerError : .noContent)
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in try await body(try #require(client.port), received) }
    }

    /// Makes every pending delivery due now (instead of waiting out the backoff).
    static func dueNow(_ db: PostgresClient) async throws {
        try await db.query("UPDATE webhook_outbox SET next_attempt_at = now() WHERE delivered_at IS NULL AND failed_at IS NULL")
    }

    @Test func eventsAreDeliveredSignedAndRetriedUntilTheReceiverTakesThem() async throws {
        try await Self.withReceiver(failures: 2) { port, received in
            try await withMigratedDatabase(label: "webhooks") { db in
                try await db.query("SELECT register_article('a-1', NULL, 'A', now())")
                let (all, secret) = try await db.withConnection {
                    try await Webhooks().add(url: "http://127.0.0.1:\(port)/hook/all", events: [], by: "ops", on: $0)
                }
                let sanctionsOnly = try await db.withConnection {
                    try await Webhooks().add(url: "http://127.0.0.1:\(port)/hook/sanctions", events: ["account.sanctioned"], by: "ops", on: $0)
                }
                let removed = try await db.withConnection {
                    try await Webhooks().add(url: "http://127.0.0.1:\(port)/hook/removed", events: [], by: "ops", on: $0)
                }
                #expect(try await db.withConnection { try await Webhooks().remove(removed.id, on: $0) })

                // A published comment, a held one a moderator then rejects, a warning, and a change that rolls back.
                let first = try await db.query("SELECT submit_comment('a-1', 'twitter', 'r1', 'R', 'secret words 3301', NULL)").single()
                    .decode(Int64.self, at: 0)
                let second = try await db.query("SELECT submit_comment('a-1', 'twitter', 'r2', 'R2', 'more words', NULL)").single()
                    .decode(Int64.self, at: 0)
                try await db.query("UPDATE comments SET status = 'approved' WHERE id = \(first)")
                try await db.query("UPDATE comments SET status = 'held', reasons = '{link}' WHERE id = \(second)")
                _ = try await db.withConnection {
                    try await Moderation().decide(second, .reject, reasons: ["spam"], note: nil, moderator: "kim", reverse: false, on: $0)
                }
                _ = try await db.withConnection {
                    try await Accounts().sanction(
                        AccountRef("twitter:r2")!,
                        .warn,
                        reason: "spam",
                        duration: nil,
                        rejectPending: false,
                        moderator: "kim",
                        on: $0
                    )
                }
                await #expect(throws: PostgresError.self) {
                    try await db.withTransaction { tx in
                        try await tx.query("UPDATE comments SET status = 'removed' WHERE id = \(first)")
                        try await tx.query("SELECT 1/0")
                    }
                }

                // A minute between tries, so that "not due again" holds however slow the machine (dueNow stands in for it).
                let delivery = WebhookDelivery(maxAttempts: 5, timeout: .seconds(5), backoff: Backoff(first: .seconds(60), cap: .seconds(60)))
                let logger = Logger(label: "webhook-test")
                #expect(try await delivery.deliverDue(limit: 100, client: db, logger: logger) == 0, "the first tries all fail")
                #expect(try await delivery.deliverDue(limit: 100, client: db, logger: logger) == 0, "not due again before the backoff")
                try await Self.dueNow(db)
                #expect(try await delivery.deliverDue(limit: 100, client: db, logger: logger) == 0)
                try await Self.dueNow(db)
                #expect(try await delivery.deliverDue(limit: 100, client: db, logger: logger) == 5, "the third tries succeed")
                try await Self.dueNow(db)
                #expect(try await delivery.deliverDue(limit: 100, client: db, logger: logger) == 0, "delivered once, not again")

                let deliveries = received.withLock { $0 }
                #expect(deliveries.count == 15, "five deliveries, three tries each")
                let events = Dictionary(grouping: deliveries) { "\($0.endpoint) \($0.eventID)" }
                let types = events.values.compactMap { tries -> String? in
                    let object = try? JSONSerialization.jsonObject(with: Data(tries[0].body.utf8)) as? [String: Any]
                    return object?["type"] as? String
                }
                #expect(
                    types.sorted() == ["account.sanctioned", "account.sanctioned", "comment.approved", "comment.held", "comment.rejected"],
                    "every change once, to each endpoint that asked for it; the rolled-back change never"
                )
                #expect(!deliveries.contains { $0.body.contains("secret words") }, "no comment text in events")
                // Every delivery is signed with its endpoint's secret; a wrong secret, body or time does not verify.
                let secrets = ["all": secret, "sanctions": sanctionsOnly.secret]
                for delivery in deliveries {
                    #expect(WebhookSignature.verify(header: delivery.signature, body: delivery.body, secret: secrets[delivery.endpoint] ?? ""))
                    #expect(
                        delivery.endpoint != "sanctions" || !WebhookSignature.verify(header: delivery.signature, body: delivery.body, secret: secret)
                    )
                    #expect(!WebhookSignature.verify(header: delivery.signature, body: delivery.body + " ", secret: secret))
                    #expect(
                        !WebhookSignature.verify(
                            header: delivery.signature,
                            body: delivery.body,
                            secret: secret,
                            now: Date().addingTimeInterval(3_600)
                        )
                    )
                }
                #expect(!deliveries.contains { $0.endpoint == "removed" })
                #expect(try await db.count("SELECT count(*) FROM webhook_outbox WHERE endpoint_id = \(removed.id)") == 0)
                let listed = try await db.withConnection { try await Webhooks().list(on: $0) }
                #expect(listed.map(\.delivered) == [4, 1])
            }
        }
    }

    /// The real worker process: it moderates a posted comment and its maintenance delivers the decision's event.
    @Test func theWorkerDeliversTheEventsOfItsOwnDecisions() async throws {
        try await Self.withReceiver(failures: 1) { port, received in
            try await withMigratedDatabase(label: "webhooks-worker") { db in
                try await db.query("SELECT register_article('a-1', NULL, 'A', now())")
                let (_, secret) = try await db.withConnection {
                    try await Webhooks().add(url: "http://127.0.0.1:\(port)/hook/all", events: ["comment.rejected"], by: "ops", on: $0)
                }
                let id = try await db.query("SELECT submit_comment('a-1', NULL, NULL, NULL, 'anonymous', NULL)").single().decode(Int64.self, at: 0)
                let worker = try WorkerProcess.start(databaseURL: db.configuration.connectionString!, options: ["--lease-seconds", "2"])
                do {
                    try await waitUntil("the rejection's event is delivered", timeout: .seconds(60)) {
                        try await db.count("SELECT count(*) FROM webhook_outbox WHERE delivered_at IS NOT NULL") == 1
                    }
                } catch {
                    _ = await worker.stop()
                    throw error
                }
                #expect(await worker.stop() == 0)
                let deliveries = received.withLock { $0 }
                #expect(deliveries.count == 2, "one refused, one taken")
                let last = try #require(deliveries.last)
                let event = try #require(try JSONSerialization.jsonObject(with: Data(last.body.utf8)) as? [String: Any])
                #expect(event["type"] as? String == "comment.rejected")
                #expect((event["data"] as? [String: Any])?["comment"] as? Int == Int(id))
                #expect((event["data"] as? [String: Any])?["reasons"] as? [String] == ["login_required"])
                #expect(deliveries.allSatisfy { WebhookSignature.verify(header: $0.signature, body: $0.body, secret: secret) })
            }
        }
    }

    @Test func anEndpointThatNeverAnswersIsGivenUp() async throws {
        try await withMigratedDatabase(label: "webhooks-dead") { db in
            try await db.query("SELECT register_article('a-1', NULL, 'A', now())")
            let port = try freePort()
            _ = try await db.withConnection { try await Webhooks().add(url: "http://127.0.0.1:\(port)/nobody", events: [], by: "ops", on: $0) }
            let id = try await db.query("SELECT submit_comment('a-1', 'twitter', 'r1', 'R', 'x', NULL)").single().decode(Int64.self, at: 0)
            try await db.query("UPDATE comments SET status = 'approved' WHERE id = \(id)")
            let delivery = WebhookDelivery(maxAttempts: 2, timeout: .seconds(2))
            for _ in 0..<3 {
                _ = try await delivery.deliverDue(limit: 10, client: db, logger: Logger(label: "webhook-test"))
                try await Self.dueNow(db)
            }
            let row = try await db.query("SELECT attempts, failed_at IS NOT NULL, last_error FROM webhook_outbox").single()
                .decode((Int, Bool, String?).self)
            #expect(row.0 == 2 && row.1, "given up after its last attempt")
            #expect(row.2?.isEmpty == false)
        }
    }
}
