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
/// Output: `{"id": …, "outcome": "…", "reasons": […], "hits": […]}`; a line that cannot be judged gives
/// `{"id": … or null, "line": n, "error": "…"}`, and the caller goes on with the next line.
public struct JSONLChecker: Sendable {
    public let policy: CompiledPolicy
    public let now: Date

    public init(policy: CompiledPolicy, now: Date = Date()) {
        self.policy = policy
        self.now = now
    }

    /// An `id` exactly as the input gave it (string, number, boolean or null).
    enum ID: Decodable {
        case string(String), integer(Int64), number(Double), bool(Bool), null

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

        var json: String {
            switch self {
            case .string(let value): JSONLChecker.quote(value)
            case .integer(let value): String(value)
            case .number(let value): value.isFinite ? String(value) : "null"
            case .bool(let value): value ? "true" : "false"
            case .null: "null"
            }
        }
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

    static func render(_ verdict: Verdict, id: ID) -> String {
        var out = "{\"id\":\(id.json),\"outcome\":\"\(verdict.outcome.rawValue)\",\"reasons\":["
        out += verdict.reasons.map(quote).joined(separator: ",")
        out += "],\"hits\":["
        out += verdict.hits.map { hit in
            var fields = [
                "\"rule\":\(quote(hit.rule))", "\"reason\":\(quote(hit.reason))", "\"category\":\(quote(hit.category))",
                "\"action\":\"\(hit.action.rawValue)\"",
            ]
            if let start = hit.start, let end = hit.end { fields += ["\"start\":\(start)", "\"end\":\(end)"] }
            if let matched = hit.matched { fields.append("\"matched\":\(quote(matched))") }
            return "{" + fields.joined(separator: ",") + "}"
        }.joined(separator: ",")
        return out + "]}"
    }

    static func error(id: ID?, line: Int, _ message: String) -> String {
        "{\"id\":\((id ?? .null).json),\"line\":\(line),\"error\":\(quote(message))}"
    }

    /// A JSON string literal.
    static func quote(_ text: String) -> String {
        var out = "\""
        out.reserveCapacity(text.utf8.count + 2)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x2028 || scalar.value == 0x2029:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
