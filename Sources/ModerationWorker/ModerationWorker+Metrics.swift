import CommentStore
import Metrics
import PostgresLibPQ
import Prometheus

extension ModerationWorker {
    /// The worker's metrics in Prometheus text format (0.0.4), the queue's depth read from the database first.
    public func prometheusText() async throws -> String {
        let depth = try await client.withConnection { try await queue.depth(on: $0) }
        metrics.queueReady.record(depth.ready)
        metrics.queueRunning.record(depth.running)
        metrics.queueDead.record(depth.dead)
        metrics.queueOldestReadySeconds.record(depth.oldestReadySeconds)
        return metrics.registry.emitToString()
    }
}
