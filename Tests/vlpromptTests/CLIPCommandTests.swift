// `vlprompt embed`, `classify` and the `--model` resolver, run in-process on a randomly
// initialized CLIP with CLIP's real 49,408-id vocabulary, written to a temporary Hugging Face
// folder; outputs are compared with the library called directly.

import Foundation
import Synchronization
import Testing
import VLCLIP
import VLImage
import VLNN
import VLTensor
import VLTestSupport
import VLText
import VLWorld

@testable import vlprompt

/// Collects what a command writes to either stream.
final class CapturedConsole: Sendable {
    private let lines = Mutex<(output: [String], errors: [String])>(([], []))

    var console: Console {
        Console(
            output: { line in self.lines.withLock { $0.output.append(line) } },
            errors: { line in self.lines.withLock { $0.errors.append(line) } })
    }
    var output: [String] { lines.withLock { $0.output } }
    var errors: [String] { lines.withLock { $0.errors } }
}

/// A temporary folder holding a random tiny CLIP in Hugging Face layout, and test images.
final class CommandWorkspace {
    static let configuration = CLIPConfiguration(
        embeddingWidth: 8,
        vision: .init(imageSize: 32, patchSize: 16, width: 16, layers: 1, heads: 2),
        text: .init(contextLength: 77, vocabularySize: 49_408, width: 8, layers: 1, heads: 2))

    let folder: URL
    let model: URL
    let clip: CLIP

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("vlprompt-clip-\(UUID())")
        model = folder.appendingPathComponent("model")
        try FileManager.default.createDirectory(at: model, withIntermediateDirectories: true)
        clip = CLIP(configuration: Self.configuration, seed: 5)
        try Self.configuration.huggingFaceJSON().write(to: model.appendingPathComponent("config.json"))
        let named = Dictionary(uniqueKeysWithValues: clip.namedParameters().map { ($0.name, $0.tensor) })
        let huggingFace = try CheckpointNames.huggingFaceNames(fromOpenAI: named, origin: "test")
        try saveSafeTensors(huggingFace, to: model.appendingPathComponent("model.safetensors"))
    }

    deinit { try? FileManager.default.removeItem(at: folder) }

    /// A PNG of `width` × `height` pixels with a seeded pattern.
    func image(_ name: String, width: Int, height: Int, seed: Int) throws -> String {
        let path = folder.appendingPathComponent(name).path
        let pixels = (0..<(width * height * 3)).map { UInt8(truncatingIfNeeded: ($0 &* 7919 &+ seed &* 104_729) >> 3) }
        try PNGWriter.write(pixels: pixels, width: width, height: height, to: path)
        return path
    }

    /// A file named `name` holding `bytes`.
    func file(_ name: String, _ bytes: [UInt8]) throws -> String {
        let url = folder.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    /// Features of image files computed by the library directly, CLIP's default preprocessing.
    func imageFeatures(_ paths: [String], preprocessing: CLIPPreprocessing? = nil) throws -> Tensor {
        let preprocessing = preprocessing ?? CLIPPreprocessing(size: Self.configuration.vision.imageSize)
        return clip.encodeImage(stackImages(try paths.map { try preprocessing(contentsOf: URL(fileURLWithPath: $0)) }))
    }

    /// Features of texts computed by the library directly with `tokenizer` (CLIP's bundled one by default).
    func textFeatures(_ texts: [String], tokenizer: BPETokenizer? = nil) throws -> Tensor {
        clip.encodeText(try (tokenizer ?? BPETokenizer()).tokenize(texts, contextLength: 77))
    }
}

struct EmbedOutput: Decodable {
    var images: [String]
    var imageFeatures: [[Float]]
    var texts: [String]
    var textFeatures: [[Float]]

    enum CodingKeys: String, CodingKey {
        case images, texts
        case imageFeatures = "image_features"
        case textFeatures = "text_features"
    }

    init(_ captured: CapturedConsole) throws {
        try #require(captured.output.count == 1)
        self = try JSONDecoder().decode(Self.self, from: Data(captured.output[0].utf8))
    }
}

