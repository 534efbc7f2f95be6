import Foundation
public import HTTPTypes
public import Hummingbird

/// An error answered as `application/problem+json` (RFC 9457). Its texts are written for readers: they never
/// carry SQL, stack traces or internal identifiers.
public struct Problem: Error, HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    /// A stable identifier, `urn:commentdesk:problem:<slug>`.
    public var slug: String
    public var title: String
    public var detail: String?
    public var headers: HTTPFields = [:]
    /// Members beyond the standard ones (a reason code, character counts, …).
    var extensions = Extensions()

    struct Extensions: Encodable, Sendable {
        var reason: String?
        var characters: Int?
        var maxCharacters: Int?
        var retryAfterSeconds: Int?
        var suspendedUntil: String?
        var bytes: Int?
        var maxBytes: Int?
        /// An edited comment's replacement.
        var replacedBy: Int64?
    }

    init(_ status: HTTPResponse.Status, _ slug: String, _ title: String, detail: String? = nil) {
        self.status = status
        self.slug = slug
        self.title = title
        self.detail = detail
    }

    /// The standard members, then the extensions as members of the same object.
    struct Body: Encodable {
        var type: String
        var title: String
        var status: Int
        var detail: String?
        var instance: String?
        var extensions: Extensions

        enum CodingKeys: CodingKey { case type, title, status, detail, instance }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(type, forKey: .type)
            try container.encode(title, forKey: .title)
            try container.encode(status, forKey: .status)
            try container.encodeIfPresent(detail, forKey: .detail)
            try container.encodeIfPresent(instance, forKey: .instance)
            try extensions.encode(to: encoder)
        }
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        response(instance: request.uri.path)
    }

    func response(instance: String?) -> Response {
        let body = Body(
            type: "urn:commentdesk:problem:\(slug)",
            title: title,
            status: status.code,
            detail: detail,
            instance: instance,
            extensions: extensions
        )
        var response = APIJSONEncoder.response(body, contentType: "application/problem+json")
        response.status = status
        response.headers.append(contentsOf: headers)
        response.headers[.cacheControl] = "no-store"
        return response
    }
}

extension Problem {
    static func badRequest(_ detail: String) -> Problem { Problem(.badRequest, "bad-request", "The request is not valid", detail: detail) }

    static func unauthorized(_ failure: LoginFailure) -> Problem {
        var problem = Problem(.unauthorized, "login-required", "Log in to comment", detail: failure.description)
        problem.extensions.reason = "login_required"
        let escaped = failure.description.replacingOccurrences(of: "\\", with: "").replacingOccurrences(of: "\"", with: "'")
        problem.headers[.wwwAuthenticate] =
            failure.credentialsPresent
            ? "Bearer realm=\"commentdesk\", error=\"invalid_token\", error_description=\"\(escaped)\"" : "Bearer realm=\"commentdesk\""
        return problem
    }

    static let notFound = Problem(.notFound, "not-found", "Not found")

    static func unavailable(_ detail: String) -> Problem {
        var problem = Problem(.serviceUnavailable, "unavailable", "Comments are briefly unavailable", detail: detail)
        problem.headers[.retryAfter] = "5"
        return problem
    }

    static let internalError = Problem(.internalServerError, "internal", "Something went wrong on our side", detail: "Please try again later.")
}
