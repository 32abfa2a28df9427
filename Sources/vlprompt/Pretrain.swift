// `vlprompt pretrain`: trains a small CLIP from scratch on the procedural world's captioned
// images (symmetric contrastive loss, AdamW, warm-up + cosine), with checkpoints and resume,
// and writes the result as a Hugging Face CLIP folder.

import ArgumentParser
import Foundation
import VLCLIP
import VLPretraining
import VLText
import VLWorld

struct Pretrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Pretrain a small CLIP on the built-in world's image-caption pairs.",
        discussion: """
            Step s trains on pretraining pairs s·batch ..< (s+1)·batch of the world, so a run is \
            reproducible from its settings and resumes exactly (--resume) from \
            OUT/checkpoint.safetensors. At the end the model is written to OUT/model as a \
            Hugging Face CLIP folder (config.json + model.safetensors) and its zero-shot accuracy \
            on every world dataset is printed.
            """)

    @Option(help: "Model size: \(PretrainingConfiguration.modelPresets.map(\.name).joined(separator: ", ")).")
    var config = "small"
    @Option(help: "Optimizer steps.") var steps = 1000
    @Option(help: "Image-caption pairs per step.") var batch = 128
    @Option(help: "Seed of the model initialization.") var seed: UInt64 = 0
    @Option(help: "Peak learning rate.") var lr = 1e-3
    @Option(help: "Linear warm-up steps (default: min(200, steps/10)).") var warmup: Int?
    @Option(help: "AdamW weight decay (matrices and embeddings).") var weightDecay = 0.1
    @Option(help: "Run folder (checkpoint, final model).") var out = "pretrain-run"
    @Flag(help: "Continue from OUT/checkpoint.safetensors if it exists.") var resume = false
    @Option(help: "Steps between checkpoints.") var checkpointEvery = 100
    @Option(help: "Steps between zero-shot evaluations on world:shapes (0: only at the end).") var evalEvery = 100
    @Option(help: "Steps between log lines on standard output.") var logEvery = 10
    @Option(help: "Storage of the final model's weights: float32 or float16.") var storage = "float16"
    @Flag(help: "No progress line on standard error.") var quiet = false
    @OptionGroup var threads: ThreadOptions

    func validate() throws {
        guard PretrainingConfiguration.modelPreset(named: config) != nil else {
            throw ValidationError("unknown --config '\(config)'")
        }
        guard WeightStorage(rawValue: storage) != nil else {
            throw ValidationError("--storage must be float32 or float16, got '\(storage)'")
        }
        for (name, value) in [("--checkpoint-every", checkpointEvery), ("--log-every", logEvery)] where value < 1 {
            throw ValidationError("\(name) must be ≥ 1, got \(value)")
        }
        guard evalEvery >= 0 else { throw ValidationError("--eval-every must be ≥ 0, got \(evalEvery)") }
    }

    func run() throws {
        let threadCount = try threads.apply()
        let configuration = PretrainingConfiguration(
            model: PretrainingConfiguration.modelPreset(named: config)!, steps: steps, batchSize: batch,
            learningRate: lr, warmupSteps: warmup, weightDecay: weightDecay, seed: seed)
        let options = RunOptions(
            folder: URL(fileURLWithPath: out), checkpointInterval: checkpointEvery, evaluationInterval: evalEvery)
        var progress = PretrainStatusLine(enabled: !quiet && isatty(STDERR_FILENO) != 0)
        let log = PretrainLog(logEvery: logEvery, totalSteps: steps)
        progress.print(
            "pretrain: config \(config), \(steps) steps × \(batch) pairs, seed \(seed), lr \(lr), "
                + "\(threadCount) threads")
        var run = try PretrainingRun(
            configuration: configuration, options: options, tokenizer: try BPETokenizer(), resume: resume
        ) { log.handle($0, progress: &progress) }
        progress.print("pretrain: \(run.trainer.model.parameterCount) parameters")
        let model = try run.run { log.handle($0, progress: &progress) }
        progress.finish()
        let folder = options.folder.appendingPathComponent("model")
        try model.save(
            huggingFaceFolder: folder, storage: WeightStorage(rawValue: storage)!,
            metadata: [
                "vlprompt.pretrain": "--config \(config) --steps \(steps) --batch \(batch) --seed \(seed) --lr \(lr)"
            ])
        progress.print("pretrain: wrote \(folder.path)")
        for result in try run.evaluate(WorldDatasetName.allCases, examplesPerClass: 32) {
            progress.print("final zero-shot: \(result.summary)")
        }
    }
}

/// Log lines on standard output and the progress line, fed by pretraining events.
struct PretrainLog {
    let logEvery: Int
    let totalSteps: Int

    func handle(_ event: PretrainingEvent, progress: inout PretrainStatusLine) {
        switch event {
        case .step(let statistics, let seconds):
            let line = String(
                format: "step %d/%d loss %.4f lr %.3g scale %.3f %.1fs",
                statistics.step, totalSteps, statistics.loss, statistics.learningRate,
                statistics.logitScale, seconds)
            progress.show(line)
            if statistics.step % logEvery == 0 { progress.print(line) }
        case .evaluation(let step, let results):
            for result in results { progress.print("eval step \(step): \(result.summary)") }
        case .checkpoint(let step, let url):
            progress.print("checkpoint step \(step): \(url.path)")
        case .resumed(let step, let url):
            progress.print("resumed at step \(step) from \(url.path)")
        }
    }
}

/// The live status line of a pretraining run on standard error (loss, learning rate, logit scale, time), redrawn in
/// place only on a terminal and cleared before each log line so the two never interleave. (Unlike
/// VLProgress.ProgressLine, it shows training statistics rather than items per second.)
struct PretrainStatusLine {
    let enabled: Bool
    private var shown = false

    init(enabled: Bool) { self.enabled = enabled }

    /// Replaces the status line with `text`.
    mutating func show(_ text: String) {
        guard enabled else { return }
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + text).utf8))
        shown = true
    }

    /// Prints `text` as a log line on standard output, keeping the status line below it.
    mutating func print(_ text: String) {
        if shown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        // Unbuffered, so a log redirected to a file is complete at every moment.
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
        shown = false
    }

    /// Ends the status line.
    mutating func finish() {
        if shown { FileHandle.standardError.write(Data("\n".utf8)) }
        shown = false
    }
}