extension Tensor {
    /// `rows` as a `[rows.count, width]` tensor.
    init(rows: [[Float]]) {
        self.init(rows.flatMap { $0 }, shape: [rows.count, rows.first?.count ?? 0])
    }
}

@Suite("vlprompt embed and classify")
struct CLIPCommandTests {
    @Test("embed --json prints the library's features; bad images and empty texts are reported, the rest finish")
    func embedJSON() throws {
        let workspace = try CommandWorkspace()
        let first = try workspace.image("first.png", width: 40, height: 50, seed: 1)
        let second = try workspace.image("second.png", width: 32, height: 32, seed: 2)
        let truncated = try workspace.file(
            "truncated.png", Array(PNGWriter.encode(pixels: [1, 2, 3], width: 1, height: 1).prefix(30)))
        let notImage = try workspace.file("notes.jpg", Array("just text".utf8))
        let missing = workspace.folder.appendingPathComponent("missing.png").path
        let long = Array(repeating: "a photo of a cat", count: 40).joined(separator: " ")
        let command = try Embed.parse(
            ["--model", workspace.model.path, "--json", "--batch", "2"]
                + [first, truncated, notImage, second, missing].flatMap { ["--image", $0] }
                + ["a photo of a cat.", "  ", long].flatMap { ["--text", $0] })
        let captured = CapturedConsole()
        #expect(try command.execute(console: captured.console) == false)

        let output = try EmbedOutput(captured)
        #expect(output.images == [first, second])
        #expect(output.texts == ["a photo of a cat.", long])
        expectClose(Tensor(rows: output.imageFeatures), try workspace.imageFeatures([first, second]), .model, "images")
        expectClose(Tensor(rows: output.textFeatures), try workspace.textFeatures(output.texts), .model, "texts")

        let errors = captured.errors
        #expect(errors.count == 4)
        #expect(errors.contains { $0.contains(truncated) && $0.contains("corrupt or truncated") })
        #expect(errors.contains { $0.contains(notImage) && $0.contains("unknown image format") })
        #expect(errors.contains { $0.contains(missing) && $0.contains("cannot read file") })
        #expect(errors.contains { $0.contains("text 2") && $0.contains("empty") })
        #expect(errors[0].contains(truncated) && errors[1].contains(notImage) && errors[2].contains(missing), "input order")
    }

    @Test("an over-long text is cut to the context as CLIP's tokenizer does")
    func longTextTruncated() throws {
        let workspace = try CommandWorkspace()
        let long = Array(repeating: "a photo of a cat", count: 40).joined(separator: " ")
        let ids = try BPETokenizer().tokenize([long], contextLength: 77)[0]
        #expect(ids.count == 77 && ids[76] == 49_407)
        let command = try Embed.parse(["--model", workspace.model.path, "--json", "--text", long])
        let captured = CapturedConsole()
        #expect(try command.execute(console: captured.console))
        expectClose(Tensor(rows: try EmbedOutput(captured).textFeatures), workspace.clip.encodeText([ids]), .model)
    }

