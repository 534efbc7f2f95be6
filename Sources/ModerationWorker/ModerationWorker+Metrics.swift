import CommentStore
import Foundation
import PostgresLibPQ

extension ModerationWorker {
    /// The worker's counters and the queue's depth in Prometheus text format (version 0.0.4).
    public func prometheusText() async throws -> String {
        let counters = metrics.snapshot
        let worker = configuration.workerID.replacingOccurrences(of: "\"", with: "'")
        let queue = try await client.withConnection { connection in
            try await connection.query(
                """
                SELECT count(*) FILTER (WHERE state = 'ready'), count(*) FILTER (WHERE state = 'running'),
                       count(*) FILTER (WHERE state = 'dead'),
                       coalesce(extract(epoch FROM now() - min(enqueued_at) FILTER (WHERE state = 'ready')), 0)::float8
                FROM comment_queue
                """
            ).single().decode((Int, Int, Int, Double).self)
        }
        var lines: [String] = []
        func metric(_ name: String, _ type: String, _ help: String, _ values: [(labels: String, value: String)]) {
            lines.append("# HELP \(name) \(help)")
            lines.append("# TYPE \(name) \(type)")
            for (labels, value) in values { lines.append(labels.isEmpty ? "\(name) \(value)" : "\(name){\(labels)} \(value)") }
        }
        let id = "worker=\"\(worker)\""
        metric("commentdesk_worker_claimed_total", "counter", "Comments claimed from the queue.", [(id, "\(counters.claimed)")])
        metric("commentdesk_worker_decided_total", "counter", "Comments decided and recorded.", [(id, "\(counters.decided)")])
        metric("commentdesk_worker_lease_lost_total", "counter", "Decisions dropped because the lease had expired.", [(id, "\(counters.lost)")])
        metric(
            "commentdesk_worker_failures_total", "counter", "Comments that failed processing.",
            [(id + ",result=\"retried\"", "\(counters.retried)"), (id + ",result=\"held\"", "\(counters.failed)")])
        metric(
            "commentdesk_worker_reaped_total", "counter", "Expired leases returned by this worker's reaper.",
            [(id + ",result=\"retried\"", "\(counters.reapedRetried)"), (id + ",result=\"held\"", "\(counters.reapedDead)")])
        metric("commentdesk_worker_batches_total", "counter", "Batches finished.", [(id, "\(counters.batches)")])
        metric("commentdesk_worker_batch_seconds_total", "counter", "Time spent from claim to finish.", [(id, "\(counters.batchSeconds)")])
        metric("commentdesk_queue_ready", "gauge", "Comments waiting for a worker.", [("", "\(queue.0)")])
        metric("commentdesk_queue_running", "gauge", "Comments leased by a worker.", [("", "\(queue.1)")])
        metric("commentdesk_queue_dead", "gauge", "Comments that exhausted their attempts (held as processing_error).", [("", "\(queue.2)")])
        metric("commentdesk_queue_oldest_ready_seconds", "gauge", "Age of the oldest waiting comment.", [("", "\(queue.3)")])
        return lines.joined(separator: "\n") + "\n"
    }
}
