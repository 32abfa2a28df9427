// The prompt-learning commands end to end on a small random CLIP (BPE vocabulary, 32-pixel
// images) and the built-in world: train (few-shot and base-to-novel, resumed), eval on a shifted
// domain, predict, interpret and methods.

import Foundation
import Testing
import VLCLIP
import VLMethods
import VLNN
import VLTensor
import VLWorld

@testable import vlprompt

@Suite("vlprompt train, eval, predict, interpret, methods", .serialized)
struct PromptCommandsTests {
    /// A folder with a random CLIP that reads the real tokenizer's ids and the world's images.
    static func workspace() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "vlprompt-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let configuration = CLIPConfiguration(
            embeddingWidth: 32, vision: .init(imageSize: 32, patchSize: 8, width: 64, layers: 1, heads: 1),
            text: .init(contextLength: 77, vocabularySize: 49_408, width: 64, layers: 1, heads: 1))
        let clip = CLIP(configuration: configuration, seed: 3)
        let tensors = Dictionary(uniqueKeysWithValues: clip.namedParameters().map { ($0.name, $0.tensor) })
        try saveSafeTensors(tensors, to: directory.appendingPathComponent("model.safetensors"))
        try Data(#"{"contextLength": 4}"#.utf8).write(to: directory.appendingPathComponent("options.json"))
        return directory
    }

    static func object(_ line: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    @Test("train, resume, eval, predict and interpret")
    func workflow() throws {
        let directory = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = directory.appendingPathComponent("model.safetensors").path
        let out = directory.appendingPathComponent("run").path
        let arguments = [
            "--method", "coop", "--dataset", "world:shapes", "--model", model, "--shots", "1", "--epochs", "2",
            "--seed", "3", "--options", directory.appendingPathComponent("options.json").path, "--out", out, "--json",
        ]
        let first = try TrainCommand.parse(arguments).execute()
        let result = try Self.object(first)
        let accuracy = try #require(result["accuracy"] as? Double)
        #expect((0...100).contains(accuracy))
        #expect(result["method"] as? String == "coop" && result["dataset"] as? String == "world:shapes")
        for file in ["prompt.safetensors", "run.json", "subset.json", "checkpoint.safetensors"] {
            #expect(FileManager.default.fileExists(atPath: out + "/" + file), "\(file)")
        }
        // The finished checkpoint is picked up: nothing retrains, the result is the same.
        #expect(try TrainCommand.parse(arguments).execute() == first)

        let prompt = out + "/prompt.safetensors"
        let file = try PromptFile(contentsOf: URL(fileURLWithPath: prompt))
        #expect(file.configuration == .coop(CoOp.Options(contextLength: 4)))
        #expect(file.training?.shots == 1 && file.training?.epochs == 2)

        let shifted = try Self.object(
            try EvalCommand.parse(["--prompt", prompt, "--dataset", "world:shapes-sketch", "--model", model, "--json"])
                .execute())
        #expect(shifted["dataset"] as? String == "world:shapes-sketch")
        #expect(shifted["accuracy"] is Double)

        let world = World().dataset(.shapes)
        let example = world.example(split: .test, index: 0)
        let image = directory.appendingPathComponent("example.png").path
        try PNGWriter.write(pixels: example.pixels, width: world.size, height: world.size, to: image)
        let predicted = try PredictCommand.parse(["--prompt", prompt, "--model", model, "--top", "2", "--json", image])
            .execute()
        let labels = try #require(
            try Self.object(predicted.trimmingCharacters(in: .newlines))["labels"] as? [[String: Any]])
        #expect(labels.count == 2)
        #expect(labels.allSatisfy { world.classNames.contains($0["name"] as? String ?? "") })

        let interpreted = try InterpretCommand.parse(["--prompt", prompt, "--model", model, "--top", "3"]).execute()
        #expect(interpreted.split(separator: "\n").count == 4, "one line per context vector")
        #expect(interpreted.hasPrefix("ctx[0]: "))
    }

    @Test("base-to-novel training reports base, novel and their harmonic mean")
    func baseToNovel() throws {
        let directory = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = try TrainCommand.parse([
            "--method", "cocoop", "--dataset", "world:shapes", "--model",
            directory.appendingPathComponent("model.safetensors").path,
            "--shots", "1", "--epochs", "1", "--subsample", "base", "--out",
            directory.appendingPathComponent("run").path,
            "--json",
        ]).execute()
        let result = try Self.object(output)
        let base = try #require(result["base"] as? Double)
        let novel = try #require(result["novel"] as? Double)
        let harmonic = try #require(result["harmonic_mean"] as? Double)
        #expect(abs(harmonic - (base + novel == 0 ? 0 : 2 * base * novel / (base + novel))) < 1e-9)
    }

    @Test("tip-adapter-f trains base-to-novel by name, and its prompt evaluates on all classes")
    func adapters() throws {
        let directory = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = directory.appendingPathComponent("model.safetensors").path
        let options = directory.appendingPathComponent("tip.json")
        try Data(#"{"augmentEpochs": 2}"#.utf8).write(to: options)
        let out = directory.appendingPathComponent("run").path
        let result = try Self.object(
            try TrainCommand.parse([
                "--method", "tip-adapter-f", "--dataset", "world:shapes", "--model", model, "--shots", "1",
                "--epochs", "1", "--subsample", "base", "--options", options.path, "--out", out, "--json",
            ]).execute())
        #expect(result["method"] as? String == "tip-adapter-f")
        #expect(result["base"] is Double && result["novel"] is Double)
        let prompt = out + "/prompt.safetensors"
        let file = try PromptFile(contentsOf: URL(fileURLWithPath: prompt))
        #expect(file.tensors["adapter.weight"]?.shape == [18, 32], "one key per base-class shot")
        #expect(file.tensors["cache_values"]?.shape == [18, 18])
        let all = try Self.object(
            try EvalCommand.parse(["--prompt", prompt, "--dataset", "world:shapes", "--model", model, "--json"])
                .execute())
        #expect(all["accuracy"] is Double)
    }

    @Test("visual-prompting trains on pixels by name and its prompt file holds the four strips")
    func visualPrompting() throws {
        let directory = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = directory.appendingPathComponent("model.safetensors").path
        let out = directory.appendingPathComponent("run").path
        let result = try Self.object(
            try TrainCommand.parse([
                "--method", "visual-prompting", "--dataset", "world:shapes", "--model", model, "--shots", "1",
                "--epochs", "1", "--subsample", "base", "--augmentation", "none", "--out", out, "--json",
            ]).execute())
        #expect(result["method"] as? String == "visual-prompting")
        #expect(result["base"] is Double && result["novel"] is Double)
        let file = try PromptFile(contentsOf: URL(fileURLWithPath: out + "/prompt.safetensors"))
        #expect(file.tensors["pad_up"]?.shape == [1, 3, 4, 32] && file.tensors["pad_left"]?.shape == [1, 3, 24, 4])
    }

    @Test("vpt-shallow trains by name; vpt-deep on a one-block vision tower is refused by name")
    func vpt() throws {
        let directory = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = directory.appendingPathComponent("model.safetensors").path
        let out = directory.appendingPathComponent("run").path
        let arguments = [
            "--dataset", "world:shapes", "--model", model, "--shots", "1", "--epochs", "1", "--subsample", "base",
            "--augmentation", "none", "--json",
        ]
        let result = try Self.object(
            try TrainCommand.parse(["--method", "vpt-shallow", "--out", out] + arguments).execute())
        #expect(result["method"] as? String == "vpt-shallow")
        let file = try PromptFile(contentsOf: URL(fileURLWithPath: out + "/prompt.safetensors"))
        #expect(file.tensors["prompt_embeddings"]?.shape == [1, 10, 64])
        #expect(throws: MethodError.self) {
            try TrainCommand.parse(["--method", "vpt-deep", "--out", out + "-deep"] + arguments).execute()
        }
    }

    @Test("methods --json lists every method with its defaults")
    func methods() throws {
        let output = try MethodsCommand.parse(["--json"]).execute()
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [[String: Any]])
        #expect(entries.compactMap { $0["name"] as? String } == MethodKind.allCases.map(\.rawValue))
    }
}
