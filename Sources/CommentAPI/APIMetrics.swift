import Foundation
import Synchronization

/// Request counters and latency histograms per route and status, in Prometheus text format.
final class APIMetrics: Sendable {
    /// Upper bounds of the latency buckets, in seconds.
    static let buckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]

    struct Series {
        var count = 0
        var sum = 0.0
        var buckets = [Int](repeating: 0, count: APIMetrics.buckets.count)
    }

    struct Key: Hashable, Comparable {
        var method: String
        var route: String
        var status: Int
        static func < (a: Key, b: Key) -> Bool { (a.route, a.method, a.status) < (b.route, b.method, b.status) }
    }

    private let series = Mutex<[Key: Series]>([:])
    private let posted = Mutex<(accepted: Int, replayed: Int, refused: [String: Int])>((0, 0, [:]))
    private let flags = Mutex<(received: Int, repeated: Int, refused: [String: Int])>((0, 0, [:]))

    func observe(method: String, route: String, status: Int, seconds: Double) {
        series.withLock { all in
            var entry = all[Key(method: method, route: route, status: status), default: Series()]
            entry.count += 1
            entry.sum += seconds
            for (index, bound) in Self.buckets.enumerated() where seconds <= bound { entry.buckets[index] += 1 }
            all[Key(method: method, route: route, status: status)] = entry
        }
    }

    func accepted(replayed: Bool) { posted.withLock { if replayed { $0.replayed += 1 } else { $0.accepted += 1 } } }

    /// A post refused before it was stored, by reason code.
    func refused(_ reason: String) { posted.withLock { $0.refused[reason, default: 0] += 1 } }

    func flagged(repeated: Bool) { flags.withLock { if repeated { $0.repeated += 1 } else { $0.received += 1 } } }

    /// A flag refused before it was stored, by reason code.
    func flagRefused(_ reason: String) { flags.withLock { $0.refused[reason, default: 0] += 1 } }

    func prometheusText() -> String {
        let all = series.withLock { $0 }
        let flagCounts = flags.withLock { $0 }
        let (accepted, replayed, refused) = posted.withLock { ($0.accepted, $0.replayed, $0.refused) }
        var lines: [String] = []
        lines.append("# HELP commentdesk_api_requests_total HTTP requests answered, by route and status.")
        lines.append("# TYPE commentdesk_api_requests_total counter")
        for key in all.keys.sorted() {
            lines.append("commentdesk_api_requests_total{\(labels(key))} \(all[key]!.count)")
        }
        lines.append("# HELP commentdesk_api_request_seconds Time to answer a request.")
        lines.append("# TYPE commentdesk_api_request_seconds histogram")
        var byRoute: [Key: Series] = [:]
        for (key, value) in all {
            var merged = byRoute[Key(method: key.method, route: key.route, status: 0), default: Series()]
            merged.count += value.count
            merged.sum += value.sum
            for index in merged.buckets.indices { merged.buckets[index] += value.buckets[index] }
            byRoute[Key(method: key.method, route: key.route, status: 0)] = merged
        }
        for key in byRoute.keys.sorted() {
            let value = byRoute[key]!
            let route = "method=\"\(key.method)\",route=\"\(key.route)\""
            for (index, bound) in Self.buckets.enumerated() {
                lines.append("commentdesk_api_request_seconds_bucket{\(route),le=\"\(bound)\"} \(value.buckets[index])")
            }
            lines.append("commentdesk_api_request_seconds_bucket{\(route),le=\"+Inf\"} \(value.count)")
            lines.append("commentdesk_api_request_seconds_sum{\(route)} \(value.sum)")
            lines.append("commentdesk_api_request_seconds_count{\(route)} \(value.count)")
        }
        lines.append("# HELP commentdesk_api_posts_total Comment posts: accepted (queued), replayed (same Idempotency-Key), refused by reason.")
        lines.append("# TYPE commentdesk_api_posts_total counter")
        lines.append("commentdesk_api_posts_total{result=\"accepted\"} \(accepted)")
        lines.append("commentdesk_api_posts_total{result=\"replayed\"} \(replayed)")
        for reason in refused.keys.sorted() {
            lines.append("commentdesk_api_posts_total{result=\"refused\",reason=\"\(reason)\"} \(refused[reason]!)")
        }
        lines.append("# HELP commentdesk_api_flags_total Reader flags: received, repeated (the reader had flagged it before), refused by reason.")
        lines.append("# TYPE commentdesk_api_flags_total counter")
        lines.append("commentdesk_api_flags_total{result=\"received\"} \(flagCounts.received)")
        lines.append("commentdesk_api_flags_total{result=\"repeated\"} \(flagCounts.repeated)")
        for reason in flagCounts.refused.keys.sorted() {
            lines.append("commentdesk_api_flags_total{result=\"refused\",reason=\"\(reason)\"} \(flagCounts.refused[reason]!)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func labels(_ key: Key) -> String { "method=\"\(key.method)\",route=\"\(key.route)\",status=\"\(key.status)\"" }
}
