import CommentStore
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import PostgresLibPQ
import StandardsPolicy

/// The routes, and what each answers.
struct Handlers: Sendable {
    let configuration: APIConfiguration
    let verifier: LoginVerifier
    let policy: ActivePolicy
    let client: PostgresClient
    /// Where published comments are read: a standby when `COMMENTD_READ_DATABASE_URL` names one, else ``client``.
    let reads: PostgresClient
    let metrics: APIMetrics
    let refusals: RefusalTally
    let logger: Logger
    let comments = ReaderComments()

    /// A post refused before it was stored: counted in the metrics and for the Board's report.
    func refusedPost(_ reason: String) {
        metrics.refused(reason)
        refusals.add(reason)
    }

    /// One route: its method and path pattern, and the handler that answers it.
    struct Route: Sendable {
        var method: HTTPRequest.Method
        var path: String
        var handle: @Sendable (Handlers, Request, APIRequestContext) async throws -> any ResponseGenerator

        init(
            _ method: HTTPRequest.Method,
            _ path: String,
            _ handle: @escaping @Sendable (Handlers, Request, APIRequestContext) async throws -> any ResponseGenerator
        ) {
            self.method = method
            self.path = path
            self.handle = handle
        }
    }

    /// Every route, in one table: the router is built from it, and so is the `Allow` of a 405 when a known path gets
    /// another method.
    static let routes: [Route] = [
        Route(.post, "/v1/articles/{articleRef}/comments") { try await $0.post($1, $2) },
        Route(.get, "/v1/articles/{articleRef}/comments") { try await $0.list($1, $2) },
        Route(.get, "/v1/comments/{id}") { try await $0.own($1, $2) },
        Route(.patch, "/v1/comments/{id}") { try await $0.edit($1, $2) },
        Route(.delete, "/v1/comments/{id}") { try await $0.delete($1, $2) },
        Route(.post, "/v1/comments/{id}/flags") { try await $0.flag($1, $2) },
        Route(.get, "/v1/comments/{id}/replies") { try await $0.replies($1, $2) },
        Route(.get, "/v1/me/export") { try await $0.exportMine($1, $2) },
        Route(.post, "/v1/me/erasure") { try await $0.requestErasure($1, $2) },
        Route(.delete, "/v1/me/erasure") { try await $0.cancelErasure($1, $2) },
        Route(.get, "/v1/policy") { handlers, _, _ in try await handlers.publicPolicy() },
        Route(.get, "/healthz") { _, _, _ in Health(status: "ok") },
        Route(.get, "/readyz") { handlers, _, _ in try await handlers.ready() },
        Route(.get, "/embed/comments.js") { _, _, _ in Self.commentBox },
    ]

    /// `/healthz` and `/readyz`.
    struct Health: ResponseEncodable {
        var status: String
    }

    /// The methods routed for `path` (HEAD is answered wherever GET is).
    static func allowedMethods(for path: String) -> [HTTPRequest.Method] {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        var methods: [HTTPRequest.Method] = []
        for route in routes {
            let pattern = route.path.split(separator: "/")
            guard pattern.count == segments.count,
                zip(pattern, segments).allSatisfy({ $0.first == "{" || $0 == $1 })
            else { continue }
            methods.append(route.method)
            if route.method == .get { methods.append(.head) }
        }
        return methods
    }

    func register(on router: Router<APIRequestContext>) {
        for route in Self.routes {
            router.on(RouterPath(route.path), method: route.method) { request, context in
                try await route.handle(self, request, context).response(from: request, context: context)
            }
        }
        if let article = configuration.demoArticle {
            // The script from commentd's public address: the page may be opened on another origin, as an article page is.
            let script = (configuration.readerLogin?.issuer ?? "") + "/embed/comments.js"
            router.get("/demo") { request, _ in
                Self.demoPage(article: article, script: script, korean: request.uri.queryParameters.get("lang") == "ko")
            }
        }
    }

    /// The comment box script, as embedded at build time.
    static let commentBox = Response(
        status: .ok,
        headers: [.contentType: "text/javascript; charset=utf-8", .cacheControl: "public, max-age=300", .xContentTypeOptions: "nosniff"],
        body: .init(byteBuffer: ByteBuffer(bytes: PackageResources.comments_js))
    )

