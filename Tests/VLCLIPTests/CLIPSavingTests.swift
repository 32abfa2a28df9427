// Saving in the Hugging Face layout: round trips through CLIP.load, and the tiny fixture model
// saved by us equals the folder transformers wrote.

import Foundation
import Testing
import VLNN
import VLTensor
import VLTestSupport
@testable import VLCLIP

@Suite("CLIP saving (Hugging Face layout)")
struct CLIPSavingTests {
    static func temporaryFolder() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("vlprompt-save-\(UUID())")
    }

    @Test("F32 save → load gives identical parameters and outputs")
    func float32RoundTrip() throws {
        let f = try TinyCLIP.forward()
        let clip = try TinyCLIP.model()
        let folder = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try clip.save(huggingFaceFolder: folder, storage: .float32)
        let loaded = try CLIP.load(from: folder)
        #expect(loaded.configuration == clip.configuration)
        let original = Dictionary(uniqueKeysWithValues: clip.namedParameters().map { ($0.name, $0.tensor.array) })
        for (name, tensor) in loaded.namedParameters() { #expect(tensor.array == original[name], "\(name)") }
        #expect(loaded.encodeImage(f["pixels"]).array == clip.encodeImage(f["pixels"]).array)
        #expect(loaded.encodeText(TinyCLIP.ids(f)).array == clip.encodeText(TinyCLIP.ids(f)).array)
    }

    @Test("F16 save → load stays within fp16 tolerance")
    func float16RoundTrip() throws {
        let f = try TinyCLIP.forward()
        let clip = try TinyCLIP.model()
        let folder = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try clip.save(huggingFaceFolder: folder, storage: .float16)
        let loaded = try CLIP.load(from: folder)
        let tolerance = CLIPLoadingTests.halfPrecisionWeights
        expectClose(loaded.encodeImage(f["pixels"]), clip.encodeImage(f["pixels"]), tolerance, "image")
        expectClose(loaded.encodeText(TinyCLIP.ids(f)), clip.encodeText(TinyCLIP.ids(f)), tolerance, "text")
    }

    @Test("the tiny model in HF names equals the tensors transformers saved")
    func matchesTransformersFolder() throws {
        let clip = try TinyCLIP.model()
        let openAI = Dictionary(uniqueKeysWithValues: clip.namedParameters().map { ($0.name, $0.tensor) })
        let converted = try CheckpointNames.huggingFaceNames(fromOpenAI: openAI, origin: "tiny")
        let reference = try loadSafeTensors(from: Fixture.url("clip/tiny_hf/model.safetensors"))
            .filter { !CheckpointNames.ignoredHuggingFace.contains($0.key) }
        #expect(Set(converted.keys) == Set(reference.keys))
        for (name, tensor) in reference {
            guard let mine = converted[name] else { continue }
            #expect(mine.shape == tensor.shape, "\(name)")
            #expect(mine.array == tensor.array, "\(name)")
        }
    }

    @Test("the written config.json reads back as the same configuration, with transformers' fields")
    func configurationRoundTrip() throws {
        var configuration = TinyCLIP.configuration
        configuration.text.activation = .gelu
        let data = configuration.huggingFaceJSON()
        #expect(try CLIPConfiguration(huggingFaceJSON: data, file: "config.json") == configuration)
        let root = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        let text = root["text_config"] as! [String: Any]
        #expect(root["model_type"] as? String == "clip")
        #expect(text["eos_token_id"] as? Int == 2)
        #expect(text["hidden_act"] as? String == "gelu")
        #expect(text["max_position_embeddings"] as? Int == 16)
        // transformers' strict config fields reject an integer where a float is declared.
        let written = String(decoding: data, as: UTF8.self)
        #expect(written.contains("\"initializer_factor\": 1.0"))
        #expect(written.contains("\"layer_norm_eps\": 1e-05"))
    }

    @Test("an unknown OpenAI key is an error naming it")
    func unknownKey() {
        #expect(throws: ParameterError.unexpected(names: ["visual.mystery"], source: "x")) {
            try CheckpointNames.huggingFaceNames(fromOpenAI: ["visual.mystery": Tensor.zeros([1])], origin: "x")
        }
    }
}
