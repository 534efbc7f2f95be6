import Foundation
import PolicyTools
import StandardsPolicy
import Testing

/// The learned abuse score (issue 18): training, the model file, and the model rule.
@Suite
struct ModelTests {
    /// A synthetic set: abusive comments use made-up insults (zorbak, 뀨덕) among ordinary words, clean ones do not.
    static func synthetic(count: Int, offset: Int = 0) -> [LabelledEvaluation.Row] {
        let ordinary = ["기사", "잘", "봤습니다", "오늘", "날씨", "경기", "정말", "좋네요", "the", "match", "was", "great", "news"]
        let insults = ["zorbak", "뀨덕", "zorbaks", "뀨덕아"]
        return (0..<count).map { index in
            let n = index + offset
            var words = (0..<5).map { ordinary[(n * 7 + $0 * 3) % ordinary.count] }
            let bad = n % 2 == 0
            if bad { words.insert(insults[n % insults.count], at: n % 4) }
            return LabelledEvaluation.Row(label: bad ? "bad" : "none", text: words.joined(separator: " "))
        }
    }

    static func options() -> ModelTraining.Options {
        var options = ModelTraining.Options()
        options.buckets = 1 << 12
        options.iterations = 100
        return options
    }

    @Test func trainingIsDeterministicForASeed() {
        let rows = Self.synthetic(count: 200)
        let first = ModelFile(ModelTraining.train(rows, cleanLabel: "none", options: Self.options()).0).text()
        let second = ModelFile(ModelTraining.train(rows, cleanLabel: "none", options: Self.options()).0).text()
        #expect(first == second)
        // The fit is over the whole set at once: the seed draws only the cross-validation folds, never the weights.
        var other = Self.options()
        other.seed = 2
        let reseeded = ModelTraining.train(rows, cleanLabel: "none", options: other).0
        #expect(reseeded.weights == ModelTraining.train(rows, cleanLabel: "none", options: Self.options()).0.weights)
    }

