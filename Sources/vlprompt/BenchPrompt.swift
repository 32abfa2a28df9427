// `vlprompt bench coop|cocoop`: training-step speed of a prompt method on a randomly initialized
// CLIP of a named architecture, comparable with shared/peers/{coop,cocoop}_torch.py: the same
// class names, context, optimizer and batch, fp32 on the CPU.

import ArgumentParser
import Foundation
import VLCLIP
import VLMethods
import VLOptim
import VLTensor
import VLText
import VLTraining

/// Options the prompt benchmarks share.
struct PromptBenchmarkOptions: ParsableArguments {
    @OptionGroup var threading: ThreadOptions

    @Option(help: "Architecture with random weights: \(CLIPConfiguration.presets.map(\.name).joined(separator: ", ")).")
    var arch = "vit-b32"

    @Option(help: "Number of classes (names as the PyTorch peers generate them).")
    var classes = 100

    @Option(help: "Images per training step.")
    var batch: Int?

    @Option(help: "Timed steps; the mean is reported after one untimed warm-up step.")
    var steps = 3

    @Option(help: "Timed steps of the official full-prompt computation (0 skips it).")
    var officialSteps: Int?

    @Flag(help: "Print one JSON line instead of text.")
    var json = false

    func validate() throws {
        guard CLIPConfiguration.preset(named: arch) != nil else {
            throw ValidationError(
                "--arch must be one of \(CLIPConfiguration.presets.map(\.name).joined(separator: ", "))")
        }
        guard classes >= 1, steps >= 1, (batch ?? 1) >= 1, (officialSteps ?? 0) >= 0 else {
            throw ValidationError("--classes, --steps and --batch must be positive, --official-steps ≥ 0")
        }
    }
}

extension Bench {
    struct CoOpSpeed: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "coop", abstract: "Time CoOp training steps (16 random context vectors, class at the end).")
        @OptionGroup var options: PromptBenchmarkOptions

        func run() throws {
            try PromptBenchmark(
                options: options, defaultBatch: 32, defaultOfficialSteps: 0, officialPerImage: false
            ) { clip, tokenizer, names in
                try CoOp(
                    options: CoOp.Options(contextLength: 16), clip: clip, tokenizer: tokenizer, classNames: names,
                    seed: 1)
            }.run(name: "coop")
        }
    }

    struct CoCoOpSpeed: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "cocoop",
            abstract: "Time CoCoOp training steps (Meta-Net, 4 context vectors from \"a photo of a\").")
        @OptionGroup var options: PromptBenchmarkOptions

        func run() throws {
            // The official computation is run image by image with gradients accumulated (the
            // same step; all 77-token prompts of a batch at once would need ~5 GB per image).
            try PromptBenchmark(
                options: options, defaultBatch: 4, defaultOfficialSteps: 1, officialPerImage: true
            ) { clip, tokenizer, names in
                try CoCoOp(options: CoCoOp.Options(), clip: clip, tokenizer: tokenizer, classNames: names, seed: 1)
            }.run(name: "cocoop")
        }
    }
}

/// One benchmark run for a method with prompt paths (CoOp, CoCoOp).
struct PromptBenchmark<Method: AdaptationMethod> {
    let options: PromptBenchmarkOptions
    let defaultBatch: Int
    let defaultOfficialSteps: Int
    /// Whether the official-path step accumulates gradients image by image.
    let officialPerImage: Bool
    let make: (CLIP, any TextTokenizer, [String]) throws -> Method

    struct Record: Encodable {
        var benchmark: String
        var arch: String
        var classes: Int, batch: Int, threads: Int, steps: Int
        var textStepMs: Double
        var stepMs: Double
        var officialTextStepMs: Double?
        var speedupOverOfficial: Double?
        var peakRSSMb: Double
        var loss: Float

        enum CodingKeys: String, CodingKey {
            case benchmark, arch, classes, batch, threads, steps, loss
            case textStepMs = "text_step_ms"
            case stepMs = "step_ms"
            case officialTextStepMs = "official_text_step_ms"
            case speedupOverOfficial = "speedup_over_official"
            case peakRSSMb = "peak_rss_mb"
        }
    }

