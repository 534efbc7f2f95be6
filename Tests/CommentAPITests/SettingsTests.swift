import CommentAPI
import Configuration
import Foundation
import Settings
import Testing

/// Settings: one key each, read from the options, then the environment, then the JSON file; bad values named.
@Suite struct SettingsTests {
    /// The name an error message gives is the name swift-configuration reads: set the variable by that name and the
    /// key sees it.
    @Test(arguments: [
        "commentd.port", "commentd.list-stale-while-revalidate", "commentd.jwt.secret-file", "commentd.oauth.x.client-id", "database.url",
    ])
    func environmentNamesAreTheOnesRead(key: String) async throws {
        let name = Settings.environmentName(key)
        #expect(name == name.uppercased() && !name.contains(".") && !name.contains("-"))
        let config = try await Settings.reader(environment: [name: "value-of-\(name)"])
        #expect(config.text(key) == "value-of-\(name)")
    }

    @Test func optionsComeFirstThenTheEnvironmentThenTheFile() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("cdt-settings-\(UUID().uuidString).json").path
        try #"{"commentd": {"port": 9001, "list-max-age": 11, "host": "0.0.0.0", "max-connections": 77}}"#
            .write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let config = try await Settings.reader(
            options: ["commentd.port": .int(9003), "commentd.metrics-port": nil],
            environment: ["COMMENTD_CONFIG_FILE": file, "COMMENTD_PORT": "9002", "COMMENTD_LIST_MAX_AGE": "12"]
        )
        let api = try APIConfiguration(config: config)
        #expect(api.port == 9003, "an option beats the environment and the file")
        #expect(api.listMaxAge == 12, "the environment beats the file")
        #expect(api.host == "0.0.0.0" && api.maxConnections == 77, "the file fills in the rest")
        #expect(api.metricsPort == nil, "an option not given is not a value")
        #expect(api.listStaleWhileRevalidate == 30, "and the default the rest")
    }

    @Test func badValuesAreRefusedByName() async throws {
        func api(_ environment: [String: String]) async throws -> APIConfiguration {
            try APIConfiguration(config: try await Settings.reader(environment: environment))
        }
        let notNumber = await #expect(throws: SettingError.self) { try await api(["COMMENTD_PORT": "eighty"]) }
        #expect(notNumber?.description == "COMMENTD_PORT must be a whole number")
        let outOfRange = await #expect(throws: SettingError.self) { try await api(["COMMENTD_MAX_BODY_BYTES": "10"]) }
        #expect(outOfRange?.description == "COMMENTD_MAX_BODY_BYTES must be between 1024 and 1048576, not 10")
        let samePort = await #expect(throws: SettingError.self) { try await api(["COMMENTD_PORT": "9100", "COMMENTD_METRICS_PORT": "9100"]) }
        #expect(samePort?.description.contains("must differ") == true)
        let origin = await #expect(throws: SettingError.self) { try await api(["COMMENTD_SITE_ORIGINS": "https://news.example.com/articles"]) }
        #expect(origin?.description.contains("is not an origin") == true)
        let badFile = await #expect(throws: SettingError.self) {
            try await Settings.reader(environment: ["COMMENTD_CONFIG_FILE": "/nonexistent/commentdesk.json"])
        }
        #expect(badFile?.description.hasPrefix("COMMENTD_CONFIG_FILE: cannot read /nonexistent/commentdesk.json") == true)
        let defaults = try await api([:])
        #expect(defaults.port == 8080 && defaults.maxBodyBytes == 32 * 1024 && defaults.readerLogin == nil && defaults.siteOrigins.isEmpty)
    }

    @Test func builtInLoginNeedsItsWholeSetAndReadsSecretsFromFiles() async throws {
        func login(_ environment: [String: String]) async throws -> ReaderLoginConfiguration? {
            try ReaderLoginConfiguration.read(from: try await Settings.reader(environment: environment))
        }
        #expect(try await login(["COMMENTD_PUBLIC_URL": "https://comments.example.com"]) == nil, "no client id: built-in login is off")
        let noSecret = await #expect(throws: SettingError.self) { try await login(["COMMENTD_OAUTH_X_CLIENT_ID": "x-client"]) }
        #expect(
            noSecret?.description
                == "COMMENTD_OAUTH_X_CLIENT_ID is set: set COMMENTD_OAUTH_X_CLIENT_SECRET (or COMMENTD_OAUTH_X_CLIENT_SECRET_FILE) too"
        )
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("cdt-oauth-\(UUID().uuidString)").path
        try "facebook-secret\n".write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        var environment = [
            "COMMENTD_OAUTH_FACEBOOK_CLIENT_ID": "fb-client",
            "COMMENTD_OAUTH_FACEBOOK_CLIENT_SECRET_FILE": file,
            "COMMENTD_OAUTH_FACEBOOK_TOKEN_URL": "http://127.0.0.1:9/token",
            "COMMENTD_PUBLIC_URL": "https://comments.example.com/",
            "COMMENTD_SITE_ORIGINS": "https://News.Example.com/, https://m.example.com",
            "COMMENTD_READER_TOKEN_SECRET": String(repeating: "k", count: 32),
        ]
        let configuration = try #require(try await login(environment))
        let facebook = try #require(configuration.providers[.facebook])
        #expect(facebook.clientSecret == "facebook-secret")
        #expect(facebook.tokenURL.absoluteString == "http://127.0.0.1:9/token")
        #expect(facebook.authorizeURL.absoluteString.hasPrefix("https://www.facebook.com/"))
        #expect(configuration.providers[.x] == nil)
        #expect(configuration.siteOrigins == ["https://news.example.com", "https://m.example.com"])
        #expect(configuration.tokenLifetimeSeconds == 3600)
        environment["COMMENTD_OAUTH_FACEBOOK_USERINFO_URL"] = "ftp://graph.example.com/me"
        let badURL = await #expect(throws: SettingError.self) { try await login(environment) }
        #expect(badURL?.description == "COMMENTD_OAUTH_FACEBOOK_USERINFO_URL must be an http(s) URL, not 'ftp://graph.example.com/me'")
    }
}
