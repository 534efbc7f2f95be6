import Foundation
import PostgresTestSupport
import Settings
import Testing

/// README's configuration tables name every setting the code reads, by its environment variable.
@Suite struct SettingsDocumentationTests {
    /// The keys Sources read (`config.integer("commentd.port", …)`, `config.secret("commentd.jwt.secret")`), with the
    /// `-file` form of secrets.
    static func keysInSources() throws -> Set<String> {
        let sources = TestPostgres.repositoryRoot.appendingPathComponent("Sources")
        // A key where a setting is read: `text("…")`, `integer("…", …)`, `stringArray(forKey: "…")`, `url(config, "…")`…
        let key = try Regex(#"(?:text|integer|number|secret|file|url|stringArray)\((?:forKey: |config, )?"([a-z0-9.-]*[a-z0-9])""#)
        let secret = try Regex(#"secret\("([a-z0-9.-]+)"\)"#)
        var keys: Set<String> = []
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)
        while let file = files?.nextObject() as? URL {
            guard file.pathExtension == "swift" else { continue }
            let text = try String(contentsOf: file, encoding: .utf8)
            for match in text.matches(of: key) { keys.insert(String(match.output[1].substring ?? "")) }
            for match in text.matches(of: secret) { keys.insert(String(match.output[1].substring ?? "") + "-file") }
        }
        return keys
    }

    @Test func everyKeyIsDocumented() throws {
        let keys = try Self.keysInSources()
        #expect(keys.contains("commentd.list-max-age") && keys.contains("commentd.jwt.secret-file") && keys.contains("database.url"))
        #expect(keys.count >= 30, "found \(keys.count) keys: the pattern no longer sees how Sources name them")
        let readme = try String(contentsOf: TestPostgres.repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
        for key in keys.sorted() {
            let name = Settings.environmentName(key)
            // A `…_FILE` row may be written as "(or `_FILE`)" beside its secret.
            let documented =
                readme.contains(name) || (name.hasSuffix("_FILE") && readme.contains(String(name.dropLast(5))) && readme.contains("_FILE"))
            #expect(documented, "\(key) (\(name)) is read by the code but not in README's configuration tables")
        }
    }
}