    @Test("classify ranks labels by the library's zero-shot probabilities")
    func classify() throws {
        let workspace = try CommandWorkspace()
        let image = try workspace.image("image.png", width: 48, height: 36, seed: 3)
        let broken = try workspace.file("broken.png", [0x89, 0x50, 0x4E, 0x47])
        let command = try Classify.parse(
            [
                "--model", workspace.model.path, "--labels", "cat, dog,bird", "--template", "a {} photo", "--top", "2",
                "--json",
                image, broken,
            ])
        let captured = CapturedConsole()
        #expect(try command.execute(console: captured.console) == false)
        #expect(captured.errors.count == 1 && captured.errors[0].contains(broken))

        struct Output: Decodable {
            var labels: [String]
            var predictions: [Classify.Prediction]
        }
        let output = try JSONDecoder().decode(Output.self, from: Data(try #require(captured.output.first).utf8))
        #expect(output.labels == ["cat", "dog", "bird"])
        let text = try workspace.textFeatures(["a cat photo", "a dog photo", "a bird photo"])
        let logits = workspace.clip.logits(imageFeatures: try workspace.imageFeatures([image]), textFeatures: text)
        let probabilities = logits.softmax(alongAxis: -1).array
        let order = [0, 1, 2].sorted { probabilities[$0] > probabilities[$1] }.prefix(2)
        try #require(output.predictions.count == 1)
        #expect(output.predictions[0].image == image)
        #expect(output.predictions[0].top.map(\.label) == order.map { output.labels[$0] })
        for (score, label) in zip(output.predictions[0].top, order) {
            expectClose(score.probability, probabilities[label], .model, "probability")
            expectClose(score.logit, logits.array[label], .model, "logit")
        }
    }

    @Test("classify prints a table per image")
    func classifyTable() throws {
        let workspace = try CommandWorkspace()
        let image = try workspace.image("image.png", width: 32, height: 32, seed: 4)
        let command = try Classify.parse(["--model", workspace.model.path, "--labels", "cat,dog", image])
        let captured = CapturedConsole()
        #expect(try command.execute(console: captured.console))
        let lines = try #require(captured.output.first).split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines[0] == image)
        #expect(lines[1].hasPrefix("  1. ") && lines[2].hasPrefix("  2. "))
        #expect(lines[1].contains("%") && lines[1].contains("logit"))
    }

    @Test("the model folder's tokenizer files and preprocessor_config.json are used; --tokenizer overrides")
    func folderCompanions() throws {
        let workspace = try CommandWorkspace()
        let smallVocabulary = Fixture.url("tokenizer/small-vocab")
        for name in ["vocab.json", "merges.txt"] {
            try FileManager.default.copyItem(
                at: smallVocabulary.appendingPathComponent(name), to: workspace.model.appendingPathComponent(name))
        }
        let preprocessor = workspace.model.appendingPathComponent("preprocessor_config.json")
        try Data(#"{"size": {"shortest_edge": 40}, "crop_size": 32, "resample": 2}"#.utf8).write(to: preprocessor)
        let image = try workspace.image("image.png", width: 64, height: 48, seed: 6)
        let text = "a photograph of an astronaut riding a horse"

        let command = try Embed.parse(["--model", workspace.model.path, "--json", "--image", image, "--text", text])
        let captured = CapturedConsole()
        #expect(try command.execute(console: captured.console))
        let output = try EmbedOutput(captured)
        let folderTokenizer = try BPETokenizer(huggingFaceFolder: smallVocabulary)
        expectClose(
            Tensor(rows: output.textFeatures), try workspace.textFeatures([text], tokenizer: folderTokenizer), .model)
        let preprocessing = try CLIPPreprocessing(huggingFaceConfigurationAt: preprocessor)
        #expect(preprocessing.filter == .bilinear && preprocessing.shortSide == 40)
        expectClose(
            Tensor(rows: output.imageFeatures), try workspace.imageFeatures([image], preprocessing: preprocessing),
            .model)

        let bundled = try Embed.parse(
            ["--model", workspace.model.path, "--json", "--text", text, "--tokenizer", workspace.model.path])
        let again = CapturedConsole()
        #expect(try bundled.execute(console: again.console))
        expectClose(Tensor(rows: try EmbedOutput(again).textFeatures), Tensor(rows: output.textFeatures), .model)
        #expect(try BPETokenizer().encode(text) != folderTokenizer.encode(text), "the vocabularies must differ")
    }

    @Test("a crop size that does not fit the model is an error naming preprocessor_config.json")
    func preprocessingMismatch() throws {
        let workspace = try CommandWorkspace()
        let preprocessor = workspace.model.appendingPathComponent("preprocessor_config.json")
        try Data(#"{"size": 224, "crop_size": 224}"#.utf8).write(to: preprocessor)
        let command = try Embed.parse(["--model", workspace.model.path, "--text", "a cat"])
        let mismatch = ModelArgumentError.preprocessingMismatch(file: preprocessor.path, cropSize: 224, imageSize: 32)
        #expect(throws: mismatch) {
            try command.execute(console: CapturedConsole().console)
        }
    }

    @Test("--model resolves embedded names through the registry, paths directly")
    func resolver() throws {
        let workspace = try CommandWorkspace()
        let folder = workspace.model
        let tiny = RegisteredModel(name: "tiny-clip", summary: "test", location: { folder })
        let resolver = ModelResolver(embedded: [tiny])
        #expect(try resolver.locate("tiny-clip") == folder)
        #expect(try resolver.locate(folder.path).path == folder.path)
        #expect(throws: ModelArgumentError.unknownName("world-clip", known: ["tiny-clip"])) {
            try resolver.locate("world-clip")
        }
        #expect(throws: ModelLoadingError.self) { try resolver.locate("missing/model") }
        #expect(throws: ModelLoadingError.self) { try resolver.locate("ViT-B-32.pt") }
        #expect(
            "\(ModelArgumentError.unknownName("x", known: ["a", "b"]))".contains("unknown model name 'x'; known: a, b"))

        let command = try Embed.parse(["--model", "tiny-clip", "--json", "--text", "a dog"])
        let captured = CapturedConsole()
        #expect(try command.execute(console: captured.console, resolver: resolver))
        expectClose(Tensor(rows: try EmbedOutput(captured).textFeatures), try workspace.textFeatures(["a dog"]), .model)
    }

    @Test("--arch of another architecture fails with the loader's error naming the tensor")
    func wrongArchitecture() throws {
        let workspace = try CommandWorkspace()
        let command = try Embed.parse(["--model", workspace.model.path, "--arch", "vit-b32", "--text", "a cat"])
        #expect {
            try command.execute(console: CapturedConsole().console)
        } throws: { error in
            guard case .shapeMismatch(let name, _, _, _) = error as? ParameterError else { return false }
            return name == "visual.conv1.weight"
        }
    }

