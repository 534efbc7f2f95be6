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

#if canImport(Glibc)
import Glibc
#endif

/// `commentd dev-token` makes only tokens `commentd serve` accepts: a lifetime beyond the maximum is refused up front.
@Suite("commentd dev-token", .timeLimit(.minutes(5)))
struct DevTokenProcessTests {
    @Test func aLifetimeBeyondTheMaximumIsRefused() async throws {
        let environment = [
            "COMMENTD_JWT_SECRET": TestLogin.secret, "COMMENTD_JWT_ISSUER": TestLogin.issuer, "COMMENTD_JWT_AUDIENCE": TestLogin.audience,
        ]
        let long = try spawnCommentd(
            ["dev-token", "--ttl", "100000"],
            environment: environment,
            logName: "dev-token-long-\(UUID().uuidString.prefix(8))"
        )
        #expect(await long.wait() != 0)
        #expect(long.output.contains("COMMENTD_JWT_MAX_LIFETIME_SECONDS"), "\(long.output)")
        let day = try spawnCommentd(
            ["dev-token", "--ttl", "86400"],
            environment: environment,
            logName: "dev-token-day-\(UUID().uuidString.prefix(8))"
        )
        #expect(await day.wait() == 0)
        // The token is a line of its own (standard error, which may carry log lines, goes to the same file).
        let tokens = day.output.split(whereSeparator: \.isNewline).filter { $0.hasPrefix("eyJ") && $0.split(separator: ".").count == 3 }
        #expect(tokens.count == 1, "\(day.output)")
    }
}
