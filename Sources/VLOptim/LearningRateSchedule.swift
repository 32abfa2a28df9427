// Learning-rate schedules as Dassl builds them (dassl/optim/lr_scheduler.py): torch's
// CosineAnnealingLR or a constant rate, behind an optional constant or linear warm-up, stepped
// once per epoch (CoOp, CoCoOp, MaPLe, …) or once per iteration (DAPL).

import Foundation

/// The learning rate at every point of training, as a pure function of position.
///
/// Time is counted in *scheduler steps* `t`: the number of times Dassl's `scheduler.step()` has
/// run before the batch. Stepping ``Stepping/perEpoch``, `t` is the 0-based epoch; stepping
/// ``Stepping/perIteration``, it is `epoch · iterationsPerEpoch + iteration`. Then, with base
/// rate `lr` and warm-up length `W` (0 without warm-up):
///
/// - `t < W`, constant warm-up: the warm-up rate.
/// - `t < W`, linear warm-up: the start rate at `t = 0`, else `lr · t / W`.
/// - `t ≥ W`: the decay at `s = t − W` (Dassl's `WARMUP_RECOUNT = True`: the cosine restarts
///   after warm-up), either `lr`, or for cosine with length `T`
///   `lr · ½ · (1 + cos(π · s / T))`, which is torch's CosineAnnealingLR (`eta_min` 0) in
///   closed form, periodic with period `2T` past `T`.
///
/// CoOp's default (``dassl(baseLearningRate:maximumEpoch:warmupEpochs:warmupLearningRate:)``
/// with 1 warm-up epoch at 1e-5) therefore trains epoch 0 at 1e-5 and epoch `e ≥ 1` at
/// `lr · ½ · (1 + cos(π · (e − 1) / maxEpoch))`, never reaching 0. DAPL steps per iteration with
/// `T = 25` and a 1-step linear warm-up from 1e-5, so its cosine cycles every 50 iterations:
///
///     LearningRateSchedule(
///         baseLearningRate: 3e-3, decay: .cosine(steps: 25),
///         warmup: .linear(steps: 1, startLearningRate: 1e-5), stepping: .perIteration)
///
/// Dassl's `WARMUP_RECOUNT = False` (the cosine continuing from `W`) is not modelled; none of the
/// reproduced methods uses it.
public struct LearningRateSchedule: Codable, Sendable, Equatable {
    /// How the rate evolves after warm-up.
    public enum Decay: Codable, Sendable, Equatable {
        /// The base rate throughout (Dassl without a scheduler; L2P).
        case constant
        /// Cosine annealing from the base rate towards 0 over `steps` scheduler steps (torch
        /// CosineAnnealingLR with `T_max = steps`; Dassl passes `MAX_EPOCH`).
        case cosine(steps: Int)
    }

    /// Dassl's warm-up before the decay starts.
    public enum Warmup: Codable, Sendable, Equatable {
        /// `WARMUP_TYPE = "constant"`: `learningRate` for the first `steps` scheduler steps.
        case constant(steps: Int, learningRate: Double)
        /// `WARMUP_TYPE = "linear"`: `startLearningRate` at step 0, then `lr · t / steps`.
        case linear(steps: Int, startLearningRate: Double)

        /// `W`, the warm-up length in scheduler steps.
        public var steps: Int {
            switch self {
            case .constant(let steps, _), .linear(let steps, _): steps
            }
        }
    }

    /// When the scheduler steps.
    public enum Stepping: String, Codable, Sendable {
        /// Once per epoch, after its last batch (Dassl's default).
        case perEpoch
        /// After every batch (DAPL).
        case perIteration
    }

    /// `lr`, the rate the decay starts from (`OPTIM.LR`).
    public var baseLearningRate: Double
    /// The decay after warm-up.
    public var decay: Decay
    /// The warm-up, if any.
    public var warmup: Warmup?
    /// When the scheduler steps.
    public var stepping: Stepping

    /// A schedule; the values must be valid (``validate()``).
    public init(
        baseLearningRate: Double, decay: Decay, warmup: Warmup? = nil,
        stepping: Stepping = .perEpoch
    ) {
        self.baseLearningRate = baseLearningRate
        self.decay = decay
        self.warmup = warmup
        self.stepping = stepping
    }

