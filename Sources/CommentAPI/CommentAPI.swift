import CommentStore
public import Configuration
import HTTPTypes
public import Hummingbird
public import Logging
import NIOCore
public import PostgresLibPQ
public import ServiceLifecycle
import Settings

/// Settings of `commentd serve` (see its options for the environment fallbacks).
public struct APIConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// Request bodies larger than this are refused with 413 before they are read further.
    public var maxBodyBytes: Int
    public var defaultPageSize: Int
    public var maxPageSize: Int
    /// How often the active policy's id is checked, so a newly activated policy's limits apply here too.
    public var policyRefreshInterval: Duration
    /// How often the counts of posts refused before storing are added to `refused_posts` (for the Board's report).
    public var refusalFlushInterval: Duration = .seconds(10)
    /// An article's comment list: how long a cache (a browser, a CDN) may serve it without asking, and how long after
    /// that it may serve it while it revalidates (`Cache-Control: public, max-age=…, stale-while-revalidate=…`).
    public var listMaxAge: Int = 5
    public var listStaleWhileRevalidate: Int = 30
    /// A kept-alive connection with no request for this long is closed.
    public var idleTimeout: Duration
    /// A new connection's first request head, and every request's body after its head, must arrive within this.
    public var requestReadTimeout: Duration
    /// Connections served at once; further ones wait in the listen backlog until one closes.
    public var maxConnections: Int
    /// Where `/metrics` (Prometheus text) is served: never on the readers' port. nil: not served.
    public var metricsHost: String
    public var metricsPort: Int?
    /// Built-in login with X and Facebook, and the article pages' origins (CORS); nil: only the site's own login
    /// tokens, and no CORS unless ``siteOrigins`` names origins.
    public var readerLogin: ReaderLoginConfiguration?
    /// Article pages' origins allowed to call the API from a browser when built-in login is off.
    public var siteOrigins: [String] = []
    /// `commentd serve --demo`: the article whose demo page `/demo` serves with the comment box; nil: no demo page.
    public var demoArticle: String?

    public init(
        host: String = "127.0.0.1",
        port: Int = 8080,
        maxBodyBytes: Int = 32 * 1024,
        defaultPageSize: Int = 20,
        maxPageSize: Int = 100,
        policyRefreshInterval: Duration = .seconds(5),
        idleTimeout: Duration = .seconds(30),
        requestReadTimeout: Duration = .seconds(10),
        maxConnections: Int = 1000,
        metricsHost: String = "127.0.0.1",
        metricsPort: Int? = nil
    ) {
        self.idleTimeout = idleTimeout
        self.requestReadTimeout = requestReadTimeout
        self.maxConnections = maxConnections
        self.metricsHost = metricsHost
        self.metricsPort = metricsPort
        self.host = host
        self.port = port
        self.maxBodyBytes = maxBodyBytes
        self.defaultPageSize = defaultPageSize
        self.maxPageSize = maxPageSize
        self.policyRefreshInterval = policyRefreshInterval
    }

    /// Reads `commentd.host` (default 127.0.0.1), `commentd.port` (8080), `commentd.max-body-bytes` (32768),
    /// `commentd.http-idle-timeout` (30 s), `commentd.http-read-timeout` (10 s), `commentd.max-connections` (1000),
    /// `commentd.metrics-host` (127.0.0.1), `commentd.metrics-port` (off unless set), `commentd.list-max-age` (5 s),
    /// `commentd.list-stale-while-revalidate` (30 s) and `commentd.site-origins`; the built-in reader login's settings
    /// (``ReaderLoginConfiguration/read(from:)``). In the environment: `COMMENTD_PORT` and so on. Throws a
    /// ``SettingError`` naming a value that is out of range or wrong.
    public init(config: ConfigReader) throws {
        self.init(
            host: config.text("commentd.host") ?? "127.0.0.1",
            port: try config.integer("commentd.port", default: 8080, in: 1...65535),
            maxBodyBytes: try config.integer("commentd.max-body-bytes", default: 32 * 1024, in: 1024...1_048_576),
            idleTimeout: .seconds(try config.integer("commentd.http-idle-timeout", default: 30, in: 1...3600)),
            requestReadTimeout: .seconds(try config.integer("commentd.http-read-timeout", default: 10, in: 1...600)),
            maxConnections: try config.integer("commentd.max-connections", default: 1000, in: 1...1_000_000),
            metricsHost: config.text("commentd.metrics-host") ?? "127.0.0.1",
            metricsPort: try config.integer("commentd.metrics-port", in: 1...65535)
        )
        listMaxAge = try config.integer("commentd.list-max-age", default: 5, in: 0...86_400)
        listStaleWhileRevalidate = try config.integer("commentd.list-stale-while-revalidate", default: 30, in: 0...86_400)
        if metricsPort == port { throw SettingError("COMMENTD_METRICS_PORT must differ from the readers' port (COMMENTD_PORT)") }
        readerLogin = try ReaderLoginConfiguration.read(from: config)
        siteOrigins = try ReaderLoginConfiguration.siteOrigins(config)
    }
}