    func run(name: String) throws {
        let threads = try options.threading.apply()
        let configuration = CLIPConfiguration.preset(named: options.arch)!
        let clip = CLIP(configuration: configuration, seed: 0)
        let tokenizer = try BPETokenizer()
        var method = try make(clip, tokenizer, PeerClassNames.names(options.classes))
        let batch = options.batch ?? defaultBatch
        let size = configuration.vision.imageSize
        let images = Tensor.normal([batch, 3, size, size], seed: 2)
        var generator = RandomGenerator(seed: 3)
        let labels = (0..<batch).map { _ in generator.nextInt(below: options.classes) }
        let fixed = clip.encodeImage(images)
        var optimizer: any Optimizer = SGD(.dassl)

        func step(_ input: ImageBatch, microBatches: Int = 1) -> Float {
            trainingStep(
                &method, &optimizer, images: input, labels: labels, clip: clip, learningRate: 0.002,
                microBatches: microBatches)
        }
        let stepMs = meanMilliseconds(steps: options.steps) { _ = step(.pixels(images)) }
        var loss: Float = 0
        let textStepMs = meanMilliseconds(steps: options.steps) { loss = step(.features(fixed)) }
        let peakMegabytes = PeakMemory.residentMegabytes()
        var official: Double?
        let officialSteps = options.officialSteps ?? defaultOfficialSteps
        if officialSteps > 0, var prompted = method as? any PromptPathSelectable {
            prompted.textEncodingPath = .full
            method = prompted as! Method
            official = meanMilliseconds(steps: officialSteps, warmup: false) {
                _ = step(.features(fixed), microBatches: officialPerImage ? batch : 1)
            }
        }
        let record = Record(
            benchmark: name, arch: options.arch, classes: options.classes, batch: batch, threads: threads,
            steps: options.steps, textStepMs: rounded(textStepMs), stepMs: rounded(stepMs),
            officialTextStepMs: official.map(rounded), speedupOverOfficial: official.map { rounded($0 / textStepMs) },
            peakRSSMb: rounded(peakMegabytes), loss: loss)
        if options.json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(record), as: UTF8.self))
        } else {
            print(
                "\(name) \(options.arch), \(options.classes) classes, batch \(batch), \(threads) threads: "
                    + "text step \(record.textStepMs) ms, step \(record.stepMs) ms"
                    + (official.map { ", official text step \(rounded($0)) ms" } ?? "")
                    + ", peak RSS \(record.peakRSSMb) MB")
        }
    }

    /// Mean wall time of `body` over `steps` calls, after one untimed call when `warmup`.
    private func meanMilliseconds(steps: Int, warmup: Bool = true, _ body: () -> Void) -> Double {
        if warmup { body() }
        let clock = ContinuousClock()
        let duration = clock.measure { for _ in 0..<steps { body() } }
        return (Double(duration.components.seconds) * 1e3 + Double(duration.components.attoseconds) * 1e-15)
            / Double(steps)
    }

    private func rounded(_ value: Double) -> Double { (value * 10).rounded() / 10 }
}

/// Methods whose text path can be switched to the official full-prompt computation.
protocol PromptPathSelectable {
    var textEncodingPath: TextEncodingPath { get set }
}

extension CoOp: PromptPathSelectable {
    var textEncodingPath: TextEncodingPath {
        get { prompts.path }
        set { prompts.path = newValue }
    }
}

extension CoCoOp: PromptPathSelectable {
    var textEncodingPath: TextEncodingPath {
        get { prompts.path }
        set { prompts.path = newValue }
    }
}

/// The peak resident set size of this process.
enum PeakMemory {
    /// `VmHWM` from /proc/self/status, in MB (0 where unavailable).
    static func residentMegabytes() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kilobytes = line.split(separator: " ").dropFirst().first.flatMap { Double($0) } ?? 0
            return kilobytes / 1024
        }
        return 0
    }
}

/// Class names as shared/peers/coop_torch.py's `class_names(n)` makes them: Caltech-101's
/// names (underscores as spaces), with a numeric suffix once they run out.
enum PeerClassNames {
    static let base = """
        accordion airplane anchor ant barrel bass beaver binocular bonsai brain brontosaurus buddha butterfly \
        camera cannon car_side ceiling_fan cellphone chair chandelier cougar_body cougar_face crab crayfish \
        crocodile crocodile_head cup dalmatian dollar_bill dolphin dragonfly electric_guitar elephant emu \
        euphonium ewer face ferry flamingo flamingo_head garfield gerenuk gramophone grand_piano hawksbill \
        headphone hedgehog helicopter ibis inline_skate joshua_tree kangaroo ketch lamp laptop leopard llama \
        lobster lotus mandolin mayfly menorah metronome minaret motorbike nautilus octopus okapi pagoda panda \
        pigeon pizza platypus pyramid revolver rhino rooster saxophone schooner scissors scorpion sea_horse \
        snoopy soccer_ball stapler starfish stegosaurus stop_sign strawberry sunflower tick trilobite umbrella \
        watch water_lilly wheelchair wild_cat windsor_chair wrench yin_yang
        """.split(separator: " ").map { $0.replacingOccurrences(of: "_", with: " ") }

    static func names(_ count: Int) -> [String] {
        (0..<count).map { index in
            let name = base[index % base.count]
            return index < base.count ? name : "\(name) \(index / base.count)"
        }
    }
}
