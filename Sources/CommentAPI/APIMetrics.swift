import Metrics
import Prometheus
import Synchronization

/// The API's metrics, recorded through swift-metrics into the application's own Prometheus registry, which the
/// metrics listener serves. A registry per application (not the process-wide `MetricsSystem`) keeps each server's
/// figures its own, tests' included.
final class APIMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory
    private let accepted: CoreMetrics.Counter
    private let replayed: CoreMetrics.Counter
    private let received: CoreMetrics.Counter
    private let repeated: CoreMetrics.Counter
    /// Each route's and status's counter and timer, made once (the registry's lookup validates names and labels on every
    /// call: not work for every request).
    private let perRoute = Mutex<[RouteKey: (requests: CoreMetrics.Counter, time: CoreMetrics.Timer)]>([:])

    private struct RouteKey: Hashable {
        var method: String
        var route: String
        var status: Int
    }

    static let requests = "commentdesk_api_requests_total"
    static let requestSeconds = "commentdesk_api_request_seconds"
    static let posts = "commentdesk_api_posts_total"
    static let flags = "commentdesk_api_flags_total"

    init() {
        var factory = PrometheusMetricsFactory(registry: registry)
        // Answers take milliseconds: finer buckets at the low end than the library's default (which starts at 5 ms).
        factory.durationHistogramBuckets[Self.requestSeconds] = [
            .milliseconds(1), .microseconds(2500), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
            .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500),
        ]
        self.factory = factory
        // Created up front, so that a scrape shows them at zero before the first post or flag.
        accepted = CoreMetrics.Counter(label: Self.posts, dimensions: [("result", "accepted")], factory: factory)
        replayed = CoreMetrics.Counter(label: Self.posts, dimensions: [("result", "replayed")], factory: factory)
        received = CoreMetrics.Counter(label: Self.flags, dimensions: [("result", "received")], factory: factory)
        repeated = CoreMetrics.Counter(label: Self.flags, dimensions: [("result", "repeated")], factory: factory)
    }

    /// One answered request, labelled by its route pattern (never the raw path) and status.
    func observe(method: String, route: String, status: Int, duration: Duration) {
        let key = RouteKey(method: method, route: route, status: status)
        let handles = perRoute.withLock { made in
            if let handles = made[key] { return handles }
            let handles = (
                requests: CoreMetrics.Counter(
                    label: Self.requests,
                    dimensions: [("method", method), ("route", route), ("status", "\(status)")],
                    factory: factory
                ),
                time: CoreMetrics.Timer(label: Self.requestSeconds, dimensions: [("method", method), ("route", route)], factory: factory)
            )
            made[key] = handles
            return handles
        }
        handles.requests.increment()
        handles.time.record(duration: duration)
    }

    func accepted(replayed: Bool) { (replayed ? self.replayed : accepted).increment() }

    /// A post refused before it was stored, by reason code.
    func refused(_ reason: String) {
        CoreMetrics.Counter(label: Self.posts, dimensions: [("result", "refused"), ("reason", reason)], factory: factory).increment()
    }

    func flagged(repeated: Bool) { (repeated ? self.repeated : received).increment() }

    /// A flag refused before it was stored, by reason code.
    func flagRefused(_ reason: String) {
        CoreMetrics.Counter(label: Self.flags, dimensions: [("result", "refused"), ("reason", reason)], factory: factory).increment()
    }

    /// Prometheus text exposition format (0.0.4).
    func prometheusText() -> String { registry.emitToString() }
}