    /// Dassl's cosine schedule with constant warm-up as CoOp, CoCoOp, KgCoOp, MaPLe, PromptSRC and
    /// TCP configure it: `T = maximumEpoch`, `warmupEpochs` at `warmupLearningRate`, stepped
    /// per epoch, recounting after warm-up.
    public static func dassl(
        baseLearningRate: Double, maximumEpoch: Int, warmupEpochs: Int = 1,
        warmupLearningRate: Double = 1e-5
    ) -> LearningRateSchedule {
        LearningRateSchedule(
            baseLearningRate: baseLearningRate, decay: .cosine(steps: maximumEpoch),
            warmup: warmupEpochs > 0
                ? .constant(steps: warmupEpochs, learningRate: warmupLearningRate) : nil)
    }

    /// The same rate for every step.
    public static func constant(_ learningRate: Double) -> LearningRateSchedule {
        LearningRateSchedule(baseLearningRate: learningRate, decay: .constant)
    }

    // MARK: - Rates

    /// The rate for the batch at `iteration` (0-based) of `epoch` (0-based).
    ///
    /// - Parameter iterationsPerEpoch: batches per epoch; only read when stepping per iteration.
    public func learningRate(epoch: Int, iteration: Int = 0, iterationsPerEpoch: Int = 1) -> Double {
        precondition(epoch >= 0 && iteration >= 0, "epoch \(epoch), iteration \(iteration)")
        switch stepping {
        case .perEpoch:
            return learningRate(afterSteps: epoch)
        case .perIteration:
            precondition(iteration < iterationsPerEpoch, "iteration \(iteration) of \(iterationsPerEpoch)")
            return learningRate(afterSteps: epoch * iterationsPerEpoch + iteration)
        }
    }

    /// The rate after `t` scheduler steps (see the type's documentation for the formula).
    public func learningRate(afterSteps t: Int) -> Double {
        precondition(t >= 0, "negative scheduler step \(t)")
        switch warmup {
        case .constant(let steps, let rate) where t < steps:
            return rate
        case .linear(let steps, let start) where t < steps:
            return t == 0 ? start : baseLearningRate * Double(t) / Double(steps)
        default:
            return decayed(afterSteps: t - (warmup?.steps ?? 0))
        }
    }

    private func decayed(afterSteps s: Int) -> Double {
        switch decay {
        case .constant:
            return baseLearningRate
        case .cosine(let steps):
            return baseLearningRate * 0.5 * (1 + cos(Double.pi * Double(s) / Double(steps)))
        }
    }

    // MARK: - Validation

    /// Throws unless rates are finite and non-negative and lengths are positive (the warm-up
    /// may be 0 steps long).
    public func validate() throws(OptimizerConfigurationError) {
        try OptimizerConfigurationError.require(
            baseLearningRate >= 0 && baseLearningRate.isFinite, "baseLearningRate",
            baseLearningRate, "finite and ≥ 0")
        if case .cosine(let steps) = decay {
            try OptimizerConfigurationError.require(steps >= 1, "decay.cosine.steps", steps, "≥ 1")
        }
        switch warmup {
        case .constant(let steps, let rate), .linear(let steps, let rate):
            try OptimizerConfigurationError.require(steps >= 0, "warmup.steps", steps, "≥ 0")
            try OptimizerConfigurationError.require(
                rate >= 0 && rate.isFinite, "warmup learning rate", rate, "finite and ≥ 0")
        case nil:
            break
        }
    }

    enum CodingKeys: String, CodingKey { case baseLearningRate, decay, warmup, stepping }

    /// Decodes a schedule (`stepping` defaults to per epoch) and validates it.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            baseLearningRate: try container.decode(Double.self, forKey: .baseLearningRate),
            decay: try container.decode(Decay.self, forKey: .decay),
            warmup: try container.decodeIfPresent(Warmup.self, forKey: .warmup),
            stepping: try container.decodeIfPresent(Stepping.self, forKey: .stepping) ?? .perEpoch)
        do {
            try validate()
        } catch {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }
}