    /// A demo article page with the comment box (`commentd serve --demo`): what a newsroom adds to its pages, working.
    static func demoPage(article: String, script: String, korean: Bool) -> Response {
        let title = korean ? "데모 기사: 댓글 상자" : "Demo article: the comment box"
        let text =
            korean
            ? "이 페이지는 CommentDesk 댓글 상자의 데모입니다. 신문사는 기사 페이지에 두 줄을 더하면 됩니다."
            : "This page shows CommentDesk's comment box. A newsroom adds two lines to an article page, and readers can comment."
        let html = """
            <!doctype html>
            <html lang="\(korean ? "ko" : "en")"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(title)</title><style>body{font-family:system-ui,sans-serif;max-width:42em;margin:2em auto;padding:0 1em;color:#222}</style></head>
            <body><article><h1>\(title)</h1><p>\(text)</p></article>
            <div data-commentdesk-article="\(article)"></div>
            <script src="\(script)" defer></script></body></html>
            """
        return Response(
            status: .ok,
            headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: html))
        )
    }

    // MARK: POST /v1/articles/{articleRef}/comments

    struct NewComment: Decodable {
        var body: String
        /// The published comment this one replies to (on the same article).
        var parentId: Int64?
    }

    struct Accepted: ResponseEncodable {
        var id: Int64
        var status: CommentStatus
    }

    func post(_ request: Request, _ context: APIRequestContext) async throws -> any ResponseGenerator {
        let (reader, compiled) = try await readerWhoMayComment(request, refused: refusedPost)
        let key = try idempotencyKey(request)
        guard Self.isJSON(request.headers[.contentType]) else { throw Problem.unsupportedMediaType }
        let comment = try await decodeJSON(NewComment.self, from: request, example: #"{"body": "…"}"#)
        let text = comment.body
        if let parent = comment.parentId, parent < 1 { throw Problem.badRequest("`parentId` must be a comment id (a positive integer).") }
        if let refusal = compiled.checkFormat(text) {
            refusedPost(refusal.reason)
            throw Problem.unprocessable(refusal, limits: compiled.document.limits)
        }
        let ref = try context.parameters.require("articleRef")
        guard Self.isArticleRef(ref) else { throw Problem.unknownArticle }
        let posted: ReaderComments.Posted
        do {
            posted = try await client.withConnection { connection in
                try await comments.post(
                    articleRef: ref,
                    reader: reader,
                    body: text,
                    idempotencyKey: key,
                    parentID: comment.parentId,
                    on: connection
                )
            }
        } catch let refusal as ReaderComments.Refusal {
            throw Problem.refused(refusal, counting: refusedPost)
        }
        metrics.accepted(replayed: posted.replayed)
        var headers: HTTPFields = [.location: "/v1/comments/\(posted.commentID)", .cacheControl: "no-store"]
        if posted.replayed { headers[.idempotentReplayed] = "true" }
        return EditedResponse(status: .accepted, headers: headers, response: Accepted(id: posted.commentID, status: posted.status))
    }

    private func idempotencyKey(_ request: Request) throws -> String? {
        guard let key = request.headers[.idempotencyKey] else { return nil }
        guard (1...255).contains(key.utf8.count), key.unicodeScalars.allSatisfy({ (0x21...0x7E).contains($0.value) }) else {
            throw Problem.badRequest("Idempotency-Key must be 1 to 255 visible ASCII characters.")
        }
        return key
    }

    /// The request's JSON object as `T`, or a 400/413 naming what is wrong: the member missing or of the wrong type, a
    /// member sent twice (the decoder would keep one silently: a request that says two things is refused instead).
    private func decodeJSON<T: Decodable>(_ type: T.Type, from request: Request, example: String) async throws -> T {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > configuration.maxBodyBytes { throw Problem.tooLarge }
        let buffer = try await request.body.collect(upTo: configuration.maxBodyBytes)
        let data = Data(buffer.readableBytesView)
        do {
            let value = try JSONDecoder().decode(T.self, from: data)
            if JSONMembers.hasDuplicateTopLevelKey(data) {
                throw Problem.badRequest("The JSON object has a member twice; send each once.")
            }
            return value
        } catch let problem as Problem {
            throw problem
        } catch DecodingError.keyNotFound(let key, _) {
            throw Problem.badRequest("The JSON object needs a `\(key.stringValue)` member, like \(example).")
        } catch DecodingError.typeMismatch(_, let where_) where where_.codingPath.isEmpty {
            throw Problem.badRequest("The request body must be a JSON object like \(example).")
        } catch DecodingError.typeMismatch(let type, let where_), DecodingError.valueNotFound(let type, let where_) {
            let expected = type == String.self ? "a string" : type == Int64.self ? "an integer" : "of another type"
            throw Problem.badRequest("`\(where_.codingPath.map(\.stringValue).joined(separator: "."))` must be \(expected).")
        } catch DecodingError.dataCorrupted(let where_) where !where_.codingPath.isEmpty {
            throw Problem.badRequest("`\(where_.codingPath.map(\.stringValue).joined(separator: "."))`: \(where_.debugDescription)")
        } catch {
            throw Problem.badRequest("The request body is not valid JSON.")
        }
    }

    // MARK: PATCH and DELETE /v1/comments/{id}

    struct Edited: ResponseEncodable {
        var id: Int64
        var status: CommentStatus
        /// The comment this revision replaces (now removed, kept for the audit).
        var replaces: Int64
    }

    /// The author replaces the text within the policy's edit window; the new revision is moderated like a new post.
    func edit(_ request: Request, _ context: APIRequestContext) async throws -> any ResponseGenerator {
        let (reader, compiled) = try await readerWhoMayComment(request, refused: { _ in })
        let id = try Self.commentID(context, otherwise: .commentNotFound)
        guard Self.isJSON(request.headers[.contentType]) else { throw Problem.unsupportedMediaType }
        let text = try await decodeJSON(EditedText.self, from: request, example: #"{"body": "…"}"#).body
        if let refusal = compiled.checkFormat(text) { throw Problem.unprocessable(refusal, limits: compiled.document.limits) }
        let edited: ReaderComments.Posted
        do {
            edited = try await client.withConnection { connection in
                try await comments.edit(commentID: id, reader: reader, body: text, on: connection)
            }
        } catch let refusal as ReaderComments.Refusal {
            throw Problem.refused(refusal, counting: nil)
        }
        return EditedResponse(
            status: .accepted,
            headers: [.location: "/v1/comments/\(edited.commentID)", .cacheControl: "no-store"],
            response: Edited(id: edited.commentID, status: edited.status, replaces: id)
        )
    }

    struct EditedText: Decodable {
        var body: String
    }

    /// The author removes the comment from view; deleting it again changes nothing.
    func delete(_ request: Request, _ context: APIRequestContext) async throws -> any ResponseGenerator {
        let reader = try await authenticate(request)
        let id = try Self.commentID(context, otherwise: .commentNotFound)
        do {
            try await client.withConnection { connection in try await comments.delete(commentID: id, reader: reader, on: connection) }
        } catch let refusal as ReaderComments.Refusal {
            throw Problem.refused(refusal, counting: nil)
        }
        return Response(status: .noContent, headers: [.cacheControl: "no-store"])
    }

    // MARK: /v1/me: a reader's rights

    /// Everything stored about the logged-in reader, as JSON (a download).
    func exportMine(_ request: Request, _ context: APIRequestContext) async throws -> any ResponseGenerator {
        let reader = try await authenticate(request)
        let json = try await client.withConnection { connection in try await comments.export(reader: reader, on: connection) }
        guard let json else { throw Problem(.notFound, "nothing-stored", "Nothing is stored about this login") }
        return Response(
            status: .ok,
            headers: [
                .contentType: "application/json", .cacheControl: "private, no-store",
                .contentDisposition: "attachment; filename=\"commentdesk-export.json\"",
            ],
            body: .init(byteBuffer: ByteBuffer(string: json))
        )
    }

    struct ErasureScheduled: ResponseEncodable {
        var dueAt: Date
    }

    /// The reader asks for erasure: carried out after the policy's grace period unless cancelled.
    func requestErasure(_ request: Request, _ context: APIRequestContext) async throws -> any ResponseGenerator {
        let reader = try await authenticate(request)
        do {
            let due = try await client.withConnection { connection in try await comments.requestErasure(reader: reader, on: connection) }
            return EditedResponse(status: .accepted, headers: [.cacheControl: "no-store"], response: ErasureScheduled(dueAt: due))
        } catch ReaderComments.Refusal.notYours {
            throw Problem(.notFound, "nothing-stored", "Nothing is stored about this login")
        }
    }

    func cancelErasure(_ request: Request, _ context: APIRequestContext) async throws -> any ResponseGenerator {
        let reader = try await authenticate(request)
        let cancelled = try await client.withConnection { connection in try await comments.cancelErasure(reader: reader, on: connection) }
        guard cancelled else { throw Problem(.notFound, "no-erasure-pending", "No erasure is pending for this login") }
        return Response(status: .noContent, headers: [.cacheControl: "no-store"])
    }

    // MARK: POST /v1/comments/{id}/flags

    struct NewFlag: Decodable {
        var reason: String
        var note: String?
    }

    struct FlagReceived: ResponseEncodable {
        var id: Int64
        var comment: Int64
        /// True when this reader had flagged the comment before (nothing changed).
        var repeated: Bool
        /// True when the comment is no longer shown: the readers' flags hid it until a moderator decides.
        var hidden: Bool
    }

    func flag(_ request: Request, _ context: APIRequestContext) async throws -> any ResponseGenerator {
        let (reader, _) = try await readerWhoMayComment(request, refused: metrics.flagRefused)
        let id = try Self.commentID(context, otherwise: .noPublishedComment)
        guard Self.isJSON(request.headers[.contentType]) else {
            throw Problem(
                .unsupportedMediaType,
                "unsupported-media-type",
                "Send the flag as JSON",
                detail: "Set `Content-Type: application/json` and send an object like {\"reason\": \"abusive\"}."
            )
        }
        let body = try await decodeJSON(NewFlag.self, from: request, example: #"{"reason": "abusive", "note": "…"}"#)
        guard let reason = ReaderComments.FlagReason(rawValue: body.reason) else {
            throw Problem.badRequest("`reason` must be one of: \(ReaderComments.FlagReason.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        let note = body.note?.trimmingCharacters(in: .whitespacesAndNewlines)
        if let note {
            guard note.postgresLength <= 500 else { throw Problem.badRequest("`note` is limited to 500 characters.") }
            guard !note.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && $0 != "\n" }) else {
                throw Problem.badRequest("`note` contains control characters.")
            }
        }
        let flagged: ReaderComments.Flagged
        do {
            flagged = try await client.withConnection { connection in
                try await comments.flag(commentID: id, reader: reader, reason: reason, note: note?.isEmpty == false ? note : nil, on: connection)
            }
        } catch let refusal as ReaderComments.Refusal {
            let problem = Problem.refused(refusal, counting: nil)
            metrics.flagRefused(problem.extensions.reason ?? "not_found")
            throw problem
        }
        metrics.flagged(repeated: !flagged.created)
        return EditedResponse(
            status: flagged.created ? .created : .ok,
            headers: [.cacheControl: "no-store"],
            response: FlagReceived(id: flagged.flagID, comment: id, repeated: !flagged.created, hidden: flagged.commentStatus != "approved")
        )
    }

    // MARK: GET /v1/articles/{articleRef}/comments

    struct PublishedComment: Encodable {
        var id: Int64
        var displayName: String
        var body: String
        var submittedAt: Date
        /// Top-level comments only: the number of published replies and the first of them, oldest first.
        var replyCount: Int?
        var replies: [PublishedComment]?
        /// Replies only: the comment replied to.
        var parentId: Int64?

        init(_ comment: ReaderComments.Published, topLevel: Bool) {
            id = comment.id
            displayName = comment.displayName
            body = comment.body
            submittedAt = comment.submittedAt
            replyCount = topLevel ? comment.replyCount : nil
            replies = topLevel ? comment.replies.map { PublishedComment($0, topLevel: false) } : nil
            parentId = comment.parentID
        }
    }

    struct Page: ResponseEncodable {
        var article: String
        var comments: [PublishedComment]
        /// Pass as `before` for the next (older) page; absent on the last page.
        var next: String?
    }

    func list(_ request: Request, _ context: APIRequestContext) async throws -> any ResponseGenerator {
        let ref = try context.parameters.require("articleRef")
        let query = request.uri.queryParameters
        let limit = try pageSize(request)
        var cursor: ReaderComments.Cursor?
        if let text = query["before"] {
            guard let decoded = Self.decodeCursor(String(text)) else { throw Problem.badRequest("`before` is not a cursor this API gave out.") }
            cursor = decoded
        }
        guard Self.isArticleRef(ref) else { throw Problem.unknownArticle }
        // The version is read before the page, so a page is never labelled newer than it is (a change in between gives
        // the newer page the older tag: the next request then gets the page again, never a stale 304).
        let (version, page) = try await readPublished {
            connection -> ((articleID: Int64, version: Int64, changedAt: Date)?, [ReaderComments.Published]?) in
            guard let version = try await comments.publishedVersion(articleRef: ref, on: connection) else { return (nil, nil) }
            if Self.notModified(request, etag: Self.etag(version.version), lastModified: version.changedAt) { return (version, nil) }
            return (version, try await comments.published(articleID: version.articleID, before: cursor, limit: limit, on: connection))
        }
        guard let version else { throw Problem.unknownArticle }
        var headers: HTTPFields = [
            .eTag: Self.etag(version.version),
            .lastModified: Self.httpDate(version.changedAt),
            .cacheControl: "public, max-age=\(configuration.listMaxAge), stale-while-revalidate=\(configuration.listStaleWhileRevalidate)",
            .vary: "Origin",
        ]
        guard let page else {
            headers[.contentType] = nil
            return Response(status: .notModified, headers: headers)
        }
        let next = page.count == limit ? page.last.map { Self.encodeCursor(.init(submittedAt: $0.submittedAt, id: $0.id)) } : nil
        let body = Page(
            article: ref,
            comments: page.map { PublishedComment($0, topLevel: true) },
            next: next
        )
        return EditedResponse(headers: headers, response: body)
    }

    /// A strong tag of the article's published set (the same for every page of it: each page is its own URL).
    static func etag(_ version: Int64) -> String { "\"p\(version)\"" }

    /// Whether the client's copy is current: `If-None-Match` naming the tag (or `*`), else `If-Modified-Since` no
    /// earlier than the last change (to the second, as HTTP dates go).
    static func notModified(_ request: Request, etag: String, lastModified: Date) -> Bool {
        if let tags = request.headers[.ifNoneMatch] {
            return tags.split(separator: ",").contains { tag in
                let trimmed = tag.trimmingCharacters(in: .whitespaces)
                return trimmed == "*" || (trimmed.hasPrefix("W/") ? String(trimmed.dropFirst(2)) : trimmed) == etag
            }
        }
        guard let since = request.headers[.ifModifiedSince].flatMap(parseHTTPDate) else { return false }
        return lastModified.timeIntervalSince1970.rounded(.down) <= since.timeIntervalSince1970
    }

    /// An IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT").
    static func httpDate(_ date: Date) -> String { httpDateStyle.format(date) }

    static func parseHTTPDate(_ text: String) -> Date? { try? httpDateStyle.parseStrategy.parse(text) }

    static let httpDateStyle = Date.VerbatimFormatStyle(
        format:
            "\(weekday: .abbreviated), \(day: .twoDigits) \(month: .abbreviated) \(year: .defaultDigits) \(hour: .twoDigits(clock: .twentyFourHour, hourCycle: .zeroBased)):\(minute: .twoDigits):\(second: .twoDigits) GMT",
        locale: Locale(identifier: "en_US_POSIX"),
        timeZone: .gmt,
        calendar: Calendar(identifier: .gregorian)
    )

    // MARK: GET /v1/comments/{id}/replies

    struct Replies: ResponseEncodable {
        var comment: Int64
        var replies: [PublishedComment]
        /// Pass as `after` for the next (newer) page; absent on the last page.
        var next: String?
    }

    func replies(_ request: Request, _ context: APIRequestContext) async throws -> any ResponseGenerator {
        let query = request.uri.queryParameters
        let limit = try pageSize(request)
        var cursor: ReaderComments.Cursor?
        if let text = query["after"] {
            guard let decoded = Self.decodeCursor(String(text)) else { throw Problem.badRequest("`after` is not a cursor this API gave out.") }
            cursor = decoded
        }
        let id = try Self.commentID(context, otherwise: .noPublishedComment)
        let page = try await readPublished { connection in try await comments.replies(to: id, after: cursor, limit: limit, on: connection) }
        guard let page else { throw Problem.noPublishedComment }
        let next = page.count == limit ? page.last.map { Self.encodeCursor(.init(submittedAt: $0.submittedAt, id: $0.id)) } : nil
        return EditedResponse(
            headers: [.cacheControl: "public, max-age=5"],
            response: Replies(comment: id, replies: page.map { PublishedComment($0, topLevel: false) }, next: next)
        )
    }

    /// `limit`: the configured default when absent, capped at the configured maximum.
    private func pageSize(_ request: Request) throws -> Int {
        let query = request.uri.queryParameters
        guard let text = query["limit"] else { return configuration.defaultPageSize }
        // Any positive integer is a valid limit, however many digits it has: larger ones are capped, not refused.
        let digits = text.drop { $0 == "0" }
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw Problem.badRequest("`limit` must be a positive integer.")
        }
        return min(Int(digits) ?? Int.max, configuration.maxPageSize)
    }

    /// A cursor is "<microseconds since 1970>.<comment id>" of the last comment of a page: any such pair is a valid
    /// position, so a reader (or a crawler) can never make the listing fail with one.
    static func encodeCursor(_ cursor: ReaderComments.Cursor) -> String {
        "\(Int64((cursor.submittedAt.timeIntervalSince1970 * 1_000_000).rounded())).\(cursor.id)"
    }

    static func decodeCursor(_ text: String) -> ReaderComments.Cursor? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ (1...18).contains($0.count) && $0.allSatisfy(\.isASCII) }),
            let micros = Int64(parts[0]), let id = Int64(parts[1]), micros >= 0, id >= 0
        else { return nil }
        return ReaderComments.Cursor(submittedAt: Date(timeIntervalSince1970: Double(micros) / 1_000_000), id: id)
    }

    // MARK: GET /v1/comments/{id}

    struct OwnComment: ResponseEncodable {
        var id: Int64
        var article: String
        var status: CommentStatus
        var reasons: [String]
        var submittedAt: Date
        var statusChangedAt: Date
    }

    func own(_ request: Request, _ context: APIRequestContext) async throws -> any ResponseGenerator {
        let reader = try await authenticate(request)
        let id = try Self.commentID(context, otherwise: .commentNotFound)
        let found = try await client.withConnection { connection in try await comments.own(commentID: id, reader: reader, on: connection) }
        guard let found else { throw Problem.commentNotFound }
        return EditedResponse(
            headers: [.cacheControl: "private, no-store"],
            response: OwnComment(
                id: found.id,
                article: found.articleRef,
                status: found.status,
                reasons: found.reasons,
                submittedAt: found.submittedAt,
                statusChangedAt: found.statusChangedAt
            )
        )
    }

    // MARK: GET /v1/policy

    struct PublicPolicy: ResponseEncodable {
        var version: String
        var maxCharacters: Int
        var counting: String
        var maxBytes: Int
        var loginRequired: Bool
        var providers: [String]
    }

    func publicPolicy() async throws -> EditedResponse<PublicPolicy> {
        let document = try await currentPolicy().compiled.document
        return EditedResponse(
            headers: [.cacheControl: "public, max-age=60"],
            response: PublicPolicy(
                version: document.version,
                maxCharacters: document.limits.maxCharacters,
                counting:
                    "user-perceived characters (extended grapheme clusters) of the text after Unicode NFC normalization, "
                    + "CRLF→LF and trimming leading and trailing whitespace",
                maxBytes: document.limits.maxBytes,
                loginRequired: true,
                providers: document.providers
            )
        )
    }

    // MARK: Health

    func ready() async throws -> Health {
        do {
            let pending = try await client.withConnection { connection in try await Migrator(logger: logger).pending(on: connection) }
            guard pending.isEmpty else {
                throw Problem(.serviceUnavailable, "not-ready", "Not ready", detail: "The database schema is not current: run `commentd migrate`.")
            }
            _ = try await policy.current()
        } catch let problem as Problem {
            throw problem
        } catch {
            logger.warning("not ready", metadata: ["error": "\(error)"])
            throw Problem(.serviceUnavailable, "not-ready", "Not ready", detail: "The database or the active policy cannot be reached.")
        }
        return Health(status: "ready")
    }

    // MARK: Helpers

    /// Runs a read of published comments on ``reads``, once more on a fresh connection when the first attempt lost its
    /// server (a standby stopped: the pool then connects to the next host its connection string allows, the primary)
    /// or a standby cancelled the query to replay WAL (SQLSTATE 40001). Only reads come here: repeating them is safe.
    private func readPublished<T>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await reads.withConnection(body)
        } catch let error as PostgresError where error.isConnectionLost || error.sqlState == .serializationFailure {
            logger.warning("a read of published comments failed; trying once more", metadata: ["error": "\(error)"])
            return try await reads.withConnection(body)
        }
    }

    /// The logged-in reader and the active policy, when the policy accepts the reader's login provider (posting, editing
    /// and flagging all need that); a refusal is counted with `refused`.
    private func readerWhoMayComment(
        _ request: Request,
        refused: (String) -> Void
    ) async throws -> (ReaderComments.Reader, CompiledPolicy) {
        let reader = try await authenticate(request, refused: refused)
        let compiled = try await currentPolicy().compiled
        guard compiled.allowsProvider(reader.provider) else {
            refused("provider_not_allowed")
            throw Problem.providerNotAllowed(compiled.document.providers)
        }
        return (reader, compiled)
    }

    /// The `{id}` of a comment route: a positive integer, else `otherwise` (no such comment can exist).
    static func commentID(_ context: APIRequestContext, otherwise: Problem) throws -> Int64 {
        guard let id = Int64(try context.parameters.require("id")), id > 0 else { throw otherwise }
        return id
    }

    /// The reader the request's token names; `refused` counts a missing or invalid login (for posts and flags).
    private func authenticate(_ request: Request, refused: (String) -> Void = { _ in }) async throws -> ReaderComments.Reader {
        do {
            return try await verifier.verify(authorization: request.headers[.authorization])
        } catch {
            refused("login_required")
            throw Problem.unauthorized(error)
        }
    }

    private func currentPolicy() async throws -> ActivePolicy.Loaded {
        do {
            return try await policy.current()
        } catch {
            logger.warning("no active policy available", metadata: ["error": "\(error)"])
            throw Problem.unavailable("The comment policy cannot be loaded right now.")
        }
    }

    /// Whether a Content-Type names JSON (`application/json`, any parameters, any case).
    static func isJSON(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        let mediaType = contentType.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        return mediaType == "application/json"
    }

    /// The format articles.ref allows (see sql/0001_schema.sql): anything else cannot exist, so it is not looked up.
    static func isArticleRef(_ ref: String) -> Bool {
        let scalars = Array(ref.unicodeScalars)
        guard (1...128).contains(scalars.count) else { return false }
        func alphanumeric(_ scalar: Unicode.Scalar) -> Bool { scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)) }
        return alphanumeric(scalars[0]) && scalars.dropFirst().allSatisfy { alphanumeric($0) || ".:_-".unicodeScalars.contains($0) }
    }
}

