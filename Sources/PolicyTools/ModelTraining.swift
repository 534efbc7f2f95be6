public import Foundation
public import StandardsPolicy

/// Trains an ``AbuseModel`` from labelled comments (`modctl model train`): logistic regression by stochastic gradient
/// descent with AdaGrad steps, classes weighted equally, deterministic for a given seed (one thread, a seeded shuffle).
/// A tenth of the comments, chosen by the seed, is held out to choose the threshold that approves the target share of
/// clean comments.
public enum ModelTraining {
    public struct Options: Sendable {
        public var buckets = 1 << 18
        public var epochs = 6
        public var learningRate: Float = 0.5
        public var l2: Float = 1e-6
        public var seed: UInt64 = 1
        /// The share of clean held-out comments the suggested threshold approves.
        public var targetCleanApproval = 0.98

        public init() {}
    }

    /// What training reports beside the model.
    public struct Report: Sendable {
        public var examples: Int
        public var heldOut: Int
        public var threshold: Double
        /// On the held-out comments, at the threshold.
        public var cleanApproved: Double
        public var badBlocked: Double
    }

    public static func train(
        _ rows: [LabelledEvaluation.Row], cleanLabel: String, options: Options = Options(), provenance: [String: String] = [:]
    ) -> (AbuseModel, Report) {
        var generator = SeededGenerator(state: options.seed)
        // Features once per comment.
        var examples: [(features: [Int], label: Float)] = []
        examples.reserveCapacity(rows.count)
        var features: [AbuseModel.Feature] = []
        for row in rows {
            features.removeAll(keepingCapacity: true)
            AbuseModel.features(of: TextNormalizer.normalize(row.text), buckets: options.buckets, into: &features)
            examples.append((features.map(\.bucket), row.label == cleanLabel ? 0 : 1))
        }
        var order = Array(examples.indices)
        order.shuffle(using: &generator)
        let heldOutCount = examples.count >= 20 ? examples.count / 10 : 0
        let heldOut = Array(order.prefix(heldOutCount))
        var training = Array(order.dropFirst(heldOutCount))

        let positives = training.filter { examples[$0].label == 1 }.count
        let negatives = training.count - positives
        // Each class weighs as much as the other in the loss.
        let classWeight: [Float] = [
            negatives > 0 ? Float(training.count) / Float(2 * negatives) : 1, positives > 0 ? Float(training.count) / Float(2 * positives) : 1,
        ]
        var weights = [Float](repeating: 0, count: options.buckets)
        var squares = [Float](repeating: 1e-8, count: options.buckets)
        var bias: Float = 0
        var biasSquares: Float = 1e-8
        for _ in 0..<options.epochs {
            training.shuffle(using: &generator)
            for index in training {
                let example = examples[index]
                let x = 1 / Float(max(1, example.features.count)).squareRoot()
                var z = bias
                for bucket in example.features { z += weights[bucket] * x }
                let p = 1 / (1 + exp(-z))
                let gradient = (p - example.label) * classWeight[Int(example.label)]
                for bucket in example.features {
                    let g = gradient * x + options.l2 * weights[bucket]
                    squares[bucket] += g * g
                    weights[bucket] -= options.learningRate * g / squares[bucket].squareRoot()
                }
                biasSquares += gradient * gradient
                bias -= options.learningRate * gradient / biasSquares.squareRoot()
            }
        }
        var model = AbuseModel(buckets: options.buckets, weights: weights, bias: bias, provenance: provenance)
        // The threshold: the lowest score that still approves the target share of clean held-out comments.
        let scored = heldOut.map { index in
            (score: model.score(examples[index].features.map { AbuseModel.Feature(bucket: $0, name: nil) }), bad: examples[index].label == 1)
        }
        let cleanScores = scored.filter { !$0.bad }.map(\.score).sorted()
        var threshold = 0.5
        if !cleanScores.isEmpty {
            let position = min(cleanScores.count - 1, Int((Double(cleanScores.count) * options.targetCleanApproval).rounded(.up)))
            threshold = min(0.99, max(0.5, cleanScores[position] + 1e-6))
        }
        model.threshold = (threshold * 1000).rounded(.up) / 1000
        let clean = scored.filter { !$0.bad }
        let bad = scored.filter(\.bad)
        let report = Report(
            examples: training.count, heldOut: heldOut.count, threshold: model.threshold,
            cleanApproved: clean.isEmpty ? 0 : Double(clean.filter { $0.score < model.threshold }.count) / Double(clean.count),
            badBlocked: bad.isEmpty ? 0 : Double(bad.filter { $0.score >= model.threshold }.count) / Double(bad.count))
        return (model, report)
    }
}

