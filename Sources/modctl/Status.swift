import ArgumentParser
import Foundation
import PostgresLibPQ

/// `modctl status`: how much is waiting, for whom.
struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show the queue and the comments waiting for moderators.")

    @Flag(help: "Print JSON for scripts.")
    var json = false

    func run() async throws {
        let row = try await withDatabase { connection in
            try await connection.query(
                """
                SELECT (SELECT count(*) FROM comment_queue WHERE state = 'ready'),
                       (SELECT count(*) FROM comment_queue WHERE state = 'running'),
                       (SELECT count(*) FROM comment_queue WHERE state = 'dead'),
                       (SELECT count(*) FROM comments WHERE status = 'held'),
                       (SELECT extract(epoch FROM now() - min(submitted_at))::bigint FROM comments WHERE status = 'held')
                """
            ).single()
        }
        let (ready, running, dead, held, oldestHeld) = try row.decode((Int, Int, Int, Int, Int?).self)
        if json {
            let object: [String: Int?] = ["queued": ready, "in_progress": running, "failed": dead, "held": held, "oldest_held_seconds": oldestHeld]
            let data = try JSONSerialization.data(withJSONObject: object.mapValues { $0 ?? NSNull() as Any }, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print("queued for the worker: \(ready)")
            print("being decided:         \(running)")
            print("failed processing:     \(dead)")
            print("held for moderators:   \(held)" + (oldestHeld.map { " (oldest \($0 / 60) min)" } ?? ""))
        }
    }
}
