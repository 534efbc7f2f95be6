import CommentStore
import StandardsPolicy
import Testing

/// The one retry schedule: doubling from the first delay, capped, with the jitter taking at most its share.
@Suite
struct BackoffTests {
    @Test func delaysDoubleUpToTheCap() {
        let backoff = Backoff(first: .seconds(2), cap: .seconds(60))
        #expect((1...7).map { backoff.ceiling(afterFailures: $0) } == [2, 4, 8, 16, 32, 60, 60].map { Duration.seconds($0) })
        #expect(backoff.ceiling(afterFailures: 0) == .seconds(2), "no failure yet reads as the first")
        #expect(backoff.ceiling(afterFailures: 10_000) == .seconds(60), "no overflow however many failures")
        #expect(backoff.seconds(upTo: 3) == [2, 4, 8])
        #expect(Backoff.webhook.seconds(upTo: 3) == [5, 10, 20])
        #expect(Backoff.queueRetry.ceiling(afterFailures: 20) == .seconds(300))
    }

    @Test func jitterStaysWithinItsShare() {
        let backoff = Backoff(first: .seconds(10), cap: .seconds(10), jitter: 0.5)
        var generator = SeededGenerator(state: 17)
        let delays = (0..<500).map { _ in backoff.delay(afterFailures: 1, using: &generator).seconds }
        #expect(delays.allSatisfy { (5...10).contains($0) }, "\(delays.min() ?? 0)…\(delays.max() ?? 0)")
        #expect(delays.max()! - delays.min()! > 4, "the jitter spreads the retries")
        var again = SeededGenerator(state: 17)
        #expect(backoff.delay(afterFailures: 1, using: &again).seconds == delays[0], "a seed gives the same delays")
        #expect(Backoff(first: .seconds(3), cap: .seconds(3), jitter: 0).delay(afterFailures: 4) == .seconds(3))
    }
}
