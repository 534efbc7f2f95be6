public import Foundation
public import StandardsPolicy

/// Trains an ``AbuseModel`` from labelled comments (`modctl model train`): L2-regularized logistic regression, the
/// classes weighted equally, minimized by L-BFGS over the whole set at once. The objective is the mean weighted log
/// loss plus `l2 / 2 · ‖w‖²` over every weight (not only the weights a comment touches), so a rare n-gram seen in two
/// abusive comments cannot grow a weight that outvotes a sentence. Deterministic: no sampling; the seed draws only the folds
/// that choose the threshold.
public enum ModelTraining {
    public struct Options: Sendable {
        /// 2^15: on the shared Korean set, five-fold cross-validation blocks as much as with 2^16 or 2^18 (35.6 %
        /// against 35.8 % and 34 %), the one-byte weights fit a core's first-level cache (32 KB), and the model file
        /// is 44 KB.
        public var buckets = 1 << 15
        /// L-BFGS iterations at most (it stops earlier once the objective stops improving).
        public var iterations = 300
        /// The L2 penalty per example: 1 / (C · examples) in the terms of scikit-learn's `C`. Chosen by five-fold
        /// cross-validation on the shared set's train split (3e-6 … 7e-5 tried; deploy/models/README.md).
        public var l2: Float = 3e-5
        public var seed: UInt64 = 1
        /// The share of clean comments the suggested threshold approves (with the rules, when given).
        public var targetCleanApproval = 0.97
        /// What one extra clean text (``ModelTraining/train(_:cleanLabel:blockedByRules:extraClean:options:provenance:)``)
        /// weighs against one labelled clean comment.
        /// 0.02: on the shared Korean set with wordfreq's everyday words, the shipped model's one-word holds of those
        /// words went from 169 to 6 of 26,741 held out, for 0.9 points of cross-validated recall (BENCHMARKS.md).
        public var extraCleanWeight: Float = 0.02

        public init() {}
    }

    /// What training reports beside the model.
    public struct Report: Sendable {
        /// The labelled comments (the extra clean texts are not among them).
        public var examples: Int
        public var extraClean: Int
        public var folds: Int
        public var iterations: Int
        public var threshold: Double
        /// On every comment, scored by the fold's model that did not see it, at the threshold (with the rules, when
        /// the caller gave their verdicts).
        public var cleanApproved: Double
        public var badBlocked: Double
    }

    /// One comment as training reads it: its buckets (with repeats), the feature scale `1/√n`, its label and weight.
    struct Example {
        var buckets: [Int]
        var x: Float
        var label: Float
        var weight: Float
        /// An extra clean text: weighed by `extraCleanWeight`, never part of the threshold's choice.
        var isExtra = false
    }

