import CommentStore
import Foundation
import PostgresLibPQ
import PostgresTestSupport
import StandardsPolicy
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif

/// A worker id that no decision could carry stops the worker at startup with a clear message, before it claims anything
/// (issue 15, item 6): claimed comments would otherwise fail every write and stall until their leases ran out.
@Suite(.timeLimit(.minutes(2)))
struct WorkerIDTests {
    @Test(arguments: ["", String(repeating: "w", count: 201), "tab\there"])
    func anUnusableWorkerIDIsRefusedAtStartup(_ id: String) async throws {
        try await Harness.with("worker-id") { harness in
            try await harness.seed(3)
            let child = try spawnCommentd(["work", "--worker-id", id], environment: ["DATABASE_URL": harness.url], logName: "bad-id")
            let code = await child.wait()
            #expect(code != 0)
            #expect(child.output.contains("worker id"), "\(child.output)")
            #expect(try await harness.client.count("SELECT count(*) FROM comment_queue WHERE state <> 'ready'") == 0)
        }
    }
}