extension HTTPField.Name {
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    static let idempotentReplayed = HTTPField.Name("Idempotent-Replayed")!
}

extension Problem {
    static let unknownArticle = Problem(.notFound, "unknown-article", "No such article", detail: "Comments cannot be posted or read here.")
    static let commentNotFound = Problem(.notFound, "not-found", "No such comment of yours")
    static let tooLarge = Problem(.contentTooLarge, "too-large", "The request is too large", detail: "A comment request is a small JSON object.")
    static let unsupportedMediaType = Problem(
        .unsupportedMediaType,
        "unsupported-media-type",
        "Send the comment as JSON",
        detail: "Set `Content-Type: application/json` and send an object like {\"body\": \"…\"}."
    )

    static func unprocessable(_ refusal: FormatRefusal, limits: Limits) -> Problem {
        var problem: Problem
        switch refusal.problem {
        case .empty:
            problem = Problem(.unprocessableContent, "empty", "The comment is empty", detail: "Write something before posting.")
        case .tooLong:
            problem = Problem(
                .unprocessableContent,
                "too-long",
                "The comment is too long",
                detail: "It has \(refusal.characters) characters; the limit is \(limits.maxCharacters)."
            )
        case .tooManyBytes:
            // Only a policy whose max_bytes is smaller than the characters it allows need (the loader refuses those) or
            // a text of far too many characters gets here: it says bytes, not characters.
            problem = Problem(
                .unprocessableContent,
                "too-many-bytes",
                "The comment is too large",
                detail: "It takes \(refusal.bytes) bytes; the limit is \(limits.maxBytes)."
            )
            problem.extensions.bytes = refusal.bytes
            problem.extensions.maxBytes = limits.maxBytes
        case .controlCharacters:
            problem = Problem(
                .unprocessableContent,
                "malformed",
                "The comment contains characters that cannot be posted",
                detail: "Remove control characters (such as NUL) from the text."
            )
        case .bidiControls:
            problem = Problem(
                .unprocessableContent,
                "malformed",
                "The comment contains characters that cannot be posted",
                detail: "Remove bidirectional control characters (U+202A–202E, U+2066–2069) from the text."
            )
        case .combiningOverload:
            problem = Problem(
                .unprocessableContent,
                "malformed",
                "The comment contains characters that cannot be posted",
                detail: "A character carries too many combining marks."
            )
        }
        problem.extensions.reason = refusal.reason
        problem.extensions.characters = refusal.characters
        problem.extensions.maxCharacters = limits.maxCharacters
        return problem
    }

