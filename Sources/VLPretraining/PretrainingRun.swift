// A whole pretraining run: steps until the configured count, with periodic zero-shot
// evaluation and checkpoints, resumable from its last checkpoint, ending in a Hugging Face folder.

import Foundation
import VLCLIP
import VLText
import VLWorld

/// Something that happened during a run, for progress displays and logs.
public enum PretrainingEvent: Sendable {
    /// A step finished; `seconds` is the wall time since the run (or resumption) started.
    case step(StepStatistics, seconds: Double)
    /// Zero-shot accuracies after `step` steps.
    case evaluation(step: Int, results: [ZeroShotResult])
    /// A checkpoint was written.
    case checkpoint(step: Int, url: URL)
    /// The run resumed from a checkpoint at `step`.
    case resumed(step: Int, url: URL)
}

/// How often a run evaluates and saves, and where; none of this changes the trajectory.
public struct RunOptions: Sendable {
    /// The run's folder: `checkpoint.safetensors` and, at the end, the model folder.
    public var folder: URL
    /// Steps between checkpoints (and a checkpoint at the end).
    public var checkpointInterval: Int
    /// Steps between zero-shot evaluations (0: only at the end).
    public var evaluationInterval: Int
    /// Datasets evaluated periodically.
    public var evaluationDatasets: [WorldDatasetName]
    /// Test images per class in periodic evaluations.
    public var examplesPerClass: Int

    /// Options with `folder` and the given intervals.
    public init(
        folder: URL, checkpointInterval: Int = 100, evaluationInterval: Int = 100,
        evaluationDatasets: [WorldDatasetName] = [.shapes], examplesPerClass: Int = 8
    ) {
        self.folder = folder
        self.checkpointInterval = checkpointInterval
        self.evaluationInterval = evaluationInterval
        self.evaluationDatasets = evaluationDatasets
        self.examplesPerClass = examplesPerClass
    }

    /// The checkpoint file in ``folder``.
    public var checkpointURL: URL { folder.appendingPathComponent("checkpoint.safetensors") }
}

/// Runs pretraining to completion.
public struct PretrainingRun {
    public var trainer: Pretrainer
    public let options: RunOptions
    let probe: ZeroShotProbe

    /// A run of `configuration`; with `resume`, continues from the checkpoint in the folder when
    /// one exists (it must belong to the same configuration).
    public init(
        configuration: PretrainingConfiguration, options: RunOptions, tokenizer: BPETokenizer, resume: Bool,
        report: (PretrainingEvent) -> Void = { _ in }
    ) throws {
        trainer = try Pretrainer(configuration: configuration, tokenizer: tokenizer)
        self.options = options
        probe = ZeroShotProbe(tokenizer: tokenizer, examplesPerClass: options.examplesPerClass)
        let checkpoint = options.checkpointURL
        if resume && FileManager.default.fileExists(atPath: checkpoint.path) {
            try PretrainingCheckpoint.restore(&trainer, from: checkpoint)
            report(.resumed(step: trainer.step, url: checkpoint))
        }
    }

    /// Trains until the configured step count, reporting as it goes, and returns the model.
    public mutating func run(report: (PretrainingEvent) -> Void) throws -> CLIP {
        let start = Date()
        let total = trainer.configuration.steps
        while trainer.step < total {
            let statistics = try trainer.trainStep()
            guard statistics.loss.isFinite else {
                throw PretrainingError.invalidConfiguration("loss became \(statistics.loss) at step \(statistics.step)")
            }
            report(.step(statistics, seconds: Date().timeIntervalSince(start)))
            let step = trainer.step
            if options.evaluationInterval > 0 && step % options.evaluationInterval == 0 && step < total {
                report(.evaluation(step: step, results: try evaluate(options.evaluationDatasets)))
            }
            if step % options.checkpointInterval == 0 || step == total {
                try PretrainingCheckpoint.save(trainer, to: options.checkpointURL)
                report(.checkpoint(step: step, url: options.checkpointURL))
            }
        }
        return trainer.model
    }

    /// Zero-shot results of the current model on `datasets` (world at the run's seed).
    public func evaluate(_ datasets: [WorldDatasetName], examplesPerClass: Int? = nil) throws -> [ZeroShotResult] {
        var probe = probe
        if let examplesPerClass { probe.examplesPerClass = examplesPerClass }
        return try datasets.map { try probe.evaluate(trainer.model, on: trainer.world.dataset($0)) }
    }
}
