/// Plain English for reason codes, for people who do not read codes: the Board's report and moderators' menus.
public enum ReasonLabels {
    /// The codes the default policy uses, in words a Board member reads without a glossary.
    static let known: [String: String] = [
        "profanity": "profanity",
        "hate": "hate speech",
        "sexual": "sexual content",
        "insult": "insults",
        "threat": "threats of violence",
        "personal_info": "personal information: phone, e-mail, ID numbers",
        "link": "links to other sites",
        "spam": "advertising or spam",
        "flood": "repeated posting in a short time",
        "duplicate": "the same comment posted again",
        "rate_limited": "over the posting rate limit",
        "too_long": "over the length limit",
        "empty": "empty comment",
        "malformed": "malformed text: control characters",
        "combining_overload": "stacked combining marks",
        "login_required": "not logged in",
        "provider_not_allowed": "login provider not allowed",
        "account_banned": "account banned",
        "account_suspended": "account suspended",
        "article_closed": "comments closed on the article",
        "new_commenter": "new commenter: first comments reviewed",
        "high_rejection_rate": "commenter with many rejected comments",
        "processing_error": "processing error: could not be checked",
        "abusive": "abusive, by the learned model",
        "other": "other",
    ]

    /// The label of `code`; a code this table does not know (a site's own) reads as its words.
    public static func label(_ code: String) -> String {
        known[code] ?? String(code.map { $0 == "_" ? " " : $0 })
    }

    /// Whether `code` has a label of its own here (every code of the default policy has: a test holds it to that).
    public static func isKnown(_ code: String) -> Bool { known[code] != nil }
}