    @Test("bench encode-image --stages covers every stage of the image tower with its GEMM work")
    func benchStages() throws {
        let workspace = try CommandWorkspace()
        let command = try BenchEncodeImage.parse(
            ["--model", workspace.model.path, "--batch", "2", "--warmups", "0", "--repetitions", "1", "--stages"])
        let pixels = Tensor.normal([2, 3, 32, 32], seed: 1)
        let stages = command.stages(of: workspace.clip, pixels: pixels)
        #expect(stages.count == 12 && stages.allSatisfy { $0.ms >= 0 })
        // c_fc: 2 images × 5 tokens × 16 → 64, once per layer: 2·10·64·16 flops.
        let fullyConnected = try #require(stages.first { $0.name == "block.mlp_c_fc" })
        #expect(abs(fullyConnected.gflop - 2 * 10 * 64 * 16 / 1e9) < 1e-15)
        let patches = try #require(stages.first { $0.name == "patch_embedding" })
        #expect(abs(patches.gflop - 2 * 8 * 16 * 768 / 1e9) < 1e-15)
    }

    @Test(
        "invalid invocations are rejected before anything loads",
        arguments: [
            ["embed", "--model", "m"],
            ["embed", "--model", "m", "--text", "a", "--arch", "vit-b99"],
            ["embed", "--model", "m", "--text", "a", "--batch", "0"],
            ["classify", "--model", "m", "--labels", "cat,,dog", "x.png"],
            ["classify", "--model", "m", "--labels", "cat,cat", "x.png"],
            ["classify", "--model", "m", "--labels", "cat", "--template", "a photo", "x.png"],
            ["classify", "--model", "m", "--labels", "cat", "--top", "0", "x.png"],
            ["classify", "--model", "m", "--labels", "cat"],
            ["bench", "encode-image", "--batch", "4"],
        ])
    func invalid(_ arguments: [String]) {
        #expect(throws: (any Error).self) { try VLPromptCommand.parseAsRoot(arguments) }
    }

    @Test(
        "valid invocations parse",
        arguments: [
            ["embed", "--model", "m", "--image", "a.png", "--image", "b.png", "--text", "t", "--json"],
            ["embed", "--text", "a"],
            ["classify", "--model", "m", "--labels", "cat, dog", "--top", "9", "a.png"],
            ["bench", "encode-image", "--arch", "vit-b32", "--batch", "32", "--threads", "2", "--json"],
        ])
    func valid(_ arguments: [String]) throws {
        _ = try VLPromptCommand.parseAsRoot(arguments)
    }
}
