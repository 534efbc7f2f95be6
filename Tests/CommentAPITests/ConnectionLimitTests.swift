import CommentAPI
import Foundation
import HTTPTypes
import HummingbirdTesting
import PostgresTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Clients that open connections and never finish a request (issue 15, item 5): each is cut off after the read
/// timeout, and while they wait the server still answers others within its connection cap.
@Suite("Slow and idle clients", .timeLimit(.minutes(1)))
struct ConnectionLimitTests {
    /// A TCP connection to 127.0.0.1:`port` that sent `bytes`; nil if it could not connect.
    static func halfSent(port: Int, _ bytes: String) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(fd >= 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(connected == 0)
        _ = bytes.withCString { send(fd, $0, strlen($0), 0) }
        return fd
    }

    /// Runs a blocking socket read on a thread of its own. On the concurrency pool (two threads on a 2-core machine) two
    /// such reads of up to 20 s each stalled every other test in the process, the API servers under test included: the
    /// server could not answer the very reads that waited for it.
    static func blocking<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: work()) }.start()
        }
    }

    /// Seconds until the server closes `fd` (a read returns 0 or fails), waiting at most `limit`; nil if it stays open.
    static func secondsUntilClosed(_ fd: Int32, limit: Int) -> Double? {
        var timeout = timeval(tv_sec: limit, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let start = ContinuousClock.now
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count == 0 || (count < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
                let elapsed = ContinuousClock.now - start
                return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            }
            if count < 0 { return nil }  // timed out: still open
        }
    }

    /// Everything the server sends on `fd` until it closes it (or `limit` seconds pass).
    static func readUntilClosed(_ fd: Int32, limit: Int) -> String {
        var timeout = timeval(tv_sec: limit, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count <= 0 { break }
            received += buffer[0..<count]
        }
        return String(decoding: received, as: UTF8.self)
    }

    @Test func aHalfSentRequestIsCutOffAndOthersAreServed() async throws {
        let configuration = APIConfiguration(idleTimeout: .seconds(30), requestReadTimeout: .seconds(1), maxConnections: 4)
        try await withAPI(configuration: configuration) { api in
            let port = try #require(api.client.port)
            // Half a head, a head without its body, and nothing at all: more of them than the connection cap.
            var sockets: [Int32] = []
            sockets.append(try Self.halfSent(port: port, "POST /v1/articles/a-1/comments HTTP/1.1\r\nHost: x\r\n"))
            sockets.append(
                try Self.halfSent(
                    port: port,
                    "POST /v1/articles/a-1/comments HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"bo"
                )
            )
            for _ in 0..<4 { sockets.append(try Self.halfSent(port: port, "")) }
            defer { for fd in sockets { close(fd) } }
            for fd in sockets {
                let closedAfter = await Self.blocking { Self.secondsUntilClosed(fd, limit: 20) }
                #expect(closedAfter != nil, "a half-sent request is held open")
            }
            // Nothing half-sent was stored, and a whole request on a new connection is answered. (The test client's own
            // connection, opened at the start and unused since, was cut off too: that is the read timeout at work.)
            #expect(try await api.writes() == [0, 0, 0])
            // The whole request is in the socket the moment it connects, so the server finds all of it when it accepts,
            // however loaded the machine is (a client that connects and writes a second later is cut off, rightly).
            let body = #"{"body":"a whole request"}"#
            let whole = try Self.halfSent(
                port: port,
                "POST /v1/articles/a-1/comments HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\n"
                    + "Authorization: Bearer \(try await TestLogin.token())\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
            )
            defer { close(whole) }
            let answer = await Self.blocking { Self.readUntilClosed(whole, limit: 20) }
            #expect(answer.hasPrefix("HTTP/1.1 202"), "\(answer.prefix(200))")
        }
    }

    /// One HTTP response read from `fd` (head and a `Content-Length` body), or what arrived before `limit` seconds.
    static func readResponse(_ fd: Int32, limit: Int) -> String {
        var timeout = timeval(tv_sec: limit, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let text = String(decoding: received, as: UTF8.self)
            if let end = text.range(of: "\r\n\r\n") {
                let head = text[..<end.lowerBound].lowercased()
                let length =
                    head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
                if text[end.upperBound...].utf8.count >= length { return text }
            }
            let count = recv(fd, &buffer, buffer.count, 0)
            if count <= 0 { return text }
            received += buffer[0..<count]
        }
    }

    /// A connection that finished its request stays open for the next one until the idle timeout, not the read timeout.
    /// On a raw socket that sends its first request as it connects, so only the wait between requests is measured.
    @Test func aKeptAliveConnectionOutlivesTheReadTimeout() async throws {
        let configuration = APIConfiguration(idleTimeout: .seconds(30), requestReadTimeout: .seconds(1))
        try await withAPI(configuration: configuration) { api in
            let port = try #require(api.client.port)
            let request = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
            let fd = try Self.halfSent(port: port, request)
            defer { close(fd) }
            let first = await Self.blocking { Self.readResponse(fd, limit: 20) }
            #expect(first.hasPrefix("HTTP/1.1 200"))
            try await Task.sleep(for: .seconds(2))
            _ = request.withCString { send(fd, $0, strlen($0), 0) }
            let second = await Self.blocking { Self.readResponse(fd, limit: 20) }
            #expect(second.hasPrefix("HTTP/1.1 200"), "the kept-alive connection was closed: \(second.prefix(100))")
        }
    }
}
