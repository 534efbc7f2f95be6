import Synchronization

/// Counters a worker keeps, for logs and the metrics endpoint.
public final class WorkerMetrics: Sendable {
    public struct Snapshot: Sendable, Equatable {
        public var claimed = 0
        public var decided = 0
        public var lost = 0
        public var retried = 0
        public var failed = 0
        public var reapedRetried = 0
        public var reapedDead = 0
        public var batches = 0
        public var batchSeconds = 0.0
    }

    private let state = Mutex(Snapshot())

    public var snapshot: Snapshot { state.withLock { $0 } }

    func claimed(_ count: Int) { state.withLock { $0.claimed += count } }

    func decided(_ count: Int, lost: Int, seconds: Double) {
        state.withLock {
            $0.decided += count
            $0.lost += lost
            $0.batches += 1
            $0.batchSeconds += seconds
        }
    }

    func failed(last: Bool) { state.withLock { if last { $0.failed += 1 } else { $0.retried += 1 } } }

    func reaped(_ retried: Int, dead: Int) {
        state.withLock {
            $0.reapedRetried += retried
            $0.reapedDead += dead
        }
    }
}
