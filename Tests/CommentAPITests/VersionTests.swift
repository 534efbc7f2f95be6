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

@Suite("--version", .timeLimit(.minutes(5)))
struct VersionTests {
    /// Both binaries name the schema they migrate to and the policy they seed, so an operator can tell a binary from
    /// the database it meets.
    @Test func bothBinariesSayWhatTheyWorkWith() async throws {
        let expected =
            "database schema \(Migration.all.last!.version), default policy \(try CompiledPolicy.standardsBoard().version)"
        let commentd = try spawnCommentd(["--version"], environment: [:], logName: "version-\(UUID().uuidString.prefix(8))")
        #expect(await commentd.wait() == 0)
        #expect(commentd.output.contains(expected), "\(commentd.output)")
        let modctl = try await runModctl(["--version"], databaseURL: "")
        #expect(modctl.code == 0)
        #expect(modctl.stdout.contains(expected), "\(modctl.stdout)")
    }
}
