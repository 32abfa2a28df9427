// `vlprompt demo` (`make demo`): the embedded default end to end (issue 5). On the shipped
// world-clip and world:shapes, the base-to-novel protocol of CoCoOp (methods-text.md §3.3) with
// 16 shots per base class for zero-shot CLIP and the prompt learners, then one comparison table.

import ArgumentParser
import Foundation
import VLData
import VLEvaluation
import VLFormats
import VLMethods
import VLProgress
import VLTraining

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Zero-shot CLIP against prompt learning on the embedded model and world, in minutes.",
        discussion: """
            Trains each method on 16 shots of the 18 base classes of world:shapes (seed 1) with \
            the embedded world-clip, tests on the base classes and on the 18 novel classes the \
            prompts never saw, and prints Base, Novel and their harmonic mean (HM) per method \
            with the chance level. The output folder receives one run folder per method \
            (prompt, run.json, few-shot subset), table.md, table.csv and plot.svg (grouped bars).

            Settings: the official recipes (SGD at 0.002 with momentum 0.9 and weight decay 5e-4, \
            one warm-up epoch at 1e-5, cosine decay) without training augmentation: world images \
            are 32 pixels and Dassl's random crops (down to 8% of the area) often cut out the \
            object that names the class (CoOp's base accuracy: 45.8 with them, 48+ without, \
            mean of 3 seeds at 50 epochs).
            \(DemoMethod.catalog.map { "  \($0.kind.rawValue): \($0.summary)" }.joined(separator: "\n"))
            """)

    @Option(
        help: ArgumentHelp(
            "Methods to compare, comma-separated, from "
                + DemoMethod.catalog.map(\.kind.rawValue).joined(separator: ", ") + ".",
            valueName: "list"),
        transform: DemoMethod.parseList)
    var methods: [DemoMethod] = DemoMethod.defaults

    @Option(help: "Output folder (its method folders, tables and plot are replaced).") var out = "runs/demo"
    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var tokenizerOptions: TokenizerOptions
    @Option(help: "Seed for the few-shot subset, initialization and batch order.") var seed: UInt64 = 1
    @Flag(help: "Print one JSON line {\"chance\": c, METHOD: {\"base\", \"novel\", \"hm\"}, …} (percent).")
    var json = false
    @Flag(help: "No progress on standard error.") var quiet = false
    /// Test-only: fewer shots than the demo's 16.
    @Option(help: .hidden) var shots = 16
    /// Test-only: every trained method's epochs.
    @Option(help: .hidden) var epochs: Int?
    @OptionGroup var imageLoading: ImageLoadingOptions
    @OptionGroup var threading: ThreadOptions

    /// The world dataset the demo runs on.
    static let dataset = "world:shapes"

    func validate() throws {
        guard shots >= 1 else { throw ValidationError("--shots must be at least 1, got \(shots)") }
        if let epochs, epochs < 0 { throw ValidationError("--epochs must be ≥ 0, got \(epochs)") }
        guard !methods.isEmpty else { throw ValidationError("--methods needs at least one method") }
    }

    func run() throws { print(try execute()) }

    /// Runs every method, writes the report folder and returns what standard output shows.
    func execute() throws -> String {
        let started = Date()
        let threads = try threading.apply()
        let resolved = try ModelResolver().resolve(modelOptions, tokenizer: tokenizerOptions)
        let source = try DataResolution.source(Self.dataset, root: nil)
        let folder = URL(fileURLWithPath: out)
        var directories: [URL] = []
        for method in methods {
            let directory = folder.appendingPathComponent(method.kind.rawValue)
            if FileManager.default.fileExists(atPath: directory.path) {
                try FileManager.default.removeItem(at: directory)
            }
            let progress = DemoProgress(method: method.title, quiet: quiet)
            let run = PromptRun(
                configuration: method.configuration, recipe: method.recipe(shots: shots, epochs: epochs),
                shots: shots, seed: seed, subsample: .base, directory: directory, imageLoading: imageLoading)
            progress.report(try run.execute(resolved: resolved, source: source, threads: threads, progress: progress))
            directories.append(directory)
        }
        let comparison = try MethodComparison(
            report: try Report(runs: try LoadedRun.load(from: directories)), dataset: source.identifier,
            methods: methods.map { ($0.kind.rawValue, $0.title) }, chance: try chance(source))
        try write(comparison, to: folder)
        if !quiet { note("vlprompt demo: finished in \(Int(Date().timeIntervalSince(started).rounded())) s") }
        return json ? try jsonLine(DemoResult(comparison)) : summary(comparison)
    }

    /// 100 / classes on the base and on the novel half.
    private func chance(_ source: any DatasetSource) throws -> BaseNovelScore {
        let classes = try source.load(LoadOptions()).classNames.count
        let base = (classes + 1) / 2
        return BaseNovelScore(
            base: MethodComparison.rounded(100 / Double(base)),
            novel: MethodComparison.rounded(100 / Double(max(classes - base, 1))))
    }

    /// The caption under the table: what was run.
    private func caption(_ comparison: MethodComparison) -> String {
        """
        \(comparison.dataset), \(modelOptions.model ?? ModelOptions.defaultModel), \(shots) shots per base class, seed \(seed). \
        Trained on the base classes, tested on base and on the novel classes (never seen in training); \
        HM = 2·Base·Novel/(Base + Novel); top-1 accuracy in percent.
        """
    }

    private func summary(_ comparison: MethodComparison) -> String {
        comparison.markdown() + "\n\n" + caption(comparison) + "\nRuns, prompts, table.md, table.csv and plot.svg: \(out)/"
    }

    private func write(_ comparison: MethodComparison, to folder: URL) throws {
        let markdown = "# VLPrompt demo: base-to-novel on \(comparison.dataset)\n\n" + comparison.markdown() + "\n\n"
            + caption(comparison) + "\n"
        try AtomicFile.write(Data(markdown.utf8), to: folder.appendingPathComponent("table.md"))
        try AtomicFile.write(Data(comparison.csv().utf8), to: folder.appendingPathComponent("table.csv"))
        try AtomicFile.write(Data(comparison.svg().utf8), to: folder.appendingPathComponent("plot.svg"))
    }
}

