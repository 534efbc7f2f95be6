extension PolicyDocument {
    /// The posts per account per minute after which the reader API may answer 429 at once, derived from the rules: the
    /// smallest `max` of the rejecting, account-wide (not per article or per parent) `rate_limit` rules whose window is a
    /// minute or longer. A reader
    /// with that many posts in the last minute has at least that many in the rule's window, so the rule would reject
    /// the next one anyway; the API only spares the wait. 0 when no rule allows that conclusion (no burst limit at the
    /// API; the worker still applies every rule).
    public var readerPostsPerMinute: Int {
        var limit: Int?
        for rule in rules where rule.action == .reject {
            guard let rate = rule.kind as? RateLimitRule, !rate.perArticle, !rate.perParent, rate.windowSeconds >= 60 else { continue }
            limit = Swift.min(limit ?? rate.max, rate.max)
        }
        return limit ?? 0
    }
}
