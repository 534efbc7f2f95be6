import Foundation

/// The learned abuse score (``AbuseModel``): a hit when the model's score reaches `threshold` (the model file's own
/// suggestion when left out). The hit keeps the score and the features that raised it most, so a moderator sees why.
///
/// ```yaml
/// - id: abuse-model
///   kind: model
///   action: hold
///   reason: abusive
///   category: model
///   params: {model_file: abuse-model.json, threshold: 0.8}
/// ```
public struct ModelRule: RuleType {
    public static let kind = "model"
    public static var readsText: Bool { true }
    public static let parameterNames: Set<String> = ["model_file", "threshold"]
    public var model: AbuseModel
    public var path: String
    public var threshold: Double

    public static func read(_ parameters: inout RuleParameters) -> ModelRule? {
        guard parameters.has("model_file") else {
            parameters.problem("a model rule needs params.model_file")
            return nil
        }
        let threshold = parameters.double("threshold", range: 0...1)
        guard let file = parameters.file("model_file") else { return nil }
        do {
            let model = try ModelFile.model(from: file.text)
            return ModelRule(model: model, path: file.path, threshold: threshold ?? model.threshold)
        } catch {
            parameters.problem("model_file '\(file.path)': \(error)")
            return nil
        }
    }

    public var parameters: String {
        "model \(path) (\(model.provenance["trained"] ?? "untrained"), \(model.buckets) buckets), threshold \(threshold)"
    }

    public func evaluate(_ input: inout RuleInput, rule: Int, into hits: inout [Hit]) {
        let score = model.score(input.text)
        guard score >= threshold else { return }
        let because = model.explain(input.text).map { "\($0.feature)" }.joined(separator: ", ")
        hits.append(input.hit(rule, matched: "score \(String(format: "%.2f", score)) ≥ \(threshold)\(because.isEmpty ? "" : ": " + because)"))
    }
}