/// `modctl model evaluate`: a model's figures on labelled comments at several thresholds, alone and with a policy's
/// rules (blocked if the rules hold or reject it, or the model's score reaches the threshold).
public struct ModelEvaluation: Sendable {
    public struct Figures: Sendable, Equatable {
        public var threshold: Double
        public var cleanApproved: Double
        public var badBlocked: Double
        /// Of the comments blocked, the share that is bad.
        public var precision: Double
    }

    public let model: [Figures]
    public let withRules: [Figures]
    public let rulesAlone: Figures
    /// The lowest threshold at which rules and model together approve `target` of the clean comments, if any does.
    public let thresholdForTarget: Double?
    /// Rules and model at ``thresholdForTarget``.
    public let atTarget: Figures?

    public init(rows: [LabelledEvaluation.Row], cleanLabel: String, model: AbuseModel, policy: CompiledPolicy, target: Double, now: Date = Date()) {
        let context = EvaluationContext.textOnly(now: now)
        let judged = rows.map { row in
            let text = TextNormalizer.normalize(row.text)
            return (bad: row.label != cleanLabel, score: model.score(text), rules: policy.evaluate(row.text, context: context).outcome != .approve)
        }
        func figures(_ threshold: Double, rules: Bool, modelOn: Bool = true) -> Figures {
            let blocked = judged.map { (rules && $0.rules) || (modelOn && $0.score >= threshold) }
            let clean = zip(judged, blocked).filter { !$0.0.bad }
            let bad = zip(judged, blocked).filter { $0.0.bad }
            let blockedCount = blocked.filter { $0 }.count
            return Figures(
                threshold: threshold, cleanApproved: clean.isEmpty ? 0 : Double(clean.filter { !$0.1 }.count) / Double(clean.count),
                badBlocked: bad.isEmpty ? 0 : Double(bad.filter { $0.1 }.count) / Double(bad.count),
                precision: blockedCount == 0 ? 0 : Double(bad.filter { $0.1 }.count) / Double(blockedCount))
        }
        let thresholds = (Set(stride(from: 0.5, through: 0.951, by: 0.05).map { ($0 * 100).rounded() / 100 }).union([model.threshold])).sorted()
        self.model = thresholds.map { figures($0, rules: false) }
        withRules = thresholds.map { figures($0, rules: true) }
        rulesAlone = figures(1.1, rules: true, modelOn: false)
        let forTarget = stride(from: 0.5, through: 0.995, by: 0.005).first { figures($0, rules: true).cleanApproved >= target }
        thresholdForTarget = forTarget
        atTarget = forTarget.map { figures($0, rules: true) }
    }

    public func render() -> String {
        func percent(_ value: Double) -> String { String(format: "%5.1f %%", 100 * value) }
        var out = "threshold   model: clean approved  bad blocked  precision   rules+model: clean approved  bad blocked\n"
        for (alone, both) in zip(model, withRules) {
            out += String(format: "%.2f", alone.threshold).padding(toLength: 19, withPad: " ", startingAt: 0)
            out += "\(percent(alone.cleanApproved))       \(percent(alone.badBlocked))     \(percent(alone.precision))"
            out += "                  \(percent(both.cleanApproved))       \(percent(both.badBlocked))\n"
        }
        out += "rules alone: clean approved \(percent(rulesAlone.cleanApproved)), bad blocked \(percent(rulesAlone.badBlocked))\n"
        return out
    }
}
