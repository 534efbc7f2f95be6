import ArgumentParser
import CommentStore
import PostgresLibPQ

/// `modctl status`: how much is waiting, for whom.
struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show the queue and the comments waiting for moderators.")

    @Flag(help: "Print JSON for scripts.")
    var json = false

    func run() async throws {
        let (depth, held) = try await withDatabase { connection in
            (try await ModerationQueue().depth(on: connection), try await Moderation().heldSummary(on: connection))
        }
        let (ready, running, dead, oldestHeld) = (depth.ready, depth.running, depth.dead, held.oldestSeconds)
        let heldCount = held.count
        if json {
            try printJSON(
                StatusFigures(queued: ready, inProgress: running, failed: dead, held: heldCount, oldestHeldSeconds: oldestHeld)
            )
        } else {
            print("queued for the worker: \(ready)")
            print("being decided:         \(running)")
            print("failed processing:     \(dead)")
            print("held for moderators:   \(heldCount)" + (oldestHeld.map { " (oldest \($0 / 60) min)" } ?? ""))
        }
    }
}

/// `modctl status --json` (keys as scripts have read them since the first release).
struct StatusFigures: Encodable {
    var queued: Int
    var inProgress: Int
    var failed: Int
    var held: Int
    var oldestHeldSeconds: Int?

    enum CodingKeys: String, CodingKey {
        case queued, failed, held
        case inProgress = "in_progress"
        case oldestHeldSeconds = "oldest_held_seconds"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(queued, forKey: .queued)
        try container.encode(inProgress, forKey: .inProgress)
        try container.encode(failed, forKey: .failed)
        try container.encode(held, forKey: .held)
        // An explicit null when nothing is held, as before.
        try container.encode(oldestHeldSeconds, forKey: .oldestHeldSeconds)
    }
}
