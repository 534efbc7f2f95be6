// swift-tools-version:6.2
import PackageDescription

/// One set of settings for every target: Swift 6 language mode plus the upcoming features we adopt early.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InferIsolatedConformances"),
    // An import is internal unless marked `public import`: a module's public API names what it exposes.
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "CommentDesk",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "commentd", targets: ["commentd"]),
        .executable(name: "modctl", targets: ["modctl"]),
        .library(name: "PostgresLibPQ", targets: ["PostgresLibPQ"]),
        .library(name: "CommentStore", targets: ["CommentStore"]),
        .library(name: "StandardsPolicy", targets: ["StandardsPolicy"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.8.0"),
        // NIOHTTPTypes: the request parts the API's read-timeout handler sees (Hummingbird already builds it).
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        // SHA-256 for PKCE, and RSA keys for the RS256 login tests (jwt-kit already builds swift-crypto).
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        // The built-in reader login's calls to X and Facebook (token exchange, user info).
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        // NIOHTTP1: the request and status types AsyncHTTPClient speaks (Hummingbird already builds swift-nio).
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // The API's and the worker's /metrics: recorded through swift-metrics, exposed by swift-prometheus.
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // The report's HTML page, from a template.
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        // HTTPTypes: the request and response types Hummingbird speaks, named where the API and the tests use them.
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        // Settings from options, the environment and a JSON file, one key each (swift-configuration); FilePath for its file.
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
    ],
    targets: [
        // libpq, from the system (Debian/Ubuntu: libpq-dev). The shim header also finds libpq-fe.h without pkg-config.
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"]), .brew(["libpq"])]
        ),
        // The only module that imports CLibPQ.
        .target(
            name: "PostgresLibPQ",
            dependencies: [
                "CLibPQ",
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // How every command reads its settings: the keys, their environment variables, checked numbers, secrets from files.
        .target(
            name: "Settings",
            dependencies: [
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            swiftSettings: swiftSettings
        ),
        // The Standards Board Policy: pure logic, no I/O. The default policy in deploy/policy is embedded at build time.
        .target(
            name: "StandardsPolicy",
            dependencies: [.product(name: "Yams", package: "Yams")],
            exclude: ["ENGINE.md"],
            resources: [.embedInCode("DefaultPolicy")],
            // The engine reads untrusted text: every unsafe construct must be marked `unsafe`, and only
            // Views/CheckedWriter.swift may hold one (StandardsPolicyTests.SafetyTests holds the module to that).
            swiftSettings: swiftSettings + [.strictMemorySafety(), .treatWarning("StrictMemorySafety", as: .error)]
        ),
        // Around the engine, not in it: policy folders on disk and modctl's JSON-lines checking protocol.
        .target(name: "PolicyTools", dependencies: ["StandardsPolicy"], swiftSettings: swiftSettings),
        // Benchmarks: release-build programs that print their figures beside a baseline measured in the same run.
        .executableTarget(name: "policy-benchmark", dependencies: ["StandardsPolicy", "PolicyTools"], swiftSettings: swiftSettings),
        // All SQL of the domain (the nightly report's aggregation included), and the migrations runner (the files in sql/ are
        // embedded at build time).
        .target(
            name: "CommentStore",
            dependencies: [
                "PostgresLibPQ",
                "StandardsPolicy",
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.embedInCode("Migrations")],
            swiftSettings: swiftSettings
        ),
        // The queue consumer: a Service that claims, decides and finishes batches.
        .target(
            name: "ModerationWorker",
            dependencies: [
                "CommentStore",
                "PostgresLibPQ",
                "Settings",
                "StandardsPolicy",
                // Webhook deliveries (issue 20): the POST, and its HMAC signature.
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // The nightly policy report's renderings (its figures come from CommentStore): Markdown, HTML from a template with inline
        // SVG, JSON and CSV.
        .target(
            name: "PolicyReports",
            dependencies: ["CommentStore", "PostgresLibPQ", "StandardsPolicy", .product(name: "Mustache", package: "swift-mustache")],
            resources: [.embedInCode("Templates")],
            swiftSettings: swiftSettings
        ),
        // The reader API: a Hummingbird application with the login requirement, pre-checks and problem+json errors.
        .target(
            name: "CommentAPI",
            dependencies: [
                "CommentStore",
                "PostgresLibPQ",
                "Settings",
                "StandardsPolicy",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            // The comment box (comments.js), served as is at /embed/comments.js.
            resources: [.embedInCode("Embed")],
            swiftSettings: swiftSettings
        ),
        // A stand-in for X's and Facebook's login servers (their protocols, one local port): tests and run.sh only.
        .target(
            name: "LoginStandIn",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"), .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "login-standin",
            dependencies: [
                "LoginStandIn", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"), .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "commentd",
            dependencies: [
                "CommentAPI",
                "CommentStore",
                "ModerationWorker",
                "PolicyReports",
                "Settings",
                "StandardsPolicy",
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                "PostgresLibPQ",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // modctl's commands, their presentation, the review loop and the highlighter: a library the tests reach.
        .target(
            name: "ModctlCommands",
            dependencies: [
                "CommentStore",
                "PolicyTools",
                "PostgresLibPQ",
                "Settings",
                "StandardsPolicy",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(name: "modctl", dependencies: ["ModctlCommands"], swiftSettings: swiftSettings),
        // Throwaway databases for tests, on the cluster that deploy/local/test.sh starts.
        .target(
            name: "PostgresTestSupport",
            dependencies: ["PostgresLibPQ", "CommentStore", "StandardsPolicy", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PostgresLibPQTests",
            dependencies: ["PostgresLibPQ", "PostgresTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PolicyToolsTests",
            dependencies: ["PolicyTools", "StandardsPolicy"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "StandardsPolicyTests",
            dependencies: ["StandardsPolicy"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ModerationWorkerTests",
            dependencies: [
                "ModerationWorker", "CommentStore", "PostgresLibPQ", "PostgresTestSupport", "Settings", "StandardsPolicy",
                .product(name: "Configuration", package: "swift-configuration"),
                // A webhook receiver over real HTTP.
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CommentAPITests",
            dependencies: [
                "CommentAPI", "CommentStore", "LoginStandIn", "PolicyReports", "PostgresLibPQ", "PostgresTestSupport", "Settings",
                "StandardsPolicy",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ModctlTests",
            dependencies: ["CommentStore", "ModctlCommands", "PostgresLibPQ", "PostgresTestSupport", "StandardsPolicy"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PolicyReportsTests",
            dependencies: ["CommentStore", "PolicyReports", "PostgresLibPQ", "PostgresTestSupport", "StandardsPolicy"],
            exclude: ["Golden", "Support"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DeploymentTests",
            dependencies: [
                "CommentAPI", "CommentStore", "PolicyReports", "PostgresLibPQ", "PostgresTestSupport", "Settings", "StandardsPolicy",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CommentStoreTests",
            dependencies: ["CommentStore", "PostgresLibPQ", "PostgresTestSupport", "StandardsPolicy"],
            swiftSettings: swiftSettings
        ),
    ]
)
