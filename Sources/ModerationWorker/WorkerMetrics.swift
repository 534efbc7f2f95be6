import Metrics
import Prometheus
import Synchronization

/// A worker's metrics, recorded through swift-metrics into its own Prometheus registry (served by `commentd work
/// --metrics-port`): counters labelled with the worker's id, and the queue's depth as gauges set at each scrape.
final class WorkerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let claimed: CoreMetrics.Counter
    private let decided: CoreMetrics.Counter
    private let lost: CoreMetrics.Counter
    private let retried: CoreMetrics.Counter
    private let failed: CoreMetrics.Counter
    private let reapedRetried: CoreMetrics.Counter
    private let reapedDead: CoreMetrics.Counter
    private let batch: CoreMetrics.Timer
    let queueReady: CoreMetrics.Gauge
    let queueRunning: CoreMetrics.Gauge
    let queueDead: CoreMetrics.Gauge
    let queueOldestReadySeconds: CoreMetrics.Gauge
    /// Comments decided since the start, for the worker's last log line.
    private let decidedSoFar = Atomic<Int>(0)

    init(workerID: String) {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets["commentdesk_worker_batch_seconds"] = [
            .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5),
        ]
        let worker = [("worker", workerID)]
        claimed = CoreMetrics.Counter(label: "commentdesk_worker_claimed_total", dimensions: worker, factory: factory)
        decided = CoreMetrics.Counter(label: "commentdesk_worker_decided_total", dimensions: worker, factory: factory)
        lost = CoreMetrics.Counter(label: "commentdesk_worker_lease_lost_total", dimensions: worker, factory: factory)
        retried = CoreMetrics.Counter(label: "commentdesk_worker_failures_total", dimensions: worker + [("result", "retried")], factory: factory)
        failed = CoreMetrics.Counter(label: "commentdesk_worker_failures_total", dimensions: worker + [("result", "held")], factory: factory)
        reapedRetried = CoreMetrics.Counter(label: "commentdesk_worker_reaped_total", dimensions: worker + [("result", "retried")], factory: factory)
        reapedDead = CoreMetrics.Counter(label: "commentdesk_worker_reaped_total", dimensions: worker + [("result", "held")], factory: factory)
        batch = CoreMetrics.Timer(label: "commentdesk_worker_batch_seconds", dimensions: worker, factory: factory)
        queueReady = CoreMetrics.Gauge(label: "commentdesk_queue_ready", factory: factory)
        queueRunning = CoreMetrics.Gauge(label: "commentdesk_queue_running", factory: factory)
        queueDead = CoreMetrics.Gauge(label: "commentdesk_queue_dead", factory: factory)
        queueOldestReadySeconds = CoreMetrics.Gauge(label: "commentdesk_queue_oldest_ready_seconds", factory: factory)
    }

    var decidedTotal: Int { decidedSoFar.load(ordering: .relaxed) }

    func claimed(_ count: Int) { claimed.increment(by: count) }

    /// A finished batch: `count` decisions recorded, `lost` dropped because their lease had expired.
    func decided(_ count: Int, lost: Int, duration: Duration) {
        decided.increment(by: count)
        self.lost.increment(by: lost)
        batch.record(duration: duration)
        decidedSoFar.add(count, ordering: .relaxed)
    }

    func failed(last: Bool) { (last ? failed : retried).increment() }

    func reaped(_ retried: Int, dead: Int) {
        reapedRetried.increment(by: retried)
        reapedDead.increment(by: dead)
    }
}
