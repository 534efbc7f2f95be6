public import PostgresLibPQ

/// The partitions of comments, their decisions and their queue rows (sql/0016_partitioned_history.sql): kept ahead of
/// the comment id sequence, sealed once filled, and the queue's finished ones dropped whole.
public struct HistoryPartitions: Sendable {
    /// How many partitions to keep beyond the one being filled, the least comment ids in one, how long after the
    /// sequence passes a partition its period is recorded, and how long finished queue rows are kept.
    public var ahead: Int
    public var minimumSize: Int64
    public var sealAfterSeconds: Double
    public var queueRetentionSeconds: Double

    public init(ahead: Int = 2, minimumSize: Int64 = 100_000, sealAfterSeconds: Double = 3600, queueRetentionSeconds: Double = 3600) {
        self.ahead = ahead
        self.minimumSize = minimumSize
        self.sealAfterSeconds = sealAfterSeconds
        self.queueRetentionSeconds = queueRetentionSeconds
    }

    /// What one round did.
    public struct Round: Sendable, Equatable {
        public var created: Int
        public var sealed: Int
        public var queueDropped: Int
        /// Partitioned tables analyzed (their partitions had grown by a tenth since).
        public var analyzed: Int

        public init(created: Int, sealed: Int, queueDropped: Int, analyzed: Int = 0) {
            self.created = created
            self.sealed = sealed
            self.queueDropped = queueDropped
            self.analyzed = analyzed
        }
    }

    /// One round of maintenance; a round another worker is running already is skipped (all zeros).
    public func maintain(on connection: PostgresConnection) async throws -> Round {
        let (created, sealed, dropped, analyzed) = try await connection.query(
            """
            SELECT created, sealed, queue_dropped, analyzed FROM maintain_history_partitions(
                \(ahead), \(minimumSize), \(sealAfterSeconds) * interval '1 second', \(queueRetentionSeconds) * interval '1 second')
            """
        ).single().decode((Int, Int, Int, Int).self)
        return Round(created: created, sealed: sealed, queueDropped: dropped, analyzed: analyzed)
    }
}
