// The method registry (MethodKind ⇄ MethodConfiguration), the portable prompt file, and the
// zero-shot method.

import Foundation
import Testing
import VLCLIP
import VLFormats
import VLNN
import VLTensor
import VLMethodsTestSupport
import VLTestSupport

@testable import VLMethods

@Suite("method registry")
struct MethodRegistryTests {
    @Test("MethodKind and MethodConfiguration list the same methods")
    func sameCases() throws {
        for kind in MethodKind.allCases {
            let configuration = MethodConfiguration(kind: kind)
            #expect(configuration.kind == kind)
            let json = try JSONEncoder().encode(configuration)
            #expect(try JSONDecoder().decode(MethodConfiguration.self, from: json) == configuration)
            let object = try JSONSerialization.jsonObject(with: json) as! [String: Any]
            #expect(Array(object.keys) == [kind.rawValue])
        }
    }

    @Test("absent option fields take the paper's values")
    func defaults() throws {
        let coop = try MethodConfiguration(kind: .coop, optionsJSON: Data(#"{"classTokenPosition": "middle"}"#.utf8))
        #expect(coop == .coop(CoOp.Options(contextLength: 16, classTokenPosition: .middle)))
        #expect(
            try MethodConfiguration(kind: .cocoop, optionsJSON: Data("{}".utf8)) == .cocoop(CoCoOp.Options()))
        #expect(throws: DecodingError.self) {
            try MethodConfiguration(kind: .coop, optionsJSON: Data(#"{"classTokenPosition": "side"}"#.utf8))
        }
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(MethodConfiguration.self, from: Data(#"{"coop": {}, "cocoop": {}}"#.utf8))
        }
    }

    @Test("official recipes follow the shot count and dataset")
    func recipes() {
        #expect(MethodKind.coop.officialRecipe(shots: 1, dataset: "EuroSAT").epochs == 50)
        #expect(MethodKind.coop.officialRecipe(shots: 4, dataset: "EuroSAT").epochs == 100)
        #expect(MethodKind.coop.officialRecipe(shots: 16, dataset: "EuroSAT").epochs == 200)
        #expect(MethodKind.coop.officialRecipe(shots: 16, dataset: "ImageNet").epochs == 50)
        let coop = MethodKind.coop.officialRecipe(shots: 16, dataset: "DescribableTextures")
        #expect(coop.batchSize == 32 && coop.learningRate == 0.002 && coop.optimizer == .sgd(.dassl))
        #expect(coop.schedule.learningRate(epoch: 0) == 1e-5)
        #expect(coop.schedule.learningRate(epoch: 1) == 0.002)
        let cocoop = MethodKind.cocoop.officialRecipe(shots: 16, dataset: "ImageNet")
        #expect(cocoop.epochs == 10 && cocoop.batchSize == 1)
    }
}

@Suite("prompt file")
struct PromptFileTests {
    static func temporaryURL(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("vlprompt-\(UUID().uuidString)-\(name)")
    }

    @Test("save and load round-trip the tensors, metadata and logits", arguments: [MethodKind.coop, .cocoop])
    func roundTrip(kind: MethodKind) throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.coop())
        let tokenizer = try TinyPrompts.tokenizer(fixture)
        let names = try TinyPrompts.classNames(fixture)
        let configuration: MethodConfiguration =
            kind == .coop
            ? .coop(CoOp.Options(contextLength: 6, classTokenPosition: .front)) : .cocoop(CoCoOp.Options())
        let method = try configuration.makeMethod(clip: clip, tokenizer: tokenizer, classNames: names, seed: 9)
        let model = PromptFile.Model(name: "tiny", path: "tiny_openai.safetensors", sha256: clip.contentHash())
        let training = PromptFile.Training(dataset: "world:shapes", shots: 4, seed: 9, subsample: "base", epochs: 2)
        let url = Self.temporaryURL("prompt.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try PromptFile(method, model: model, training: training).write(to: url)

        let loaded = try PromptFile(contentsOf: url)
        #expect(loaded.configuration == method.configuration)
        #expect(loaded.classNames == names)
        #expect(loaded.model == model)
        #expect(loaded.training == training)
        #expect(loaded.toolkitVersion == ToolkitVersion.current)
        for (name, tensor) in method.trainableTensors {
            #expect(loaded.tensors[name]?.shape == tensor.shape)
            #expect(loaded.tensors[name]?.array == tensor.array, "\(name) bit-identical")
        }
        // Plain safetensors metadata: readable without VLPrompt's types.
        let raw = try SafeTensorsFile(url: url).metadata
        #expect(raw["format"] == "vlprompt-prompt" && raw["method"] == kind.rawValue)
        #expect(raw["class_names"] == #"["w1","w2 w3","w4","w5 w6 w7","w8"]"#)

        let rebuilt = try loaded.makeMethod(clip: clip, tokenizer: tokenizer)
        let features = TinyPrompts.step(fixture["image_features"], 2)
        #expect(
            rebuilt.logits(.features(features), clip: clip).array
                == method.logits(.features(features), clip: clip).array)
        let transferred = try loaded.makeMethod(clip: clip, tokenizer: tokenizer, classNames: ["w9", "w10 w11"])
        #expect(transferred.classNames == ["w9", "w10 w11"])
        #expect(transferred.logits(.features(features), clip: clip).shape == [6, 2])
    }

    @Test("a safetensors file that is not a prompt, and a missing tensor, are reported")
    func badFiles() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.coop())
        #expect(throws: PromptFileError.self) { try PromptFile(contentsOf: Fixture.url("coop/coop.safetensors")) }
        let method = try CoOp(
            options: CoOp.Options(contextLength: 4), clip: clip, tokenizer: try TinyPrompts.tokenizer(fixture),
            classNames: ["w1"], seed: 1)
        var file = PromptFile(method, model: PromptFile.Model(name: "tiny"))
        file.tensors = ["other": Tensor.zeros([1])]
        let url = Self.temporaryURL("broken.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try file.write(to: url)
        #expect(throws: MethodError.missingTensor(name: "ctx", file: "prompt file")) {
            try PromptFile(contentsOf: url).makeMethod(clip: clip, tokenizer: try TinyPrompts.tokenizer(fixture))
        }
    }

    @Test("the content hash changes with any weight and ignores nothing")
    func contentHash() throws {
        let clip = try TinyPrompts.clip()
        let hash = clip.contentHash()
        let again = try TinyPrompts.clip().contentHash()
        #expect(hash.count == 64 && hash == again)
        let changed = clip.mapParameters(prefix: "") { name, tensor in
            name == "ln_final.bias" ? tensor + 1e-3 : tensor
        }
        #expect(changed.contentHash() != hash)
    }
}

@Suite("zero-shot")
struct ZeroShotTests {
    @Test("logits are the scaled cosine of image and template features, ensembles averaged")
    func logits() throws {
        let (clip, fixture) = (try TinyPrompts.clip(), try TinyPrompts.coop())
        let tokenizer = try TinyPrompts.tokenizer(fixture)
        let templates = ["a photo of a {}.", "{}."]
        let method = try ZeroShot(
            options: ZeroShot.Options(templates: templates), clip: clip, tokenizer: tokenizer,
            classNames: ["w1", "w2 w3"], seed: 0)
        #expect(ZeroShot.trainable.isEmpty)
        let perTemplate = templates.map { template in
            clip.encodeText(
                try! tokenizer.tokenize(
                    ["w1", "w2 w3"].map { template.replacingOccurrences(of: "{}", with: $0) }, contextLength: 16)
            )
            .normalized(alongAxis: -1)
        }
        let classifier = ((perTemplate[0] + perTemplate[1]) * 0.5).normalized(alongAxis: -1)
        let features = TinyPrompts.step(fixture["image_features"], 0)
        expectClose(
            method.logits(.features(features), clip: clip),
            clip.logits(imageFeatures: features, textFeatures: classifier), .exactShortcut)
    }
}
