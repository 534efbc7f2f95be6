import Foundation
import StandardsPolicy
import Testing

@Suite
struct LoaderTests {
    static let minimal = """
        version: "t1"
        login: {providers: [twitter]}
        reason_codes: [profanity, login_required, processing_error, other]
        rules:
          - {id: words, kind: terms, action: reject, reason: profanity, category: profanity, terms: [darn, "*heck*"]}
        """

    func issues(_ yaml: String, files: [String: String] = [:]) -> [PolicyError.Issue] {
        var all = files
        all["policy.yaml"] = yaml
        do {
            _ = try CompiledPolicy(bundle: PolicyBundle(mainFile: "policy.yaml", files: all))
            return []
        } catch let error as PolicyError {
            return error.issues
        } catch {
            Issue.record("unexpected error \(error)")
            return []
        }
    }

    @Test func theSiteTimeZoneIsAnIANANameAndDefaultsToUTC() throws {
        let minimal = try CompiledPolicy(bundle: PolicyBundle(mainFile: "policy.yaml", files: ["policy.yaml": Self.minimal]))
        #expect(minimal.document.siteTimeZone == "UTC")
        #expect(try CompiledPolicy.standardsBoard().document.siteTimeZone == "Asia/Seoul")
        let seoul = try CompiledPolicy(
            bundle: PolicyBundle(mainFile: "policy.yaml", files: ["policy.yaml": Self.minimal + "\nsite_time_zone: Europe/Berlin\n"])
        )
        #expect(seoul.document.siteTimeZone == "Europe/Berlin")
        let found = issues(Self.minimal + "\nsite_time_zone: Mars/Olympus\n")
        #expect(found.map(\.message) == ["site_time_zone: 'Mars/Olympus' is not a time zone name (use an IANA name such as Asia/Seoul)"])
        #expect(found.first?.line == 6)
    }

    @Test func everyReasonCodeOfTheDefaultPolicyHasAPlainLabel() throws {
        let codes = try CompiledPolicy.standardsBoard().document.reasonCodes
        #expect(codes.filter { !ReasonLabels.isKnown($0) } == [])
        #expect(ReasonLabels.label("too_long") == "over the length limit")
        #expect(ReasonLabels.label("site_own_code") == "site own code", "an unknown code reads as its words")
    }

    @Test func aMinimalPolicyLoadsAndWorks() throws {
        let policy = try CompiledPolicy(bundle: PolicyBundle(mainFile: "policy.yaml", files: ["policy.yaml": Self.minimal]))
        #expect(policy.version == "t1")
        #expect(policy.evaluate("oh darn", context: .textOnly()).outcome == .reject)
        #expect(policy.evaluate("what the hecking", context: .textOnly()).outcome == .reject)
        #expect(policy.evaluate("darned socks", context: .textOnly()).outcome == .approve)
    }

    @Test func theDefaultPolicyListsEveryRequiredReasonCode() {
        let required = [
            "profanity", "hate", "sexual", "insult", "threat", "personal_info", "link", "spam", "flood", "duplicate", "rate_limited",
            "too_long", "empty", "malformed", "login_required", "provider_not_allowed", "account_banned", "account_suspended",
            "article_closed", "new_commenter", "processing_error", "other",
        ]
        for code in required { #expect(standardsBoard.document.reasonCodes.contains(code), "missing \(code)") }
        #expect(standardsBoard.document.limits == Limits(maxCharacters: 250, maxBytes: 10000, maxScalarsPerCharacter: 10))
        #expect(standardsBoard.document.providers == ["twitter", "facebook"])
        #expect(standardsBoard.document.community == Community(flagsToHide: 3, flagsPerHour: 20))
    }

    /// The one duration format (policy files, `modctl --older-than`, `--for`, `--since`).
    @Test(
        arguments: [
            ("30s", 30), ("10m", 600), ("24h", 86_400), ("7d", 604_800), ("2w", 1_209_600), ("0m", nil), ("-5m", nil), ("m", nil),
            ("5", nil), ("5y", nil), ("soon", nil), ("\(Int.max)h", nil),
        ] as [(String, Int?)]
    )
    func durationsAreSecondsInOneFormat(_ text: String, _ seconds: Int?) {
        #expect(PolicyLoader.seconds(text) == seconds)
    }

    /// A moderator's reject menu: what the text says (and `other`), never the engine's facts about the post.
    @Test func moderatorsPickFromTheCodesOfRulesAboutWhatACommentSays() throws {
        let document = standardsBoard.document
        #expect(
            document.moderatorReasonCodes == [
                "profanity", "hate", "sexual", "insult", "threat", "personal_info", "link", "spam", "flood", "abusive", "other",
            ]
        )
        let left = Set(document.reasonCodes).subtracting(document.moderatorReasonCodes)
        #expect(left.contains("too_long") && left.contains("login_required") && left.contains("processing_error"))
        // A site's own category counts as a judgement of the text; a circumstance category does not.
        var custom = document
        custom.reasonCodes.append("local_rule")
        custom.rules[0].reason = "local_rule"
        custom.rules[0].category = "newsroom"
        #expect(custom.moderatorReasonCodes.last == "local_rule")
        custom.rules[0].category = "behaviour"
        #expect(!custom.moderatorReasonCodes.contains("local_rule"))
    }

