public import PostgresLibPQ

/// A comment's status (`comments.status`).
public enum CommentStatus: String, Sendable, Codable, CaseIterable, PostgresEncodable, PostgresDecodable {
    case queued, approved, held, rejected, removed
}

/// A queue row's state (`comment_queue.state`): ready → running → done, or dead after its last attempt.
public enum QueueState: String, Sendable, Codable, CaseIterable, PostgresEncodable, PostgresDecodable {
    case ready, running, done, dead
}

/// Who made a decision (`moderation_decisions.source`): the worker, a moderator, readers' flags reaching the policy's
/// threshold, or the author deleting or replacing their own comment.
public enum DecisionSource: String, Sendable, Codable, CaseIterable, PostgresEncodable, PostgresDecodable {
    case automatic, moderator, readers, author
}

/// A decision's outcome (`moderation_decisions.outcome`).
public enum DecisionOutcome: String, Sendable, Codable, CaseIterable, PostgresEncodable, PostgresDecodable {
    case approve, hold, reject
}
