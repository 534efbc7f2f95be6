import Hummingbird
import Logging
import ModerationWorker

/// The worker's HTTP endpoint (`--metrics-port`): `/metrics` in Prometheus text format, `/healthz`.
enum MetricsEndpoint {
    static func application(worker: ModerationWorker, host: String, port: Int, logger: Logger) -> some ApplicationProtocol {
        let router = Router()
        router.get("/metrics") { _, _ -> Response in
            let text = try await worker.prometheusText()
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: text))
            )
        }
        router.get("/healthz") { _, _ in "ok\n" }
        return Application(router: router, configuration: .init(address: .hostname(host, port: port), serverName: "commentd-work"), logger: logger)
    }
}