/// A method as the demo runs it: its options and its recipe.
struct DemoMethod {
    let kind: MethodKind
    /// The name in tables.
    let title: String
    let configuration: MethodConfiguration
    /// Epochs at 16 shots (the official recipe's otherwise).
    let epochs: Int
    /// One line for `--help`.
    let summary: String

    /// The methods the demo can run, in table order: fast enough on two cores.
    static let catalog: [DemoMethod] = [
        DemoMethod(
            kind: .zeroShot, title: "Zero-shot CLIP", configuration: MethodConfiguration(kind: .zeroShot), epochs: 0,
            summary: "the hand-written prompt \"a photo of a {}.\", no training"),
        DemoMethod(
            kind: .coop, title: "CoOp", configuration: .coop(CoOp.Options(initialWords: "a photo of a")), epochs: 200,
            summary: "CoOp's base-to-novel setting: \"a photo of a\" context (M = 4), batch 32, 200 epochs"),
        DemoMethod(
            kind: .cocoop, title: "CoCoOp", configuration: MethodConfiguration(kind: .cocoop), epochs: 5,
            summary: "\"a photo of a\" context and the meta-net, batch 1, 5 epochs (official 10)"),
        DemoMethod(
            kind: .kgcoop, title: "KgCoOp", configuration: MethodConfiguration(kind: .kgcoop), epochs: 100,
            summary: "\"a photo of a\" context, λ = 8, batch 128, 100 epochs"),
        DemoMethod(
            kind: .prograd, title: "ProGrad", configuration: MethodConfiguration(kind: .prograd), epochs: 200,
            summary: "16 context vectors ending in \"a photo of a\", λ = 1, batch 32, 200 epochs (not by default)"),
    ]

    /// The four methods `make demo` compares.
    static let defaults = catalog.filter { [.zeroShot, .coop, .cocoop, .kgcoop].contains($0.kind) }

    /// `zeroshot,coop` → the catalog entries, in the order given.
    static func parseList(_ text: String) throws -> [DemoMethod] {
        try text.split(separator: ",").map { name in
            let name = name.trimmingCharacters(in: .whitespaces)
            guard let method = catalog.first(where: { $0.kind.rawValue == name }) else {
                throw ValidationError(
                    "unknown demo method '\(name)'; choose from "
                        + catalog.map(\.kind.rawValue).joined(separator: ", "))
            }
            return method
        }
    }

    /// The official recipe for `shots` with the demo's epochs (or `epochs`) and without
    /// augmentation: world images are 32 pixels, and Dassl's crops (down to 8% of the area)
    /// often cut out the object that names the class, while testing sees the whole image.
    func recipe(shots: Int, epochs override: Int?) -> TrainingRecipe {
        var recipe = kind.officialRecipe(shots: shots, dataset: DemoCommand.dataset)
        if kind != .zeroShot { recipe.epochs = override ?? epochs }
        recipe.augmentation = .none
        return recipe
    }
}

/// `{"chance": c, "coop": {"base": b, "novel": n, "hm": h}, …}`, accuracies in percent.
struct DemoResult: Encodable {
    let comparison: MethodComparison

    init(_ comparison: MethodComparison) { self.comparison = comparison }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    struct Scores: Encodable {
        var base: Double, novel: Double, hm: Double
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(comparison.chance.base, forKey: Key(stringValue: "chance"))
        for row in comparison.rows {
            try container.encode(
                Scores(base: row.base, novel: row.novel, hm: row.harmonicMean), forKey: Key(stringValue: row.method))
        }
    }
}

/// One method's progress on standard error: a progress line for training steps and one per
/// evaluation, then its result.
final class DemoProgress: RunProgress {
    private let method: String
    private let mode: ProgressLine.Mode
    private var line: ProgressLine?
    /// The evaluation the line counts, once training is over.
    private var evaluation: String?

    init(method: String, quiet: Bool) {
        self.method = method
        mode = quiet ? .quiet : .automatic
    }

    func training(_ event: TrainingEvent) {
        switch event {
        case .started(let epochs, let steps, let first):
            line = ProgressLine(
                "\(method): train \(epochs) epochs", total: (epochs - first) * steps, unit: "steps", mode: mode)
        case .stepFinished:
            line?.advance()
        case .epochStarted, .epochFinished, .checkpointSaved, .prepared, .selectedOnValidation:
            break
        }
    }

    func evaluating(_ name: String, done: Int, of total: Int) {
        if evaluation != name {
            line?.finish()
            evaluation = name
            line = ProgressLine("\(method): test \(name)", total: total, unit: "images", mode: mode)
        }
        guard let line else { return }
        line.advance(by: done - line.done)
        if done == total { line.finish() }
    }

    /// The method's result, one line.
    func report(_ evaluations: [String: ClassificationMetrics]) {
        line?.finish()
        guard mode != .quiet, let base = evaluations[RunRecord.EvaluationKey.base]?.top1,
            let novel = evaluations[RunRecord.EvaluationKey.novel]?.top1
        else { return }
        note(method + String(format: ": base %.2f, novel %.2f, HM %.2f", base, novel, harmonicMeanOf(base, novel)))
    }
}
