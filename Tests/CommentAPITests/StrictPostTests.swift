import CommentAPI
import CommentStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import PostgresLibPQ
import PostgresTestSupport
import StandardsPolicy
import Testing

/// What a POST must be, and what its answer carries (issue 15, items 8, 9, 11, 12 and 13).
@Suite("Strict posts", .timeLimit(.minutes(5)))
struct StrictPostTests {
    static let key = HTTPField.Name("Idempotency-Key")!

    @Test func anIdempotencyKeyReusedForAnotherRequestGets422() async throws {
        try await withAPI { api in
            let token = try await TestLogin.token()
            try await api.db.query("SELECT register_article('a-2', NULL, 'Other', now())")
            let first = try await api.post(body: "first text", token: token, headers: [Self.key: "k-1"])
            #expect(first.status == .accepted)
            let otherText = try await api.post(body: "another text", token: token, headers: [Self.key: "k-1"])
            #expect(otherText.status == .unprocessableContent, "\(otherText.text)")
            #expect(otherText.json["reason"] as? String == "idempotency_key_reused")
            let otherArticle = try await api.post("a-2", body: "first text", token: token, headers: [Self.key: "k-1"])
            #expect(otherArticle.status == .unprocessableContent, "\(otherArticle.text)")
            // The same request again is still a replay of the first comment.
            let again = try await api.post(body: "first text", token: token, headers: [Self.key: "k-1"])
            #expect(again.status == .accepted)
            #expect(again.json["id"] as? Int == first.json["id"] as? Int)
            #expect(try await api.db.count("SELECT count(*) FROM comments") == 1)
        }
    }

    @Test func headIsAnsweredWhereverGetIs() async throws {
        try await withAPI { api in
            for uri in ["/v1/policy", "/v1/articles/a-1/comments", "/healthz"] {
                let get = try await api.client.execute(uri: uri, method: .get)
                let head = try await api.client.execute(uri: uri, method: .head)
                #expect(head.status == get.status, "\(uri)")
                #expect(head.body.readableBytes == 0, "\(uri)")
                #expect(head.headers[.contentType] == get.headers[.contentType], "\(uri)")
            }
        }
    }

    @Test func aPostMustBeOneJSONObjectWithOneBody() async throws {
        try await withAPI { api in
            let token = try await TestLogin.token()
            let noType = try await api.client.execute(
                uri: "/v1/articles/a-1/comments",
                method: .post,
                headers: [.authorization: "Bearer \(token)"],
                body: ByteBuffer(string: #"{"body": "no content type"}"#)
            )
            #expect(noType.status == .unsupportedMediaType)
            let form = try await api.client.execute(
                uri: "/v1/articles/a-1/comments",
                method: .post,
                headers: [.authorization: "Bearer \(token)", .contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "body=hello")
            )
            #expect(form.status == .unsupportedMediaType)
            for json in [#"{"body": "approved text", "body": "smuggled text"}"#, #"{"body": "a", "b\u006fdy": "b"}"#] {
                let twice = try await api.post(json: json, token: token)
                #expect(twice.status == .badRequest, "\(json): \(twice.text)")
            }
            // Nested objects may repeat names of the top level: only the top level is the request.
            let charset = try await api.client.execute(
                uri: "/v1/articles/a-1/comments",
                method: .post,
                headers: [.authorization: "Bearer \(token)", .contentType: "Application/JSON; charset=utf-8"],
                body: ByteBuffer(string: #"{"body": "with a charset", "meta": {"body": 1}}"#)
            )
            #expect(charset.status == .accepted, "\(charset.text)")
            #expect(charset.headers[.cacheControl] == "no-store")
            #expect(charset.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
            #expect(try await api.db.count("SELECT count(*) FROM comments") == 1)
        }
    }

    /// 250 of the longest emoji sequences the count allows are 250 characters, and fit.
    @Test func twoHundredFiftyLongEmojiSequencesAreAccepted() async throws {
        try await withAPI { api in
            let family = "👨‍👩‍👧‍👦"  // 7 scalars, 25 bytes
            let text = String(repeating: family, count: 250)
            let response = try await api.post(body: text, token: try await TestLogin.token())
            #expect(response.status == .accepted, "\(response.text)")
            let over = try await api.post(body: text + family, token: try await TestLogin.token(subject: "reader-2"))
            #expect(over.status == .unprocessableContent)
            #expect(over.json["reason"] as? String == "too_long")
            #expect(over.json["characters"] as? Int == 251)
        }
    }

    @Test func bidirectionalOverridesAreRefused() async throws {
        try await withAPI { api in
            for control in ["\u{202E}", "\u{202A}", "\u{2066}", "\u{2069}"] {
                let response = try await api.post(body: "abc \(control)txe.exe", token: try await TestLogin.token())
                #expect(response.status == .unprocessableContent, "\(response.text)")
                #expect(response.json["reason"] as? String == "malformed")
            }
            // Marks that readers of Arabic or Hebrew type (LRM, RLM) are not overrides.
            #expect(try await api.post(body: "שלום\u{200F} world", token: try await TestLogin.token()).status == .accepted)
        }
    }
}
