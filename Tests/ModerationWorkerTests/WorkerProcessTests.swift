import CommentStore
import Foundation
import PostgresLibPQ
import PostgresTestSupport
import StandardsPolicy
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif

/// The worker as operators run it: real `commentd work` processes against a real PostgreSQL.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct WorkerProcessTests {
    @Test func severalWorkersDrainThousandsWithEachCommentDecidedOnce() async throws {
        try await Harness.with("drain") { harness in
            try await harness.seed(3000)
            let workers = try (0..<3).map { _ in
                try WorkerProcess.start(databaseURL: harness.url, options: ["--batch-size", "50", "--concurrency", "2"])
            }
            try await waitUntil("the queue drains", timeout: .seconds(120)) { try await harness.pending() == 0 }
            for worker in workers { #expect(await worker.stop() == 0, "graceful exit of \(worker.id): \(worker.child.output)") }
            try await harness.expectEachCommentDecidedOnce()
            let rejected = try await harness.client.count(
                "SELECT count(*) FROM moderation_decisions WHERE source = 'automatic' AND 'profanity' = ANY(reasons)"
            )
            #expect(rejected == 300)
            let mismatched = try await harness.client.count(
                "SELECT count(*) FROM comments c JOIN moderation_decisions d ON d.comment_id = c.id WHERE c.reasons IS DISTINCT FROM d.reasons"
            )
            #expect(mismatched == 0, "every comment carries its decision's reasons")
            let sharing = try await harness.client.count("SELECT count(DISTINCT decided_by) FROM moderation_decisions WHERE source = 'automatic'")
            #expect(sharing >= 2, "the workers shared the queue")
        }
    }

    @Test func theMetricsEndpointCountsDecisionsAndShowsTheQueue() async throws {
        try await Harness.with("metrics") { harness in
            try await harness.seed(150)
            let port = try freePort()
            let worker = try WorkerProcess.start(databaseURL: harness.url, options: ["--metrics-port", String(port), "--batch-size", "50"])
            try await waitUntil("the queue drains") { try await harness.pending() == 0 }
            try await waitUntil("the endpoint answers") { isListening(port) }
            let (health, _) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/healthz")!)
            #expect(String(decoding: health, as: UTF8.self) == "ok\n")
            let (body, response) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/metrics")!)
            let text = String(decoding: body, as: UTF8.self)
            #expect((response as? HTTPURLResponse)?.value(forHTTPHeaderField: "Content-Type")?.hasPrefix("text/plain") == true)
            #expect(text.contains("commentdesk_worker_decided_total{worker=\"\(worker.id)\"} 150"), "\(text)")
            #expect(text.contains("commentdesk_queue_ready 0"))
            #expect(text.contains("commentdesk_queue_dead 0"))
            // Three batches of 50 at least (the worker may have claimed some before all 150 were in).
            let batches = text.split(separator: "\n").first { $0.hasPrefix("commentdesk_worker_batch_seconds_count{worker=\"\(worker.id)\"}") }
            #expect((batches?.split(separator: " ").last.flatMap { Int($0) } ?? 0) >= 3, "\(text)")
            #expect(await worker.stop() == 0)
        }
    }

    /// Posts notify only while a worker sleeps (0013): an idle worker registers its loops, a post wakes it long before
    /// its poll interval, and a worker that stops takes its registrations with it.
    @Test func anIdleWorkerIsWokenByAPostNotByItsPollInterval() async throws {
        try await Harness.with("wake") { harness in
            try await harness.seed(0)
            let worker = try WorkerProcess.start(databaseURL: harness.url, options: ["--poll-interval", "60"])
            try await waitUntil("both loops registered as asleep") {
                try await harness.client.count("SELECT count(*) FROM queue_waiters WHERE expires_at > now()") == 2
            }
            let posted = ContinuousClock.now
            try await harness.client.query("SELECT submit_comment('a-1', 'twitter', 'reader-1', 'R', '새 댓글입니다', NULL)")
            try await waitUntil("the comment is decided", timeout: .seconds(20)) { try await harness.pending() == 0 }
            #expect(ContinuousClock.now - posted < .seconds(10), "woken by the NOTIFY, not the 60 s poll")
            #expect(await worker.stop() == 0)
            #expect(try await harness.client.count("SELECT count(*) FROM queue_waiters") == 0, "a stopped worker leaves no registration")
            try await harness.expectEachCommentDecidedOnce()
        }
    }

    @Test func theWorkerKeepsWorkingWhenItsListenConnectionDies() async throws {
        try await Harness.with("listendies") { harness in
            try await harness.seed(20)
            let worker = try WorkerProcess.start(databaseURL: harness.url, options: ["--poll-interval", "0.5"])
            try await waitUntil("first comments decided") { try await harness.pending() == 0 }
            let terminated = try await harness.client.count(
                """
                SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                WHERE application_name = 'commentd-work' AND query LIKE 'LISTEN%'
                """
            )
            #expect(terminated == 1)
            try await harness.client.query("SELECT submit_comment('a-1', 'twitter', 'reader-1', 'R', '새 댓글입니다', NULL)")
            try await waitUntil("the new comment is decided without the listener", timeout: .seconds(20)) { try await harness.pending() == 0 }
            try await waitUntil("the listener is back") {
                try await harness.client.count(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'commentd-work' AND query LIKE 'LISTEN%'"
                ) == 1
            }
            #expect(await worker.stop() == 0)
            try await harness.expectEachCommentDecidedOnce()
        }
    }

    @Test func aWorkerKilledMidBatchLosesNothing() async throws {
        try await Harness.with("kill9") { harness in
            try await harness.seed(200)
            let lock = try await Harness.AccountsLock(harness.client.configuration)
            let doomed = try WorkerProcess.start(
                databaseURL: harness.url,
                options: ["--batch-size", "40", "--lease-seconds", "2", "--concurrency", "1"]
            )
            try await waitUntil("the worker holds a batch") { try await !harness.leased(by: doomed.id).isEmpty }
            let held = try await harness.leased(by: doomed.id)
            await doomed.kill()
            try await lock.release()
            let survivor = try WorkerProcess.start(databaseURL: harness.url, options: ["--batch-size", "40", "--lease-seconds", "2"])
            try await waitUntil("the queue drains after the lease expires") { try await harness.pending() == 0 }
            #expect(await survivor.stop() == 0)
            try await harness.expectEachCommentDecidedOnce()
            let takenOver = try await harness.client.count(
                "SELECT count(*) FROM moderation_decisions WHERE comment_id = ANY(\(Array(held))::bigint[]) AND decided_by = \(survivor.id)"
            )
            #expect(takenOver == held.count)
            let retried = try await harness.client.count(
                "SELECT count(*) FROM comment_queue WHERE comment_id = ANY(\(Array(held))::bigint[]) AND attempts = 2"
            )
            #expect(retried == held.count, "each of the killed worker's comments was tried a second time")
        }
    }

    @Test func aWorkerPausedPastItsLeaseChangesNothingWhenItWakes() async throws {
        try await Harness.with("paused") { harness in
            try await harness.seed(120)
            let lock = try await Harness.AccountsLock(harness.client.configuration)
            let sleeper = try WorkerProcess.start(
                databaseURL: harness.url,
                options: ["--batch-size", "30", "--lease-seconds", "2", "--concurrency", "1"]
            )
            try await waitUntil("the worker holds a batch") { try await !harness.leased(by: sleeper.id).isEmpty }
            let held = try await harness.leased(by: sleeper.id)
            sleeper.child.send(SIGSTOP)
            try await lock.release()
            let other = try WorkerProcess.start(databaseURL: harness.url, options: ["--batch-size", "30", "--lease-seconds", "2"])
            try await waitUntil("the other worker takes over and drains") { try await harness.pending() == 0 }
            sleeper.child.send(SIGCONT)
            // The sleeper now finishes its old batch with stale tokens: nothing may change.
            try await waitUntil("the sleeper tried to finish its old batch", timeout: .seconds(30)) {
                sleeper.child.output.contains("lease lost")
            }
            #expect(await sleeper.stop() == 0)
            #expect(await other.stop() == 0)
            try await harness.expectEachCommentDecidedOnce()
            let bySleeper = try await harness.client.count(
                "SELECT count(*) FROM moderation_decisions WHERE comment_id = ANY(\(Array(held))::bigint[]) AND decided_by = \(sleeper.id)"
            )
            #expect(bySleeper == 0)
        }
    }

    @Test func gracefulShutdownFinishesTheBatchInHand() async throws {
        try await Harness.with("graceful") { harness in
            try await harness.seed(60)
            let lock = try await Harness.AccountsLock(harness.client.configuration)
            let worker = try WorkerProcess.start(databaseURL: harness.url, options: ["--batch-size", "25", "--concurrency", "1"])
            try await waitUntil("the worker holds a batch") { try await !harness.leased(by: worker.id).isEmpty }
            let held = try await harness.leased(by: worker.id)
            worker.child.send(SIGTERM)
            try await Task.sleep(for: .milliseconds(300))
            try await lock.release()
            #expect(await worker.child.exitCode() == 0, "\(worker.child.output)")
            let finished = try await harness.client.count(
                "SELECT count(*) FROM moderation_decisions WHERE comment_id = ANY(\(Array(held))::bigint[]) AND decided_by = \(worker.id)"
            )
            #expect(finished == held.count, "the batch in hand was finished, not abandoned")
            #expect(try await harness.client.count("SELECT count(*) FROM comment_queue WHERE state = 'running'") == 0)
            #expect(try await harness.client.count("SELECT count(*) FROM comment_queue WHERE state = 'ready'") > 0, "it stopped claiming")
        }
    }

    @Test func aPoisonCommentEndsHeldWithProcessingErrorAndBlocksNothing() async throws {
        try await Harness.with("poison") { harness in
            try await harness.seed(80)
            let poison = try await harness.client.query("SELECT min(comment_id) + 7 FROM comment_queue").single().decode(Int64.self, at: 0)
            try await harness.client.query("UPDATE comment_queue SET max_attempts = 2 WHERE comment_id = \(poison)")
            // A real database failure for exactly one comment: its decision is refused unless it is the processing_error hold.
            try await harness.client.query(
                SQLQuery(
                    unsafeSQL: """
                        CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql AS $$
                        BEGIN
                            IF NEW.comment_id = \(poison) AND NOT ('processing_error' = ANY(NEW.reasons)) THEN
                                RAISE EXCEPTION 'poisoned comment';
                            END IF;
                            RETURN NEW;
                        END $$;
                        CREATE TRIGGER poison BEFORE INSERT ON moderation_decisions FOR EACH ROW EXECUTE FUNCTION poison();
                        """
                )
            )
            let worker = try WorkerProcess.start(databaseURL: harness.url, options: ["--batch-size", "20", "--lease-seconds", "2"])
            try await waitUntil("everything, the poison included, is decided") { try await harness.pending() == 0 }
            #expect(await worker.stop() == 0)
            try await harness.expectEachCommentDecidedOnce()
            let row = try await harness.client.query(
                "SELECT c.status, d.reasons, c.reasons FROM comments c JOIN moderation_decisions d ON d.comment_id = c.id WHERE c.id = \(poison)"
            ).single()
            let (status, reasons, onComment) = try row.decode((String, [String], [String]).self)
            #expect(status == "held")
            #expect(reasons == ["processing_error"])
            #expect(onComment == ["processing_error"])
            #expect(
                try await harness.client.query("SELECT state FROM comment_queue WHERE comment_id = \(poison)").single().decode(String.self, at: 0)
                    == "dead"
            )
        }
    }

    @Test func anonymousBannedAndSuspendedSubmissionsAreRejected() async throws {
        try await Harness.with("access") { harness in
            try await harness.client.query("SELECT register_article('a-1', NULL, NULL, NULL)")
            let anonymous = try await harness.client.query("SELECT submit_comment('a-1', NULL, NULL, NULL, '안녕하세요', NULL)").single().decode(
                Int64.self,
                at: 0
            )
            let banned = try await harness.client.query("SELECT submit_comment('a-1', 'twitter', 'b1', 'B', '안녕하세요', NULL)").single().decode(
                Int64.self,
                at: 0
            )
            let suspended = try await harness.client.query("SELECT submit_comment('a-1', 'facebook', 's1', 'S', '안녕하세요', NULL)").single().decode(
                Int64.self,
                at: 0
            )
            try await harness.client.query("UPDATE accounts SET status = 'banned' WHERE provider_subject = 'b1'")
            try await harness.client.query(
                "UPDATE accounts SET status = 'suspended', suspended_until = now() + interval '7 days' WHERE provider_subject = 's1'"
            )
            try await harness.client.query("UPDATE articles SET comments_closed_at = NULL")
            let worker = try WorkerProcess.start(databaseURL: harness.url)
            try await waitUntil("decided") { try await harness.pending() == 0 }
            #expect(await worker.stop() == 0)
            for (comment, reason) in [(anonymous, "login_required"), (banned, "account_banned"), (suspended, "account_suspended")] {
                let row = try await harness.client.query(
                    "SELECT c.status, d.reasons FROM comments c JOIN moderation_decisions d ON d.comment_id = c.id WHERE c.id = \(comment)"
                ).single()
                let (status, reasons) = try row.decode((String, [String]).self)
                #expect(status == "rejected")
                #expect(reasons.contains(reason), "\(reasons)")
            }
        }
    }

    @Test func aPolicyChangeIsPickedUpLive() async throws {
        try await Harness.with("livepolicy") { harness in
            try await harness.seed(10)
            let worker = try WorkerProcess.start(databaseURL: harness.url)
            try await waitUntil("first batch decided") { try await harness.pending() == 0 }
            var bundle = PolicyBundle.standardsBoard
            bundle.files["spam.txt"]! += "zebracorn\n"
            bundle.files["standards-board.yaml"] = bundle.files["standards-board.yaml"]!.replacingOccurrences(
                of: "version: \"\(try CompiledPolicy.standardsBoard().version)\"",
                with: "version: \"2026.11.29-live\""
            )
            let stored = try await harness.client.withConnection { try await PolicyVersions().activate(bundle, by: "board", on: $0) }
            try await waitUntil("the worker switched to the new version", timeout: .seconds(30)) {
                worker.child.output.contains("policy_version=\(stored.id)")
            }
            let comment = try await harness.client.query(
                "SELECT submit_comment('a-1', 'twitter', 'reader-1', 'R', 'buy zebracorn now', NULL)"
            ).single().decode(Int64.self, at: 0)
            try await waitUntil("the new comment is decided") { try await harness.pending() == 0 }
            #expect(await worker.stop() == 0)
            let row = try await harness.client.query(
                "SELECT outcome, reasons, policy_version FROM moderation_decisions WHERE comment_id = \(comment)"
            ).single()
            let (outcome, reasons, version) = try row.decode((String, [String], Int64).self)
            #expect(outcome == "reject")
            #expect(reasons.contains("spam"))
            #expect(version == stored.id)
        }
    }

    @Test func theWorkerFinishesTheDrainAcrossAPostgreSQLRestart() async throws {
        let cluster = try await LocalCluster.start()
        do {
            let client = PostgresClient(configuration: cluster.configuration, logger: TestPostgres.logger)
            try await client.withConnection { connection in
                try await Migrator(logger: TestPostgres.logger).migrate(on: connection)
                try await PolicyVersions().seed(.standardsBoard, by: "tests", on: connection)
            }
            let harness = Harness(client: client, url: cluster.configuration.connectionString!)
            try await harness.seed(4000)
            await client.close()
            let worker = try WorkerProcess.start(databaseURL: harness.url, options: ["--batch-size", "20", "--lease-seconds", "3"])
            let checker = PostgresClient(configuration: cluster.configuration, logger: TestPostgres.logger)
            let checking = Harness(client: checker, url: harness.url)
            try await waitUntil("the drain is under way") { try await checker.count("SELECT count(*) FROM moderation_decisions") > 100 }
            try await cluster.restart()
            try await waitUntil("the drain finishes after the restart", timeout: .seconds(120)) { try await checking.pending() == 0 }
            #expect(await worker.stop() == 0)
            try await checking.expectEachCommentDecidedOnce()
            #expect(worker.child.output.contains("failed") || worker.child.output.contains("lost"), "the worker saw the restart")
            await checker.close()
            try await cluster.stop()
        } catch {
            try? await cluster.stop()
            throw error
        }
    }
}
