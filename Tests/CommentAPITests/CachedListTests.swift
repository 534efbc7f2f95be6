import CommentAPI
import CommentStore
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import PostgresLibPQ
import PostgresTestSupport
import Testing

/// An article's comment list is cacheable: a strong ETag and Last-Modified that change only when the published set
/// does, 304 to a conditional request, and the configured Cache-Control.
@Suite("Cacheable comment lists", .timeLimit(.minutes(2)))
struct CachedListTests {
    static let list = "/v1/articles/a-1/comments"

    static func get(_ api: APIHarness, _ headers: HTTPFields = [:]) async throws -> TestResponse {
        try await api.client.execute(uri: list, method: .get, headers: headers)
    }

    static func version(_ api: APIHarness) async throws -> Int {
        try await api.db.count("SELECT published_version FROM articles WHERE ref = 'a-1'")
    }

    @Test func theTagChangesOnlyWhenThePublishedSetDoes() async throws {
        var configuration = APIConfiguration(port: 0, requestReadTimeout: .seconds(120))
        configuration.listMaxAge = 7
        configuration.listStaleWhileRevalidate = 60
        try await withAPI(configuration: configuration) { api in
            let first = try await Self.get(api)
            #expect(first.status == .ok)
            let tag = try #require(first.headers[.eTag])
            #expect(tag.hasPrefix("\"") && tag.hasSuffix("\""), "a strong tag")
            #expect(first.headers[.cacheControl] == "public, max-age=7, stale-while-revalidate=60")
            let lastModified = try #require(first.headers[.lastModified])
            #expect(lastModified.hasSuffix(" GMT"))

            // The client's copy is current: 304, no body, the same validators.
            let again = try await Self.get(api, [.ifNoneMatch: tag])
            #expect(again.status == .notModified && again.body.readableBytes == 0)
            #expect(again.headers[.eTag] == tag && again.headers[.cacheControl] == first.headers[.cacheControl])
            #expect(try await Self.get(api, [.ifNoneMatch: "\"other\", W/\(tag)"]).status == .notModified, "a list, weakly compared")
            #expect(try await Self.get(api, [.ifModifiedSince: lastModified]).status == .notModified)
            #expect(try await Self.get(api, [.ifModifiedSince: "Mon, 01 Jan 2024 00:00:00 GMT"]).status == .ok)

            // A post waits for the worker: nothing published, nothing changed.
            let token = try await TestLogin.token()
            let posted = try await api.post(body: "first words", token: token)
            let id = try #require(posted.json["id"] as? Int)
            #expect(try await Self.get(api, [.ifNoneMatch: tag]).status == .notModified)
            // Rejected: still nothing published.
            let rejected = try #require(try await api.post(body: "rude words", token: token).json["id"] as? Int)
            try await api.db.query("UPDATE comments SET status = 'rejected' WHERE id = \(rejected)")
            #expect(try await Self.get(api, [.ifNoneMatch: tag]).status == .notModified)

            // Published: a new tag, and the comment in the body.
            try await api.db.query("UPDATE comments SET status = 'approved' WHERE id = \(id)")
            let published = try await Self.get(api, [.ifNoneMatch: tag])
            #expect(published.status == .ok && published.text.contains("first words"))
            let newTag = try #require(published.headers[.eTag])
            #expect(newTag != tag)

            // Its author's new display name shows beside it: a new tag again.
            try await api.db.query("UPDATE accounts SET display_name = 'Renamed Reader' WHERE provider_subject = 'reader-1'")
            let renamed = try await Self.get(api, [.ifNoneMatch: newTag])
            #expect(renamed.status == .ok && renamed.text.contains("Renamed Reader"), "\(renamed.text)")

            // Removing it changes the set; an unknown article is still a 404.
            let before = try await Self.version(api)
            try await api.db.query("UPDATE comments SET status = 'removed' WHERE id = \(id)")
            #expect(try await Self.version(api) == before + 1)
            #expect(try await api.get("/v1/articles/no-such/comments", token: nil).status == .notFound)
        }
    }

    @Test func aBatchBumpsItsArticleOnceAndRepliesCount() async throws {
        try await withAPI { api in
            let token = try await TestLogin.token()
            var ids: [Int] = []
            for text in ["one", "two", "three"] { ids.append(try #require(try await api.post(body: text, token: token).json["id"] as? Int)) }
            let before = try await Self.version(api)
            try await api.db.query("UPDATE comments SET status = 'approved' WHERE id = ANY(\(ids.map(Int64.init))::bigint[])")
            #expect(try await Self.version(api) == before + 1, "one statement, one bump")
            // A reply published under one of them shows in the list (its count and first replies): a bump.
            let reply = try await api.post(
                json: #"{"body": "a reply", "parentId": \#(ids[0])}"#,
                token: try await TestLogin.token(subject: "reader-2")
            )
            let replyID = try #require(reply.json["id"] as? Int, "\(reply.text)")
            try await api.db.query("UPDATE comments SET status = 'approved' WHERE id = \(replyID)")
            #expect(try await Self.version(api) == before + 2)
            // Changing what no list shows (a held comment's reasons) leaves the tag alone.
            try await api.db.query("UPDATE comments SET reasons = '{link}' WHERE id = \(ids[1])")
            #expect(try await Self.version(api) == before + 2)
        }
    }
}
