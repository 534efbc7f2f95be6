import CommentStore
import Foundation
import Logging
import PostgresLibPQ
import Synchronization

/// Posts refused before anything was stored, counted here per reason and added to `refused_posts` every few seconds
/// by ``RefusalFlusher``, so the Board's report can say what readers were turned away from. Only counts: no text, no
/// reader.
final class RefusalTally: Sendable {
    private let counts = Mutex<[String: Int]>([:])

    func add(_ reason: String) { counts.withLock { $0[reason, default: 0] += 1 } }

    /// The counts so far, and zero from now on.
    func take() -> [String: Int] {
        counts.withLock { counts in
            let taken = counts
            counts = [:]
            return taken
        }
    }

    /// Puts back counts that could not be stored, to be tried with the next ones.
    func putBack(_ taken: [String: Int]) { counts.withLock { for (reason, n) in taken { $0[reason, default: 0] += n } } }
}

/// Stores the tally; run every few seconds and once more at shutdown (``periodic(every:)``). A database that cannot be
/// reached keeps the counts for the next try (a crash loses at most one interval's counts, never a comment).
struct RefusalFlusher: Sendable {
    let tally: RefusalTally
    let client: PostgresClient
    let logger: Logger

    func periodic(every interval: Duration) -> Periodic {
        Periodic(interval: interval, work: flush, last: flush)
    }

    func flush() async {
        let counts = tally.take()
        guard !counts.isEmpty else { return }
        do {
            try await client.withConnection { try await RefusedPosts().record(counts, at: Date(), on: $0) }
        } catch {
            tally.putBack(counts)
            logger.warning("cannot store the refused posts' counts yet; keeping them", metadata: ["error": "\(error)"])
        }
    }
}
