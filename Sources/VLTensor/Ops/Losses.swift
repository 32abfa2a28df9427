// Classification and regression losses composed from differentiable primitives: cross-entropy
// with label smoothing and KL divergence follow torch.nn.functional's definitions exactly.

/// How a loss turns its per-element terms into one scalar.
public enum LossReduction: Sendable, Equatable {
    /// The plain sum.
    case sum
    /// The sum divided by the number of elements (PyTorch `reduction="mean"`).
    case mean
    /// The sum divided by the first extent, the batch (PyTorch `reduction="batchmean"`).
    case batchMean

    /// `terms` (any shape, batch first) reduced to a scalar.
    func apply(to terms: Tensor) -> Tensor {
        switch self {
        case .sum: terms.sum()
        case .mean: terms.mean()
        case .batchMean: terms.sum().scaled(by: 1 / Float(Swift.max(terms.shape.first ?? 1, 1)))
        }
    }
}

extension Tensor {
    /// Mean cross-entropy of `logits` against integer `labels`, as `F.cross_entropy`.
    ///
    /// With label smoothing `ε` the loss is `(1 − ε) · NLL + ε · mean_c(−log p_c)` per example
    /// (PyTorch's definition: the target mixes the one-hot label with a uniform distribution).
    ///
    /// - Parameters:
    ///   - logits: `[batch, classes]` unnormalized scores.
    ///   - labels: `batch` class indices in `0..<classes`.
    ///   - labelSmoothing: `ε` in `0...1`.
    /// - Returns: a scalar.
    public static func crossEntropy(
        logits: Tensor, labels: [Int], labelSmoothing: Float = 0
    ) -> Tensor {
        precondition(
            logits.rank == 2 && logits.shape[0] == labels.count,
            "crossEntropy needs [batch, classes] logits for \(labels.count) labels, got \(logits.shape)")
        precondition((0...1).contains(labelSmoothing), "label smoothing \(labelSmoothing) not in 0...1")
        let classes = logits.shape[1]
        var target = oneHot(labels: labels, classes: classes)
        if labelSmoothing > 0 {
            target = target.scaled(by: 1 - labelSmoothing).shifted(by: labelSmoothing / Float(classes))
        }
        return -LossReduction.batchMean.apply(to: logits.logProbabilitiesAlongLastAxis() * target)
    }

    /// `KL(p ‖ q) = Σ p · (log p − log q)` where `self` holds `log q` (log-probabilities of the
    /// model) and `target` holds `p`: `F.kl_div(input: self, target: target, reduction:,
    /// log_target:)`.
    ///
    /// The divergence is of the model from the target, so gradients push `q` towards `p`.
    /// Zero target probabilities contribute 0 (PyTorch's `xlogy` convention).
    ///
    /// - Parameters:
    ///   - target: `p`, shaped like `self` (`[batch, classes]` in the usual use); probabilities,
    ///     or log-probabilities when `logTarget` is true.
    ///   - reduction: `.batchMean` (the mathematically correct KL per example, and PyTorch's
    ///     recommended choice), `.mean` over all elements, or `.sum`.
    /// - Returns: a scalar.
    public func klDivergence(
        target: Tensor, logTarget: Bool = false, reduction: LossReduction = .batchMean
    ) -> Tensor {
        precondition(target.shape == shape, "klDivergence target \(target.shape) differs from \(shape)")
        let terms =
            logTarget
            ? target.exp() * (target - self)
            // Clamping inside the log keeps 0 · log 0 at 0 instead of NaN.
            : target * (target.clamped(min: .leastNormalMagnitude).log() - self)
        return reduction.apply(to: terms)
    }

    /// `KL(softmax(targetLogits / T) ‖ softmax(logits / T))` along the last axis: the
    /// distillation term that pulls a prompted model's class distribution towards a frozen
    /// zero-shot teacher's.
    ///
    /// - PromptSRC: `klDivergence(logits: prompted, targetLogits: zeroShot, reduction: .mean)`
    ///   (it sums and divides by the number of logits).
    /// - ProGrad: `klDivergence(logits: student, targetLogits: teacher, temperature: T)` times
    ///   `T²`. ProGrad's code uses the soft-target cross-entropy `−Σ p log q`, which differs from
    ///   this by the teacher's entropy: a constant, so gradients are identical, loss values not.
    ///
    /// - Parameters:
    ///   - logits: `[batch, classes]` of the model being trained (`q`).
    ///   - targetLogits: `[batch, classes]` of the target (`p`); pass it detached for a frozen
    ///     teacher.
    ///   - temperature: divides both logits before the softmax; no `T²` factor is applied.
    /// - Returns: a scalar.
    public static func klDivergence(
        logits: Tensor, targetLogits: Tensor, temperature: Float = 1,
        reduction: LossReduction = .batchMean
    ) -> Tensor {
        precondition(
            logits.shape == targetLogits.shape,
            "klDivergence logits \(logits.shape) and target logits \(targetLogits.shape) differ")
        let scale = 1 / temperature
        let logQ = logits.scaled(by: scale).logProbabilitiesAlongLastAxis()
        let logP = targetLogits.scaled(by: scale).logProbabilitiesAlongLastAxis()
        return logQ.klDivergence(target: logP, logTarget: true, reduction: reduction)
    }

    /// Mean absolute difference `mean |self − target|` (`F.l1_loss`); shapes must match.
    public func l1Loss(_ target: Tensor) -> Tensor {
        precondition(target.shape == shape, "l1Loss target \(target.shape) differs from \(shape)")
        return (self - target).abs().mean()
    }

    /// Mean squared difference `mean (self − target)²` (`F.mse_loss`); shapes must match.
    public func mseLoss(_ target: Tensor) -> Tensor {
        precondition(target.shape == shape, "mseLoss target \(target.shape) differs from \(shape)")
        return (self - target).squared().mean()
    }

    /// `x − logsumexp(x)` along the last axis: log-probabilities, composed so it needs no
    /// backward of its own.
    func logProbabilitiesAlongLastAxis() -> Tensor {
        self - logSumExp(alongAxis: -1, keepingAxis: true)
    }
}