/// The reader API as a Hummingbird application.
public enum CommentAPI {
    /// Builds the application. `client` must stay open while it runs (run it in the same service group), and so must
    /// `reads`, the pool that published lists are read from (a standby's; nil: `client`'s).
    /// Throws ``SettingError`` when the login key cannot be used.
    public static func application(
        configuration: APIConfiguration,
        login: LoginConfiguration,
        client: PostgresClient,
        reads: PostgresClient? = nil,
        logger: Logger
    ) async throws -> some ApplicationProtocol & Service {
        let verifier = try await LoginVerifier(login, readers: configuration.readerLogin)
        let policy = ActivePolicy(client: client, seedingActor: nil, logger: logger)
        let metrics = APIMetrics()
        let refusals = RefusalTally()
        let handlers = Handlers(
            configuration: configuration,
            verifier: verifier,
            policy: policy,
            client: client,
            reads: reads ?? client,
            metrics: metrics,
            refusals: refusals,
            logger: logger
        )
        // HEAD is answered wherever GET is routed (Hummingbird strips the body).
        let router = Router(context: APIRequestContext.self, options: .autoGenerateHeadEndpoints)
        let origins = configuration.readerLogin?.siteOrigins ?? configuration.siteOrigins.map(ReaderLoginConfiguration.origin)
        if !origins.isEmpty { router.middlewares.add(SiteCORSMiddleware(origins: Set(origins))) }
        router.middlewares.add(EdgeMiddleware(metrics: metrics, logger: logger))
        handlers.register(on: router)
        if let readerLogin = configuration.readerLogin {
            await LoginRoutes(configuration: readerLogin, client: client, logger: logger).register(on: router)
        }
        var services: [any Service] = [
            Periodic.policyRefresh(policy, every: configuration.policyRefreshInterval, logger: logger),
            RefusalFlusher(tally: refusals, client: client, logger: logger).periodic(every: configuration.refusalFlushInterval),
        ]
        if let port = configuration.metricsPort {
            services.append(metricsApplication(metrics, host: configuration.metricsHost, port: port, logger: logger))
        }
        let readTimeout = TimeAmount(configuration.requestReadTimeout)
        return Application(
            router: router,
            server: .http1(
                configuration: .init(
                    additionalChannelHandlers: [RequestReadTimeout(timeout: readTimeout)],
                    idleTimeout: TimeAmount(configuration.idleTimeout)
                )
            ),
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port),
                serverName: "commentd",
                availableConnectionsDelegate: .maximum(configuration.maxConnections, logger: logger)
            ),
            services: services,
            logger: logger
        )
    }

    /// `/metrics` on a listener of its own (loopback by default), so readers never see the service's internals.
    static func metricsApplication(_ metrics: APIMetrics, host: String, port: Int, logger: Logger) -> some Service {
        let router = Router()
        router.get("/metrics") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: metrics.prometheusText()))
            )
        }
        return Application(router: router, configuration: .init(address: .hostname(host, port: port), serverName: "commentd-metrics"), logger: logger)
    }
}

/// Answers every error as problem+json, and counts and times every request by its route (not its raw path).
struct EdgeMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let metrics: APIMetrics
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var response: Response
        var route = context.endpointPath ?? "unmatched"
        do {
            response = try await next(request, context)
        } catch let problem as Problem {
            response = problem.response(instance: request.uri.path)
        } catch let error as HTTPError {
            // The router's own 404 for a path no route matches (or a known path with another method): label it so raw
            // paths never become metric labels.
            let allowed = error.status == .notFound ? Handlers.allowedMethods(for: request.uri.path) : []
            if error.status == .notFound { route = allowed.isEmpty ? "unmatched" : "method_not_allowed" }
            let problem =
                switch error.status {
                case .notFound where !allowed.isEmpty:
                    Problem(.methodNotAllowed, "method-not-allowed", "This method is not allowed here")
                case .notFound: Problem.notFound
                default: Problem(error.status, "http-\(error.status.code)", error.status.reasonPhrase)
                }
            response = problem.response(instance: request.uri.path)
            if !allowed.isEmpty { response.headers[.allow] = allowed.map(\.rawValue).joined(separator: ", ") }
        } catch is NIOTooManyBytesError {
            response = Problem.tooLarge.response(instance: request.uri.path)
        } catch let error as PostgresError {
            // One line, no SQL and no values: the kind, SQLSTATE and route are what an operator needs to find it.
            logger.error("database error", metadata: ["error": "\(error)", "route": "\(route)"])
            let transient = error.isConnectionLost || error.kind == .poolTimeout || error.sqlState == .queryCanceled
            response = (transient ? Problem.unavailable("Please try again shortly.") : .internalError)
                .response(instance: request.uri.path)
        } catch {
            logger.error("request failed", metadata: ["error": "\(type(of: error))", "route": "\(route)"])
            response = Problem.internalError.response(instance: request.uri.path)
        }
        response.headers[.xContentTypeOptions] = "nosniff"
        metrics.observe(method: request.method.rawValue, route: route, status: response.status.code, duration: ContinuousClock.now - start)
        return response
    }
}

/// Runs `work` now and then every `interval` until graceful shutdown, then `last` once (the API's background chores:
/// picking up a newly activated policy, storing the refused posts' counts).
struct Periodic: Service {
    let interval: Duration
    let work: @Sendable () async -> Void
    var last: (@Sendable () async -> Void)? = nil

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await work()
                try? await Task.sleep(for: interval)
            }
        }
        await last?()
    }

    /// Checks the active policy's id and reloads it when a moderator activated another.
    static func policyRefresh(_ policy: ActivePolicy, every interval: Duration, logger: Logger) -> Periodic {
        Periodic(interval: interval) {
            do {
                try await policy.refreshIfChanged()
            } catch is CancellationError {
            } catch {
                logger.warning("cannot check the active policy; keeping the one in use", metadata: ["error": "\(error)"])
            }
        }
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        self = .nanoseconds(duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }
}

extension HTTPField.Name {
    static let xContentTypeOptions = HTTPField.Name("X-Content-Type-Options")!
}
