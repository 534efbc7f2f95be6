/// Exponential backoff with jitter: the project's one retry schedule, with a setting per use. Swift computes the
/// delays; SQL that gives many rows back at once receives the schedule (``seconds``) and draws only the jitter.
public struct Backoff: Sendable, Equatable {
    /// The delay after the first failure; each further failure doubles it, up to `cap`.
    public var first: Duration
    public var cap: Duration
    /// The share of a delay that is random: a delay is drawn from [(1 − jitter) × d, d], so that many retries that
    /// failed together do not return together.
    public var jitter: Double

    public init(first: Duration, cap: Duration, jitter: Double = 0.5) {
        self.first = first
        self.cap = cap
        self.jitter = min(max(jitter, 0), 1)
    }

    /// A worker's reconnects and reloads: 100 ms, doubling, at most 10 s.
    public static let reconnect = Backoff(first: .milliseconds(100), cap: .seconds(10))
    /// A comment whose judging failed, back to the queue: 2 s, doubling, at most five minutes.
    public static let queueRetry = Backoff(first: .seconds(2), cap: .seconds(300))
    /// A webhook delivery the site did not accept: 5 s, doubling, at most an hour.
    public static let webhook = Backoff(first: .seconds(5), cap: .seconds(3_600))

    /// The delay before trying again after `failures` failures (1 for the first), without jitter.
    public func ceiling(afterFailures failures: Int) -> Duration {
        let doublings = min(max(failures, 1) - 1, 40)
        let seconds = min(first.seconds * Double(UInt64(1) << UInt64(doublings)), cap.seconds)
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }

    /// The delay before trying again after `failures` failures, jitter drawn from `generator`.
    public func delay(afterFailures failures: Int, using generator: inout some RandomNumberGenerator) -> Duration {
        ceiling(afterFailures: failures) * (1 - jitter * Double.random(in: 0...1, using: &generator))
    }

    public func delay(afterFailures failures: Int) -> Duration {
        var generator = SystemRandomNumberGenerator()
        return delay(afterFailures: failures, using: &generator)
    }

    /// The ceilings after 1…`count` failures in seconds, for SQL that indexes them by a row's attempt count.
    public func seconds(upTo count: Int) -> [Double] { (1...max(count, 1)).map { ceiling(afterFailures: $0).seconds } }
}
