import Testing

@testable import CommentAPI

/// The API's metrics as Prometheus reads them: through swift-metrics into the application's own registry.
@Suite
struct MetricsTests {
    @Test func countersHistogramsAndEscapedLabelValues() {
        let metrics = APIMetrics()
        // Zero before anything happened: a dashboard's rate() needs the series to exist.
        #expect(metrics.prometheusText().contains(#"commentdesk_api_posts_total{result="accepted"} 0"#))
        metrics.observe(method: "GET", route: "/v1/policy", status: 200, duration: .milliseconds(3))
        metrics.observe(method: "GET", route: "/v1/policy", status: 200, duration: .milliseconds(30))
        metrics.accepted(replayed: true)
        metrics.refused("quote\"back\\slash\nnewline")
        let text = metrics.prometheusText()
        #expect(text.contains(#"commentdesk_api_requests_total{method="GET",route="/v1/policy",status="200"} 2"#), "\(text)")
        #expect(text.contains(#"commentdesk_api_request_seconds_bucket{method="GET",route="/v1/policy",le="0.0025"} 0"#), "\(text)")
        #expect(text.contains(#"commentdesk_api_request_seconds_bucket{method="GET",route="/v1/policy",le="0.005"} 1"#), "\(text)")
        #expect(text.contains(#"commentdesk_api_request_seconds_count{method="GET",route="/v1/policy"} 2"#), "\(text)")
        #expect(text.contains(#"commentdesk_api_posts_total{result="replayed"} 1"#))
        // A label value can never break the exposition format.
        #expect(text.contains(#"commentdesk_api_posts_total{result="refused",reason="quote\"back\\slash\nnewline"} 1"#), "\(text)")
    }
}
