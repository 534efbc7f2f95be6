public import Configuration
public import Foundation
import SystemPackage

/// A setting that is present but unusable, or a required one that is missing. The message names the environment
/// variable (the name operators set) so it can be fixed; it never repeats a secret's value.
public struct SettingError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// CommentDesk's settings, read through swift-configuration.
///
/// Every setting has one dotted key that mirrors its option and its environment variable: `commentd.list-max-age` is
/// `--list-max-age` on the command line and `COMMENTD_LIST_MAX_AGE` in the environment (swift-configuration's
/// `EnvironmentVariablesProvider` upper-cases the key and joins its parts with `_`), and `{"commentd":
/// {"list-max-age": 5}}` in the JSON file named by `COMMENTD_CONFIG_FILE`. The first of those that has the key wins,
/// in that order. OPERATIONS.md lists every key.
public enum Settings {
    /// The environment variable that holds `key` (`commentd.jwt.secret-file` → `COMMENTD_JWT_SECRET_FILE`).
    public static func environmentName(_ key: String) -> String {
        String(key.uppercased().map { $0.isLetter || $0.isNumber ? $0 : "_" })
    }

    /// The reader for a command: `options` (the command line's values, by key; nil values are options not given) first,
    /// then `environment`, then the JSON file `COMMENTD_CONFIG_FILE` names, if it does.
    public static func reader(
        options: [String: ConfigContent?] = [:],
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) async throws -> ConfigReader {
        var values: [AbsoluteConfigKey: ConfigValue] = [:]
        for case (let key, let content?) in options { values[AbsoluteConfigKey(ConfigKey(key))] = ConfigValue(content, isSecret: false) }
        let environmentProvider = EnvironmentVariablesProvider(
            environmentVariables: environment,
            // Nothing that ends in SECRET or a URL (which may hold a password) is ever shown by an access log.
            secretsSpecifier: .dynamic { name, _ in name.hasSuffix("SECRET") || (name.contains("DATABASE") && name.hasSuffix("URL")) }
        )
        var providers: [any ConfigProvider] = [InMemoryProvider(name: "options", values: values), environmentProvider]
        if let path = environment[environmentName(configFileKey)], !path.isEmpty {
            do {
                providers.append(try await FileProvider<JSONSnapshot>(filePath: FilePath(path)))
            } catch {
                throw SettingError("\(environmentName(configFileKey)): cannot read \(path) as a JSON object of settings (\(error))")
            }
        }
        return ConfigReader(providers: providers)
    }

    /// The key whose environment variable names the JSON settings file.
    public static let configFileKey = "commentd.config-file"
}

extension ConfigReader {
    /// A text setting; an empty value counts as unset.
    public func text(_ key: String, isSecret: Bool = false) -> String? {
        string(forKey: ConfigKey(key), isSecret: isSecret).flatMap { $0.isEmpty ? nil : $0 }
    }

    /// A whole number in `range`, or `fallback` when the setting is absent. Present but not a number, or out of range:
    /// a ``SettingError`` naming its environment variable and the range.
    public func integer(_ key: String, default fallback: Int, in range: ClosedRange<Int>) throws -> Int {
        try integer(key, in: range) ?? fallback
    }

    /// A whole number in `range`, or nil when the setting is absent.
    public func integer(_ key: String, in range: ClosedRange<Int>) throws -> Int? {
        let configKey = ConfigKey(key)
        guard let value = int(forKey: configKey) else {
            guard text(key) == nil else { throw SettingError("\(Settings.environmentName(key)) must be a whole number") }
            return nil
        }
        guard range.contains(value) else {
            throw SettingError("\(Settings.environmentName(key)) must be between \(range.lowerBound) and \(range.upperBound), not \(value)")
        }
        return value
    }

    /// A number in `range` (seconds, say), or `fallback` when absent; otherwise like ``integer(_:default:in:)``.
    public func number(_ key: String, default fallback: Double, in range: ClosedRange<Double>) throws -> Double {
        let configKey = ConfigKey(key)
        let value: Double
        if let number = double(forKey: configKey) {
            value = number
        } else if let whole = int(forKey: configKey) {
            value = Double(whole)
        } else {
            guard text(key) == nil else { throw SettingError("\(Settings.environmentName(key)) must be a number") }
            return fallback
        }
        guard range.contains(value) else {
            throw SettingError(
                "\(Settings.environmentName(key)) must be between \(Self.plain(range.lowerBound)) and \(Self.plain(range.upperBound))"
            )
        }
        return value
    }

    /// A secret: the value of `key`, or else the contents of the file that `key-file` names (surrounding white space
    /// trimmed), so a secret can come from a mounted file instead of the environment. Both set: the value wins.
    public func secret(_ key: String) throws -> String? {
        if let value = text(key, isSecret: true) { return value }
        return try file(key + "-file")?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The contents of the file whose path `key` holds; nil when unset, a ``SettingError`` when it cannot be read.
    public func file(_ key: String) throws -> String? {
        guard let path = text(key) else { return nil }
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw SettingError("\(Settings.environmentName(key)): cannot read \(path)")
        }
    }

    /// An http(s) URL with a host.
    public func url(_ key: String) throws -> URL? {
        guard let text = text(key) else { return nil }
        guard let url = URL(string: text), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
            throw SettingError("\(Settings.environmentName(key)) must be an http(s) URL, not '\(text)'")
        }
        return url
    }

    private static func plain(_ number: Double) -> String {
        number == number.rounded() ? String(Int(number)) : String(number)
    }
}
