import Foundation
import Synchronization

/// A dedicated OS thread that runs blocking jobs one at a time, in the order they were submitted.
///
/// libpq calls block, and Swift's cooperative pool has only one thread per core, so every connection owns one of
/// these and runs all of its libpq calls here. It also serializes them: libpq allows one thread per `PGconn`.
final class BlockingThread: Sendable {
    private struct State {
        var jobs: [@Sendable () -> Void] = []
        var stopping = false
    }

    private let state = Mutex(State())
    private let wakeup = DispatchSemaphore(value: 0)

    init(name: String) {
        let thread = Thread { [self] in self.loop() }
        thread.name = name
        thread.start()
    }

    private func loop() {
        while true {
            wakeup.wait()
            let job: (@Sendable () -> Void)? = state.withLock { state in
                state.jobs.isEmpty ? nil : state.jobs.removeFirst()
            }
            guard let job else { return }  // woken with no job: stop() was called and the queue is drained
            job()
        }
    }

    /// Runs `body` on this thread and returns its result. Throws ``PostgresError/Kind/closed`` after ``stop()``.
    func execute<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let accepted = state.withLock { state in
                guard !state.stopping else { return false }
                state.jobs.append { continuation.resume(with: Result { try body() }) }
                return true
            }
            if accepted {
                wakeup.signal()
            } else {
                continuation.resume(throwing: PostgresError(.closed, message: "connection closed"))
            }
        }
    }

    /// Lets the jobs already queued finish, then ends the thread. Later ``execute(_:)`` calls throw.
    func stop() {
        let first = state.withLock { state in
            defer { state.stopping = true }
            return !state.stopping
        }
        if first { wakeup.signal() }
    }
}

/// Marks one operation as cancelled; set from a task's cancellation handler, read on the connection's thread.
final class CancelToken: Sendable {
    private let flag = Atomic<Bool>(false)
    var isCancelled: Bool { flag.load(ordering: .acquiring) }
    func cancel() { flag.store(true, ordering: .releasing) }
}