    @Test func aModelSeparatesWhatItWasTaught() {
        let (model, report) = ModelTraining.train(Self.synthetic(count: 400), cleanLabel: "none", options: Self.options())
        #expect(report.cleanApproved >= 0.95 && report.badBlocked >= 0.95, "\(report)")
        // Comments it never saw, of the same kinds.
        for row in Self.synthetic(count: 40, offset: 1_000) {
            let score = model.score(TextNormalizer.normalize(row.text))
            if row.label == "none" {
                #expect(score < model.threshold, "\(row.text): \(score)")
            } else {
                #expect(score >= model.threshold, "\(row.text): \(score)")
            }
        }
        // What raised a score is named: features of the insult (in any of its views: `zorbak` typed on a Korean keyboard
        // is ㅋㅐㄱㅠㅁㅏ), none of the ordinary words beside it.
        let explained = model.explain(TextNormalizer.normalize("오늘 경기 zorbak"))
        var ordinary: [AbuseModel.Feature] = []
        AbuseModel.features(of: TextNormalizer.normalize("오늘 경기"), buckets: model.buckets, named: true, into: &ordinary)
        var insult: [AbuseModel.Feature] = []
        AbuseModel.features(of: TextNormalizer.normalize("zorbak"), buckets: model.buckets, named: true, into: &insult)
        #expect(!explained.isEmpty)
        #expect(
            explained.allSatisfy { shown in insult.contains { $0.name == shown.feature } && !ordinary.contains { $0.name == shown.feature } },
            "\(explained)"
        )
    }

    /// Everyday words that share an insult's fragments, learned as extra clean texts, score lower; the insult in a comment
    /// is still held, and the threshold is still chosen on the labelled comments alone.
    @Test func extraCleanTextsTeachThatFragmentsAreNoEvidence() {
        let rows = Self.synthetic(count: 400)
        let everyday = ["zorbakery", "zorbakian", "zorbaki", "뀨덕궁", "뀨덕동", "뀨덕이네"]
        let (plain, _) = ModelTraining.train(rows, cleanLabel: "none", options: Self.options())
        let (lightly, _) = ModelTraining.train(rows, cleanLabel: "none", extraClean: everyday, options: Self.options())
        // Six words against 200 abusive comments that all carry the insult: here each weighs as much as a comment.
        var heavier = Self.options()
        heavier.extraCleanWeight = 1
        let (taught, report) = ModelTraining.train(rows, cleanLabel: "none", extraClean: everyday, options: heavier)
        #expect(report.examples == rows.count && report.extraClean == everyday.count, "\(report)")
        for word in everyday {
            let scores = [plain, lightly, taught].map { $0.score(TextNormalizer.normalize(word)) }
            #expect(scores[2] < scores[1] && scores[1] < scores[0], "\(word): \(scores)")
            #expect(scores[2] < taught.threshold, "\(word): \(scores[2]), threshold \(taught.threshold)")
        }
        for row in Self.synthetic(count: 40, offset: 1_000) where row.label != "none" {
            #expect(taught.score(TextNormalizer.normalize(row.text)) >= taught.threshold, "\(row.text)")
        }
    }

    @Test func aModelFileRoundTrips() throws {
        let (model, _) = ModelTraining.train(Self.synthetic(count: 200), cleanLabel: "none", options: Self.options())
        let text = ModelFile(model).text()
        let loaded = try ModelFile.model(from: text)
        #expect(loaded.buckets == model.buckets && loaded.threshold == model.threshold && loaded.bias == model.bias)
        // Quantized to a byte a weight: within half a step of the original, and the same file again.
        let step = (model.weights.map(abs).max() ?? 0) / 127
        #expect(zip(model.weights, loaded.weights).allSatisfy { abs($0 - $1) <= step / 2 + 1e-6 })
        #expect(ModelFile(loaded).text() == text)
        let sample = TextNormalizer.normalize("zorbak 기사")
        #expect(abs(loaded.score(sample) - model.score(sample)) < 0.05)
    }

    @Test(arguments: [
        (#"{"nope": 1}"#, "not a CommentDesk model file"),
        (#"{"format":"other","version":1,"buckets":4,"bias":0,"scale":1,"threshold":0.5,"weights":"AAAAAA==","provenance":{}}"#, "format 'other'"),
        (
            #"{"format":"commentdesk-abuse-model","version":2,"buckets":4,"bias":0,"scale":1,"threshold":0.5,"weights":"AAAAAA==","provenance":{}}"#,
            "version 2"
        ),
        (
            #"{"format":"commentdesk-abuse-model","version":1,"buckets":3,"bias":0,"scale":1,"threshold":0.5,"weights":"AAAA","provenance":{}}"#,
            "power of two"
        ),
        (
            #"{"format":"commentdesk-abuse-model","version":1,"buckets":8,"bias":0,"scale":1,"threshold":0.5,"weights":"AAAAAA==","provenance":{}}"#,
            "damaged"
        ),
    ])
    func aBrokenModelFileIsRefusedWithTheReason(text: String, reason: String) {
        #expect {
            try ModelFile.model(from: text)
        } throws: { error in
            "\(error)".contains(reason)
        }
    }

    static func policy(model: String, threshold: String = "") -> PolicyBundle {
        let yaml = """
            version: "m1"
            login: {providers: [twitter]}
            reason_codes: [abusive, login_required, processing_error, other]
            rules:
              - {id: abuse-model, kind: model, action: hold, reason: abusive, category: model, params: {model_file: abuse.json\(threshold)}}
            """
        return PolicyBundle(mainFile: "policy.yaml", files: ["policy.yaml": yaml, "abuse.json": model])
    }

    @Test func theModelRuleHoldsWithTheScoreAndWhy() throws {
        let (model, _) = ModelTraining.train(Self.synthetic(count: 400), cleanLabel: "none", options: Self.options())
        let policy = try CompiledPolicy(bundle: Self.policy(model: ModelFile(model).text()))
        let held = policy.evaluate("오늘 경기 정말 zorbak", context: .textOnly())
        #expect(held.outcome == .hold && held.reasons == ["abusive"])
        #expect(held.hits.first?.matched?.hasPrefix("score ") == true, "\(held.hits)")
        #expect(policy.evaluate("오늘 경기 정말 좋네요", context: .textOnly()).outcome == .approve)
        // A threshold in the policy overrides the file's.
        let strict = try CompiledPolicy(bundle: Self.policy(model: ModelFile(model).text(), threshold: ", threshold: 1.0"))
        #expect(strict.evaluate("오늘 경기 정말 zorbak", context: .textOnly()).outcome == .approve)
    }

    @Test func aPolicyNamingABrokenModelDoesNotLoad() {
        #expect {
            try CompiledPolicy(bundle: Self.policy(model: "{}"))
        } throws: { error in
            "\(error)".contains("model_file 'abuse.json'") && "\(error)".contains("not a CommentDesk model file")
        }
        #expect {
            try CompiledPolicy(bundle: PolicyBundle(mainFile: "policy.yaml", files: ["policy.yaml": Self.policy(model: "").files["policy.yaml"]!]))
        } throws: { error in
            "\(error)".contains("file 'abuse.json' not found")
        }
    }
}
