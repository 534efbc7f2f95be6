/// How much of an account's history a policy's rules read, derived from the rules themselves (each kind says what it
/// reads, ``RuleType/historyNeeds``): the worker loads exactly this, so a rule whose window grows is fed the longer
/// window, and a policy without such rules costs no history query at all. Bounded by time or count, never by how much
/// history the site has.
public struct HistoryNeeds: Sendable, Equatable, CustomStringConvertible {
    /// Earlier comments submitted up to this many seconds before the judged one (rate limits, duplicates); 0: none.
    public var recentSeconds: Int
    /// Approved comments are counted up to this many (new-commenter pre-moderation); 0: not counted.
    public var approvedCount: Int
    /// Decided and rejected comments submitted within this many seconds are counted (rejection rate); 0: not counted.
    public var standingSeconds: Int

    public init(recentSeconds: Int = 0, approvedCount: Int = 0, standingSeconds: Int = 0) {
        self.recentSeconds = recentSeconds
        self.approvedCount = approvedCount
        self.standingSeconds = standingSeconds
    }

    /// Reads nothing.
    public static let none = HistoryNeeds()

    /// What both need: the longer window and the larger count of each.
    public func union(_ other: HistoryNeeds) -> HistoryNeeds {
        HistoryNeeds(
            recentSeconds: max(recentSeconds, other.recentSeconds),
            approvedCount: max(approvedCount, other.approvedCount),
            standingSeconds: max(standingSeconds, other.standingSeconds)
        )
    }

    public var description: String {
        "recent comments \(recentSeconds)s, approved counted to \(approvedCount), standing \(standingSeconds)s"
    }
}
