import Logging

/// The isolation level of a transaction.
public enum IsolationLevel: String, Sendable {
    case readCommitted = "READ COMMITTED"
    case repeatableRead = "REPEATABLE READ"
    case serializable = "SERIALIZABLE"
}

extension PostgresConnection {
    /// Runs `body` inside `BEGIN … COMMIT`. When `body` throws (or the task is cancelled), the transaction is
    /// rolled back and the error rethrown; nothing it wrote is kept.
    @discardableResult
    public func withTransaction<T>(
        isolation: IsolationLevel = .readCommitted,
        _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        switch isolation {
        case .readCommitted: try await query("BEGIN")
        case .repeatableRead: try await query("BEGIN ISOLATION LEVEL REPEATABLE READ")
        case .serializable: try await query("BEGIN ISOLATION LEVEL SERIALIZABLE")
        }
        let value: T
        do {
            value = try await body(self)
        } catch {
            await rollback()
            throw error
        }
        do {
            try await query("COMMIT")
        } catch {
            await rollback()
            throw error
        }
        return value
    }

    /// Rolls back even when the current task is cancelled (the ROLLBACK itself must not be cancelled).
    private func rollback() async {
        do {
            // An awaited, unstructured task: it does not inherit the caller's cancellation.
            _ = try await Task {
                try await self.query("ROLLBACK")
            }.value
        } catch {
            logger.warning("rollback failed: \(error)")
        }
    }
}