    static let noPublishedComment = Problem(.notFound, "not-found", "No such published comment")

    static func providerNotAllowed(_ providers: [String]) -> Problem {
        var problem = Problem(
            .forbidden,
            "provider-not-allowed",
            "This login cannot be used to comment",
            detail: "Log in with one of: \(providers.joined(separator: ", "))."
        )
        problem.extensions.reason = "provider_not_allowed"
        return problem
    }

    /// `counting`: where a refused post is counted (nil: the caller counts it, or it is not a post).
    static func refused(_ refusal: ReaderComments.Refusal, counting: ((String) -> Void)?) -> Problem {
        var problem: Problem
        switch refusal {
        case .unknownArticle:
            problem = .unknownArticle
            counting?("unknown_article")
        case .commentsClosed:
            problem = Problem(.conflict, "article-closed", "Comments are closed on this article")
            problem.extensions.reason = "article_closed"
        case .accountBanned:
            problem = Problem(.forbidden, "account-banned", "This account may not comment", detail: "The account is banned.")
            problem.extensions.reason = "account_banned"
        case .accountSuspended(let until):
            problem = Problem(
                .forbidden,
                "account-suspended",
                "This account may not comment for now",
                detail: until.map { "The account is suspended until \($0)." } ?? "The account is suspended."
            )
            problem.extensions.reason = "account_suspended"
            problem.extensions.suspendedUntil = until
        case .tooManyPosts(let seconds):
            problem = Problem(.tooManyRequests, "too-many-posts", "Too many comments in a short time", detail: "Try again in \(seconds) s.")
            problem.extensions.reason = "rate_limited"
            problem.extensions.retryAfterSeconds = seconds
            problem.headers[.retryAfter] = "\(seconds)"
        case .idempotencyKeyReused:
            problem = Problem(
                .unprocessableContent,
                "idempotency-key-reused",
                "This Idempotency-Key belongs to another comment",
                detail: "A retry must repeat the same article and text; use a new key for a new comment."
            )
            problem.extensions.reason = "idempotency_key_reused"
        case .notFlaggable:
            problem = .noPublishedComment
        case .ownComment:
            problem = Problem(.forbidden, "own-comment", "You cannot report your own comment")
            problem.extensions.reason = "own_comment"
        case .notYours:
            problem = .commentNotFound
        case .replaced(let by):
            problem = Problem(
                .conflict,
                "comment-replaced",
                "This comment was edited or deleted",
                detail: by.map { "It was replaced by comment \($0); edit that one." } ?? "It was deleted."
            )
            problem.extensions.reason = "comment_replaced"
            problem.extensions.replacedBy = by
        case .editWindowPassed:
            problem = Problem(
                .conflict,
                "edit-window-passed",
                "This comment can no longer be edited",
                detail: "Comments can be edited for a short while after posting; it can still be deleted."
            )
            problem.extensions.reason = "edit_window_passed"
        case .parentUnavailable:
            problem = Problem(
                .unprocessableContent,
                "reply-parent-unavailable",
                "The comment you reply to is not shown",
                detail: "Replies go to published comments of the same article; this one is not (or no longer) published."
            )
            problem.extensions.reason = "reply_parent_unavailable"
        case .tooManyFlags(let seconds):
            problem = Problem(.tooManyRequests, "too-many-flags", "Too many reports in a short time", detail: "Try again in \(seconds) s.")
            problem.extensions.reason = "flags_rate_limited"
            problem.extensions.retryAfterSeconds = seconds
            problem.headers[.retryAfter] = "\(seconds)"
        }
        if let reason = problem.extensions.reason { counting?(reason) }
        return problem
    }
}