    /// Trains on every row, and chooses the threshold by cross-validation: each of `folds` models, trained without one
    /// part, scores that part, and the threshold is the lowest that approves `targetCleanApproval` of the clean
    /// comments so scored, together with the rules (`blockedByRules[i]`: the policy holds or rejects row `i`), so the
    /// threshold is the one the model will work at beside them.
    ///
    /// `extraClean`: texts known to be clean that are not comments, such as everyday words, so that the model learns
    /// that their fragments alone are no evidence (a labelled set of long comments never shows it a one-word comment).
    /// Each weighs `extraCleanWeight` of a labelled clean comment; each fold's model learns from the four fifths of them
    /// that fold does not set aside, and the threshold is still chosen on the labelled comments alone.
    public static func train(
        _ rows: [LabelledEvaluation.Row],
        cleanLabel: String,
        blockedByRules: [Bool]? = nil,
        extraClean: [String] = [],
        options: Options = Options(),
        provenance: [String: String] = [:]
    ) -> (AbuseModel, Report) {
        precondition(blockedByRules == nil || blockedByRules?.count == rows.count, "one rules verdict per row")
        var features: [AbuseModel.Feature] = []
        func example(_ text: String, label: Float, isExtra: Bool) -> Example {
            features.removeAll(keepingCapacity: true)
            AbuseModel.features(of: TextNormalizer.normalize(text), buckets: options.buckets, into: &features)
            return Example(
                buckets: features.map(\.bucket),
                x: 1 / Float(max(1, features.count)).squareRoot(),
                label: label,
                weight: 1,
                isExtra: isExtra
            )
        }
        let all = rows.map { example($0.text, label: $0.label == cleanLabel ? 0 : 1, isExtra: false) }
        let extras = extraClean.map { example($0, label: 0, isExtra: true) }
        // Folds drawn by the seed; too few comments for five folds of ten or more get none (threshold 0.5).
        var generator = SeededGenerator(state: options.seed)
        var order = Array(all.indices)
        order.shuffle(using: &generator)
        let folds = all.count >= 50 ? 5 : 0
        var outOfFold = [Double](repeating: 0, count: all.count)
        for fold in 0..<folds {
            let held = Set(order.indices.filter { $0 % folds == fold }.map { order[$0] })
            let kept = all.indices.filter { !held.contains($0) }.map { all[$0] } + extras.indices.filter { $0 % folds != fold }.map { extras[$0] }
            let (weights, bias, _) = fit(kept, options: options)
            let model = AbuseModel(buckets: options.buckets, weights: weights, bias: bias)
            for index in held { outOfFold[index] = model.score(all[index].buckets.map { AbuseModel.Feature(bucket: $0) }) }
        }
        let (weights, bias, iterations) = fit(all + extras, options: options)
        var model = AbuseModel(buckets: options.buckets, weights: weights, bias: bias, provenance: provenance)
        let ruled = blockedByRules ?? [Bool](repeating: false, count: all.count)
        // The threshold: the lowest that still approves the target share of the clean comments, rules included.
        var threshold = 0.5
        let cleanTotal = all.filter { $0.label == 0 }.count
        if folds > 0, cleanTotal > 0 {
            let cleanScores = all.indices.filter { all[$0].label == 0 && !ruled[$0] }.map { outOfFold[$0] }.sorted()
            // How many clean comments the model may still block, after those the rules already do.
            let mayBlock = cleanTotal - Int((Double(cleanTotal) * options.targetCleanApproval).rounded(.up)) - (cleanTotal - cleanScores.count)
            if mayBlock < 0 {
                threshold = 0.99
            } else if mayBlock < cleanScores.count {
                threshold = min(0.99, max(0.5, cleanScores[cleanScores.count - 1 - mayBlock] + 1e-6))
            }
        }
        model.threshold = (threshold * 1000).rounded(.up) / 1000
        let blocked = all.indices.map { ruled[$0] || (folds > 0 && outOfFold[$0] >= model.threshold) }
        let clean = all.indices.filter { all[$0].label == 0 }
        let bad = all.indices.filter { all[$0].label == 1 }
        let report = Report(
            examples: all.count,
            extraClean: extras.count,
            folds: folds,
            iterations: iterations,
            threshold: model.threshold,
            cleanApproved: clean.isEmpty ? 0 : Double(clean.filter { !blocked[$0] }.count) / Double(clean.count),
            badBlocked: bad.isEmpty ? 0 : Double(bad.filter { blocked[$0] }.count) / Double(bad.count)
        )
        return (model, report)
    }

    /// The weights and bias that minimize the objective over `examples`, the labelled classes weighted equally (an
    /// extra clean text weighs `extraCleanWeight` of a labelled clean comment).
    static func fit(_ examples: [Example], options: Options) -> (weights: [Float], bias: Float, iterations: Int) {
        var training = examples
        let labelled = training.filter { !$0.isExtra }
        let positives = labelled.filter { $0.label == 1 }.count
        let negatives = labelled.count - positives
        for index in training.indices {
            let count = training[index].label == 1 ? positives : negatives
            let classWeight = Float(labelled.count) / Float(2 * max(1, count))
            training[index].weight = training[index].isExtra ? classWeight * options.extraCleanWeight : classWeight
        }
        let objective = Objective(examples: training, dimensions: options.buckets, l2: options.l2)
        let (solution, iterations) = LBFGS.minimize(
            objective,
            start: [Float](repeating: 0, count: options.buckets + 1),
            iterations: options.iterations
        )
        return (Array(solution[0..<options.buckets]), solution[options.buckets], iterations)
    }

    /// The training objective and its gradient: weights `0..<dimensions`, the bias last (not penalized).
    struct Objective {
        let examples: [Example]
        let dimensions: Int
        let l2: Float
        let totalWeight: Float

        init(examples: [Example], dimensions: Int, l2: Float) {
            self.examples = examples
            self.dimensions = dimensions
            self.l2 = l2
            totalWeight = max(1, examples.reduce(0) { $0 + $1.weight })
        }

