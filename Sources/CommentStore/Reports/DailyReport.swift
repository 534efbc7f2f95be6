public import Foundation

/// How moderation went on one calendar day in the site's time zone: what the nightly report shows. Figures cover the
/// comments submitted that day (by their status when the report runs), except the moderators' and sanctions'
/// sections, which cover what was done that day. It holds no comment text and names no author except in sanctions.
public struct DailyReport: Sendable, Codable, Equatable {
    public var date: String
    public var timeZone: String
    public var generatedAt: Date
    public var totals: Totals
    public var reasons: [ReasonLine]
    public var rules: [RuleLine]
    public var overturns: [Overturn]
    public var speed: Speed
    public var moderators: [ModeratorLine]
    public var sanctions: [SanctionLine]
    public var mostCommented: [ArticleLine]
    public var mostRejected: [ArticleLine]
    public var providers: [ProviderLine]
    public var loginRequiredRejections: Int
    public var trend: [TrendLine]
    public var policyVersions: [PolicyVersionLine]
    /// 24 rows, hour 0 to 23 in the report's time zone.
    public var hourly: [HourLine]
    /// The learned models of the policy active when the report ran, and what the moderators have taught since each
    /// was trained: the next training data (issue 18). Nil in reports stored before it was measured.
    public var models: [ModelLine]? = nil
    /// The readers' flags of the day (nil in reports stored before flags existed).
    public var flags: Flags? = nil
    /// Posts the API refused before storing them (too long, not logged in, …), by reason, most first (nil in reports
    /// stored before they were counted).
    public var refused: [RefusedLine]? = nil
    /// Whether the day had ended when the report ran (nil in reports stored before this was recorded: they ran after).
    public var dayEnded: Bool? = nil

    public struct Totals: Sendable, Codable, Equatable {
        public var submitted = 0
        public var queued = 0
        public var approved = 0
        public var held = 0
        public var rejected = 0
        public var removed = 0
        public var automaticDecisions = 0
        public var moderatorDecisions = 0
        /// The day's comments that were still held when the day ended, and the age of the oldest then.
        public var stillHeldAtEndOfDay = 0
        public var oldestHeldAtEndOfDaySeconds: Int?
    }

    public struct ReasonLine: Sendable, Codable, Equatable {
        public var reason: String
        /// Hits of rules with this reason code, and the comments they fired on.
        public var hits: Int
        public var comments: Int
        /// Of those comments, how many a moderator overturned.
        public var overturned: Int
    }

    public struct RuleLine: Sendable, Codable, Equatable {
        public var rule: String
        public var reason: String
        public var hits: Int
        public var comments: Int
        public var overturned: Int
        /// The first overturned comments (by id, at most ``DailyReport/overturnedExamples``): where to look when a rule
        /// misfires. Nil in reports stored before they were listed.
        public var overturnedComments: [Int64]? = nil
    }

    /// How many overturned comment ids a rule's line lists.
    public static let overturnedExamples = 10

    /// "held → approved": the automatic decision, then the moderator's that contradicted it.
    public struct Overturn: Sendable, Codable, Equatable {
        public var from: String
        public var to: String
        public var count: Int
    }

    public struct Speed: Sendable, Codable, Equatable {
        /// Submission to automatic decision, milliseconds.
        public var automaticP50: Double?
        public var automaticP95: Double?
        public var automaticP99: Double?
        /// Automatic hold to the first moderator decision, seconds.
        public var moderatorP50: Double?
        public var moderatorP95: Double?
    }

    public struct ModeratorLine: Sendable, Codable, Equatable {
        public var moderator: String
        public var approved: Int
        public var rejected: Int
    }

    public struct SanctionLine: Sendable, Codable, Equatable {
        public var kind: String
        public var account: String
        public var by: String
        public var reason: String
        /// When it was issued, and until when a suspension runs (nil in reports stored before they were shown).
        public var issuedAt: Date? = nil
        public var until: Date? = nil
    }

    public struct ArticleLine: Sendable, Codable, Equatable {
        public var ref: String
        public var title: String?
        public var comments: Int
        public var rejected: Int
    }

    public struct ProviderLine: Sendable, Codable, Equatable {
        /// twitter, facebook, or "none" for submissions without a login.
        public var provider: String
        public var comments: Int
    }

    public struct TrendLine: Sendable, Codable, Equatable {
        public var figure: String
        public var value: Double
        /// The average of the 7 days before (days without comments count as zero).
        public var previous7DayAverage: Double
    }

    public struct PolicyVersionLine: Sendable, Codable, Equatable {
        public var id: Int64
        public var version: String
        public var activatedAt: Date
        public var deactivatedAt: Date?
    }

    public struct ModelLine: Sendable, Codable, Equatable {
        /// The `model` rule's id in the policy.
        public var rule: String
        /// What it was trained on (the model file's provenance).
        public var trainedFrom: String
        /// The newest moderator decision it learned from; nil for a model trained from a file.
        public var labelsUntil: Date?
        /// Comments a moderator approved or rejected since then (cumulative, not only this day).
        public var labelsSince: Int
        /// Of those, the ones the model held and a moderator approved.
        public var overturnedHolds: Int
        /// The moment the counts are as of: the day's end, or the report's time for a day not yet ended (nil in
        /// reports stored before it was recorded). The next day's report carries the counts on from here.
        public var labelsAsOf: Date? = nil
    }

    /// Flags readers sent during the day, and what became of them by the time the report ran.
    public struct Flags: Sendable, Codable, Equatable {
        public var received = 0
        /// Distinct comments flagged.
        public var comments = 0
        /// Comments the readers' flags hid during the day.
        public var hidden = 0
        /// Of the day's flags, those a moderator's decision has resolved.
        public var resolved = 0
        /// Median time from a flag to the decision that resolved it.
        public var medianSecondsToResolve: Double?
        public var byReason: [FlagLine] = []
    }

    public struct FlagLine: Sendable, Codable, Equatable {
        public var reason: String
        public var received: Int
        public var resolved: Int
        /// Resolved by removing the comment.
        public var upheld: Int
    }

    public struct RefusedLine: Sendable, Codable, Equatable {
        public var reason: String
        public var posts: Int

        public init(reason: String, posts: Int) {
            self.reason = reason
            self.posts = posts
        }
    }

    public struct HourLine: Sendable, Codable, Equatable {
        public var hour: Int
        public var approved: Int
        public var held: Int
        public var rejected: Int
        /// Queued or removed.
        public var other: Int
    }
}
