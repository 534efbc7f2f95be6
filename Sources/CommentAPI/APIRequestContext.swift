import Foundation
public import Hummingbird

/// The reader API's request context: Hummingbird's core storage, and the one JSON encoder every API answer goes
/// through (``APIJSONEncoder``), so a handler returns its ``ResponseEncodable`` value and the context encodes it.
public struct APIRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    public var responseEncoder: APIJSONEncoder { APIJSONEncoder() }
}

/// The API's JSON: camelCase members as the types name them, in sorted order, ISO 8601 dates with milliseconds, no slash escaping,
/// `Content-Type: application/json`. Problems (errors) use the same encoder as `application/problem+json`.
public struct APIJSONEncoder: ResponseEncoder {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(date))
        }
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    public func encode(_ value: some Encodable, from request: Request, context: some RequestContext) throws -> Response {
        Self.response(value, contentType: "application/json")
    }

    /// `value` encoded, with `contentType`.
    static func response(_ value: some Encodable, contentType: String) -> Response {
        // Every type encoded here is a plain struct of strings, numbers and dates: encoding cannot fail.
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return Response(status: .ok, headers: [.contentType: contentType], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