        /// The objective at `point`, its gradient written into `gradient`. Sums in Double: the loss of thousands of
        /// comments, compared between line-search steps, needs more than a Float's digits.
        func value(at point: [Float], gradient: inout [Float]) -> Double {
            for index in gradient.indices { gradient[index] = 0 }
            let bias = point[dimensions]
            var loss = 0.0
            var biasGradient: Float = 0
            for example in examples {
                var z = bias
                for bucket in example.buckets { z += point[bucket] * example.x }
                // log(1 + e^z) - y·z, computed without overflow.
                let softplus = z > 0 ? Double(z) + log1p(exp(-Double(z))) : log1p(exp(Double(z)))
                loss += Double(example.weight) * (softplus - Double(example.label * z))
                let p = 1 / (1 + exp(-z))
                let g = (p - example.label) * example.weight / totalWeight
                biasGradient += g
                let gx = g * example.x
                for bucket in example.buckets { gradient[bucket] += gx }
            }
            var penalty = 0.0
            for index in 0..<dimensions {
                let w = point[index]
                penalty += Double(w * w)
                gradient[index] += l2 * w
            }
            gradient[dimensions] = biasGradient
            return loss / Double(totalWeight) + Double(l2) / 2 * penalty
        }
    }
}

/// Limited-memory BFGS (Nocedal & Wright, algorithm 7.4, with a backtracking Armijo line search): the standard way to
/// fit a smooth convex objective over hundreds of thousands of weights in a few hundred gradient evaluations.
enum LBFGS {
    /// The minimizer found from `start` and how many iterations it took; stops when an iteration improves the objective
    /// by less than a part in 10^7, or after `iterations`.
    static func minimize(_ objective: ModelTraining.Objective, start: [Float], iterations: Int, memory: Int = 10) -> ([Float], Int) {
        var x = start
        var gradient = [Float](repeating: 0, count: x.count)
        var value = objective.value(at: x, gradient: &gradient)
        var steps: [[Float]] = []
        var changes: [[Float]] = []
        var rhos: [Float] = []
        var candidate = x
        var candidateGradient = gradient
        func dot(_ a: [Float], _ b: [Float]) -> Float {
            var sum: Float = 0
            for index in a.indices { sum += a[index] * b[index] }
            return sum
        }
        var done = 0
        for iteration in 1...max(1, iterations) {
            done = iteration
            // The two-loop recursion: direction = -H·gradient.
            var q = gradient
            var alphas = [Float](repeating: 0, count: steps.count)
            for index in steps.indices.reversed() {
                alphas[index] = rhos[index] * dot(steps[index], q)
                for k in q.indices { q[k] -= alphas[index] * changes[index][k] }
            }
            if let lastStep = steps.last, let lastChange = changes.last {
                let scale = dot(lastStep, lastChange) / max(1e-20, dot(lastChange, lastChange))
                for k in q.indices { q[k] *= scale }
            } else {
                let norm = dot(gradient, gradient).squareRoot()
                if norm > 0 { for k in q.indices { q[k] /= norm } }
            }
            for index in steps.indices {
                let beta = rhos[index] * dot(changes[index], q)
                for k in q.indices { q[k] += steps[index][k] * (alphas[index] - beta) }
            }
            var slope = -dot(gradient, q)
            if slope >= 0 {
                // Not a descent direction (rounding): start again from the gradient.
                steps.removeAll()
                changes.removeAll()
                rhos.removeAll()
                q = gradient
                slope = -dot(gradient, gradient)
            }
            // Backtracking: halve the step until the objective falls enough.
            var stepLength: Float = 1
            var newValue = value
            var accepted = false
            for _ in 0..<40 {
                for k in x.indices { candidate[k] = x[k] - stepLength * q[k] }
                newValue = objective.value(at: candidate, gradient: &candidateGradient)
                if newValue <= value + 1e-4 * Double(stepLength * slope) {
                    accepted = true
                    break
                }
                stepLength /= 2
            }
            guard accepted else { break }
            var step = [Float](repeating: 0, count: x.count)
            var change = [Float](repeating: 0, count: x.count)
            for k in x.indices {
                step[k] = candidate[k] - x[k]
                change[k] = candidateGradient[k] - gradient[k]
            }
            let curvature = dot(step, change)
            if curvature > 1e-12 {
                steps.append(step)
                changes.append(change)
                rhos.append(1 / curvature)
                if steps.count > memory {
                    steps.removeFirst()
                    changes.removeFirst()
                    rhos.removeFirst()
                }
            }
            let improvement = value - newValue
            swap(&x, &candidate)
            swap(&gradient, &candidateGradient)
            value = newValue
            if improvement < 1e-7 * max(1, abs(value)) { break }
        }
        return (x, done)
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
                threshold: threshold,
                cleanApproved: clean.isEmpty ? 0 : Double(clean.filter { !$0.1 }.count) / Double(clean.count),
                badBlocked: bad.isEmpty ? 0 : Double(bad.filter { $0.1 }.count) / Double(bad.count),
                precision: blockedCount == 0 ? 0 : Double(bad.filter { $0.1 }.count) / Double(blockedCount)
            )
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
