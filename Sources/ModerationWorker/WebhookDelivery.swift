public import AsyncHTTPClient
public import CommentStore
import Crypto
public import Foundation
public import Logging
public import NIOCore
import NIOHTTP1
public import PostgresLibPQ

/// Delivers the webhook outbox (sql/0012_webhooks.sql): each due event is POSTed to its endpoint, signed, and marked
/// delivered on a 2xx answer; otherwise it is tried again after ``Backoff/webhook`` (5 s, 10 s, 20 s … at most an hour),
/// and given up after `maxAttempts`. At least once: a receiver de-duplicates on `CommentDesk-Event-Id`.
///
/// The signature is `CommentDesk-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the endpoint's
/// secret>`, so a receiver can check both the sender and the freshness (see ``WebhookSignature``).
public struct WebhookDelivery: Sendable {
    public var maxAttempts: Int
    public var timeout: TimeAmount
    public var backoff: Backoff
    let http: HTTPClient

    /// - Parameter backoff: the wait before a failed delivery is tried again (``Backoff/webhook``).
    public init(http: HTTPClient = .shared, maxAttempts: Int = 12, timeout: TimeAmount = .seconds(10), backoff: Backoff = .webhook) {
        self.http = http
        self.maxAttempts = maxAttempts
        self.timeout = timeout
        self.backoff = backoff
    }

    /// Delivers up to `limit` due events; returns how many were delivered now.
    public func deliverDue(limit: Int, client: PostgresClient, logger: Logger, now: @Sendable () -> Date = Date.init) async throws -> Int {
        let leaseSeconds = Int(timeout.nanoseconds / 1_000_000_000) * 2 + 5
        let webhooks = Webhooks()
        let due = try await client.withConnection { try await webhooks.claimDue(limit: limit, leaseSeconds: leaseSeconds, on: $0) }
        var delivered = 0
        for delivery in due {
            let (url, secret, eventID, payload, attempts) = (delivery.url, delivery.secret, delivery.eventID, delivery.payload, delivery.attempts)
            var request = HTTPClientRequest(url: url)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "User-Agent", value: "CommentDesk-Webhooks")
            request.headers.add(name: "CommentDesk-Event-Id", value: eventID.uuidString.lowercased())
            request.headers.add(name: "CommentDesk-Signature", value: WebhookSignature.header(body: payload, secret: secret, at: now()))
            request.body = .bytes(ByteBuffer(string: payload))
            var failure: String?
            do {
                let response = try await http.execute(request, timeout: timeout)
                if !(200..<300).contains(response.status.code) { failure = "answered \(response.status.code)" }
            } catch {
                failure = "\(error)"
            }
            let retry: Int? =
                failure == nil || attempts >= maxAttempts ? nil : Int(backoff.delay(afterFailures: attempts).seconds.rounded(.up))
            try await client.withConnection { try await webhooks.finish(delivery.outboxID, failure: failure, retrySeconds: retry, on: $0) }
            if let failure {
                logger.warning(
                    retry == nil ? "webhook given up" : "webhook delivery failed; will retry",
                    metadata: [
                        "endpoint": "\(URL(string: url)?.host ?? "?")", "event": "\(eventID)", "attempt": "\(attempts)", "error": "\(failure)",
                    ]
                )
            } else {
                delivered += 1
            }
        }
        return delivered
    }
}

/// The `CommentDesk-Signature` header: how it is made, and how a receiver checks it.
public enum WebhookSignature {
    public static func header(body: String, secret: String, at date: Date) -> String {
        let timestamp = Int(date.timeIntervalSince1970)
        return "t=\(timestamp),v1=\(hex(body: body, secret: secret, timestamp: timestamp))"
    }

    static func hex(body: String, secret: String, timestamp: Int) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(timestamp).\(body)".utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return mac.map { String(format: "%02x", $0) }.joined()
    }

    /// Whether `header` signs `body` with `secret` within `tolerance` seconds of `now` (constant-time comparison).
    public static func verify(header: String, body: String, secret: String, now: Date = Date(), tolerance: Double = 300) -> Bool {
        var timestamp: Int?
        var signature: String?
        for part in header.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2 else { continue }
            if pair[0] == "t" { timestamp = Int(pair[1]) }
            if pair[0] == "v1" { signature = pair[1] }
        }
        guard let timestamp, let signature, abs(now.timeIntervalSince1970 - Double(timestamp)) <= tolerance else { return false }
        let expected = Array(hex(body: body, secret: secret, timestamp: timestamp).utf8)
        let given = Array(signature.utf8)
        guard expected.count == given.count else { return false }
        return zip(expected, given).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