    @Test(
        arguments: [
            ("version: [unclosed", "not valid YAML", 2),
            (minimal.replacingOccurrences(of: "version: \"t1\"\n", with: ""), "'version' is required", nil),
            (minimal + "\nextra: 1", "unknown key 'extra'", 6),
            (minimal.replacingOccurrences(of: "kind: terms", with: "kind: magic"), "unknown kind 'magic'", 5),
            (minimal.replacingOccurrences(of: "action: reject", with: "action: delete"), "action must be approve, hold or reject", 5),
            (minimal.replacingOccurrences(of: "reason: profanity,", with: "reason: rude,"), "reason 'rude' is not in reason_codes", 5),
            (minimal + "\n  - {id: words, kind: empty, action: reject, reason: profanity, category: x}", "rule id 'words' is used twice", 6),
            (minimal.replacingOccurrences(of: "processing_error, ", with: ""), "must include 'processing_error'", 3),
            (
                minimal + "\n  - {id: r, kind: rate_limit, action: reject, reason: profanity, category: x, params: {window: soon, max: 3}}",
                "must be a duration", 6
            ),
            (
                minimal + "\n  - {id: f, kind: terms, action: reject, reason: profanity, category: x, terms_file: missing.txt}",
                "file 'missing.txt' not found", 6
            ),
            (
                minimal + "\n  - {id: f, kind: terms, action: reject, reason: profanity, category: x, terms_file: ../../etc/passwd}",
                "must be a relative path inside", 6
            ),
            (minimal + "\n  - {id: e, kind: empty, action: reject, reason: profanity, category: x, terms: [a]}", "only terms rules take terms", 6),
            (minimal.replacingOccurrences(of: "[darn, \"*heck*\"]", with: "[\"!!!\"]"), "normalizes to nothing", 5),
            ("version: x\nlogin: {providers: []}\nreason_codes: [login_required, processing_error, other]\nrules: []", "at least one provider", 2),
            (
                minimal + "\nlimits: {max_characters: 250, max_bytes: 4096}",
                "must be at least max_characters × max_scalars_per_character × 4 = 10000", 6
            ),
            (minimal + "\ncommunity: {flags_to_hide: -1}", "community.flags_to_hide", 6),
            (minimal + "\ncommunity: {flags_per_hour: 0}", "community.flags_per_hour", 6),
            (minimal + "\ncommunity: {flags: 3}", "unknown key 'flags'", 6),
        ] as [(String, String, Int?)]
    )
    func invalidPoliciesAreRefusedWithFileAndLine(yaml: String, message: String, line: Int?) {
        let found = issues(yaml)
        #expect(found.contains { $0.message.contains(message) }, "expected '\(message)', got \(found)")
        if let line {
            #expect(found.contains { $0.message.contains(message) && $0.line == line }, "expected line \(line), got \(found)")
        }
    }

    @Test func termFileErrorsNameTheTermFileAndLine() {
        let yaml = Self.minimal + "\n  - {id: f, kind: terms, action: reject, reason: profanity, category: x, terms_file: list.txt}"
        let found = issues(yaml, files: ["list.txt": "# comment\ngood\n\n???\n"])
        #expect(found == [PolicyError.Issue(file: "list.txt", line: 4, message: "'???' normalizes to nothing it can match")])
    }

    @Test func everyProblemIsReportedAtOnce() {
        let yaml = """
            version: "x"
            login: {providers: [twitter]}
            reason_codes: [login_required, processing_error, other]
            rules:
              - {id: a, kind: nope, action: reject, reason: login_required, category: x}
              - {id: b, kind: empty, action: maybe, reason: login_required, category: x}
              - {id: c, kind: empty, action: reject, reason: unknown, category: x}
            """
        #expect(issues(yaml).count == 3)
    }
}
