public import Foundation
public import StandardsPolicy

/// `modctl policy check --jsonl`: one JSON object in, one JSON object out, per line.
///
/// Input: `{"id": …, "body": "…", "context": {"authenticated": true, "provider": "twitter",
/// "account_status": "active", "article_closed": false}}`. Without `context` the comment is judged as coming from a
/// logged-in twitter reader in good standing, with prior approved comments and no recent activity, on an open
/// article (``EvaluationContext/textOnly(now:)``), so only the text decides. Keys missing from a given `context`
/// take those same defaults.
///
/// Output, through `Codable` with keys in alphabetical order (the same bytes for the same verdict on every run):
/// `{"hits": […], "id": …, "outcome": "…", "reasons": […]}`; a line that cannot be judged gives
/// `{"error": "…", "id": … or null, "line": n}`, and the caller goes on with the next line.
public struct JSONLChecker: Sendable {
    public let policy: CompiledPolicy
    public let now: Date

    public init(policy: CompiledPolicy, now: Date = Date()) {
        self.policy = policy
        self.now = now
    }

    /// An `id` exactly as the input gave it (string, number, boolean or null), and given back the same.
    enum ID: Codable {
        case string(String)
        case integer(Int64)
        case number(Double)
        case bool(Bool)
        case null

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() {
                self = .null
            } else if let value = try? container.decode(Int64.self) {
                self = .integer(value)
            } else if let value = try? container.decode(Double.self) {
                self = .number(value)
            } else if let value = try? container.decode(Bool.self) {
                self = .bool(value)
            } else {
                self = .string(try container.decode(String.self))
            }
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .string(let value): try container.encode(value)
            case .integer(let value): try container.encode(value)
            case .number(let value): try value.isFinite ? container.encode(value) : container.encodeNil()
            case .bool(let value): try container.encode(value)
            case .null: try container.encodeNil()
            }
        }
    }

    /// A judged line (the hits as ``Hit`` encodes itself).
    struct Judged: Encodable {
        var id: ID
        var outcome: Action
        var reasons: [String]
        var hits: [Hit]
    }

    /// A line that could not be judged.
    struct Refused: Encodable {
        var id: ID
        var line: Int
        var error: String
    }

    struct Context: Decodable {
        var authenticated: Bool?
        var provider: String?
        var accountStatus: String?
        var articleClosed: Bool?

        enum CodingKeys: String, CodingKey {
            case authenticated, provider
            case accountStatus = "account_status"
            case articleClosed = "article_closed"
        }
    }

    struct Input: Decodable {
        var id: ID?
        var body: String?
        var context: Context?
    }

    /// Judges one line (`number` counts from 1) and returns the output line, without a trailing newline.
    public func check(line: String, number: Int) -> String {
        let input: Input
        do {
            input = try JSONDecoder().decode(Input.self, from: Data(line.utf8))
        } catch {
            return Self.error(id: nil, line: number, "not a JSON object with a string \"body\"")
        }
        guard let body = input.body else { return Self.error(id: input.id, line: number, "missing \"body\" (a string)") }
        var context = EvaluationContext.textOnly(now: now)
        if let given = input.context {
            if let authenticated = given.authenticated { context.authenticated = authenticated }
            if given.provider != nil || given.authenticated == false { context.provider = given.provider }
            if let status = given.accountStatus {
                guard let parsed = EvaluationContext.AccountStatus(rawValue: status) else {
                    return Self.error(id: input.id, line: number, "context.account_status must be active, suspended or banned")
                }
                context.accountStatus = parsed
            }
            if let closed = given.articleClosed { context.articleClosed = closed }
        }
        let verdict = policy.evaluate(body, context: context)
        return Self.render(verdict, id: input.id ?? .null)
    }

    /// The output's one encoder: keys sorted (Foundation keeps no declaration order), slashes as they are, one line per
    /// object.
    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    private static func line(_ value: some Encodable) -> String {
        // Strings, integers, finite numbers and arrays of them always encode; the fallback is for the impossible.
        guard let data = try? encoder.encode(value) else { return #"{"error":"the verdict could not be encoded","id":null}"# }
        return String(decoding: data, as: UTF8.self)
    }

    static func render(_ verdict: Verdict, id: ID) -> String {
        line(Judged(id: id, outcome: verdict.outcome, reasons: verdict.reasons, hits: verdict.hits))
    }

    static func error(id: ID?, line number: Int, _ message: String) -> String {
        line(Refused(id: id ?? .null, line: number, error: message))
    }
}
