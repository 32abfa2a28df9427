// Loading CLIP weights in every layout, and the errors bad checkpoints give.

import Foundation
import Testing
import VLNN
import VLTensor
import VLTestSupport
@testable import VLCLIP

@Suite("CLIP weight loading")
struct CLIPLoadingTests {
    /// fp16 storage rounds each weight to 11 significant bits; features move by ~1e-3 relative.
    static let halfPrecisionWeights = Tolerance(absolute: 2e-3, relative: 1e-2)

    @Test("Hugging Face folders (single file and sharded) equal the OpenAI-named weights", arguments: ["tiny_hf", "tiny_hf_sharded"])
    func huggingFaceFolders(folder: String) throws {
        let f = try TinyCLIP.forward()
        let clip = try CLIP.load(from: Fixture.url("clip/" + folder))
        #expect(clip.configuration == TinyCLIP.configuration)
        expectClose(clip.encodeImage(f["pixels"]), f["image_features"], .model, "image")
        expectClose(clip.encodeText(TinyCLIP.ids(f)), f["text_features"], .model, "text")
    }

    @Test("fp16 weights are widened to fp32")
    func halfPrecision() throws {
        let f = try TinyCLIP.forward()
        let clip = try CLIP.load(from: Fixture.url("clip/tiny_hf_fp16"))
        expectClose(clip.encodeImage(f["pixels"]), f["image_features"], Self.halfPrecisionWeights, "image")
        expectClose(clip.encodeText(TinyCLIP.ids(f)), f["text_features"], Self.halfPrecisionWeights, "text")
    }

    @Test("the architecture is read off the shapes as OpenAI's build_model does")
    func inferredArchitecture() throws {
        let tensors = try loadSafeTensors(from: Fixture.url("clip/tiny_openai.safetensors"))
        let inferred = try CLIPConfiguration(inferringFrom: tensors, origin: "tiny")
        var expected = TinyCLIP.configuration
        // Head counts are not stored; OpenAI's rule (width / 64) gives 1 for these tiny widths.
        expected.vision.heads = 1
        expected.text.heads = 1
        #expect(inferred == expected)
    }

    @Test("missing, unexpected and misshapen tensors are named")
    func badCheckpoints() throws {
        let good = try loadSafeTensors(from: Fixture.url("clip/tiny_openai.safetensors"))
        var missing = good
        missing["visual.ln_post.bias"] = nil
        #expect(throws: ParameterError.missing(name: "visual.ln_post.bias", source: "m")) {
            try CLIP(configuration: TinyCLIP.configuration, tensors: missing, origin: "m")
        }
        var extra = good
        extra["visual.extra"] = Tensor.zeros([1])
        #expect(throws: ParameterError.unexpected(names: ["visual.extra"], source: "x")) {
            try CLIP(configuration: TinyCLIP.configuration, tensors: extra, origin: "x")
        }
        var misshapen = good
        misshapen["text_projection"] = Tensor.zeros([32, 48])
        #expect(throws: ParameterError.shapeMismatch(name: "text_projection", expected: [48, 32], found: [32, 48], source: "s")) {
            try CLIP(configuration: TinyCLIP.configuration, tensors: misshapen, origin: "s")
        }
    }

    @Test("a wrong architecture is an error, not a silent misread")
    func wrongArchitecture() throws {
        #expect(throws: ParameterError.self) {
            try CLIP.load(from: Fixture.url("clip/tiny_openai.safetensors"), configuration: .vitB32)
        }
        #expect(throws: ModelLoadingError.self) {
            try CLIP.load(from: URL(fileURLWithPath: "/nonexistent/model.safetensors"))
        }
    }

    @Test("a randomly initialized model is reproducible from its seed and round-trips through safetensors")
    func initializedModelRoundTrip() throws {
        let a = CLIP(configuration: TinyCLIP.configuration, seed: 3)
        let b = CLIP(configuration: TinyCLIP.configuration, seed: 3)
        #expect(a.namedParameters().map(\.tensor.array) == b.namedParameters().map(\.tensor.array))
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("clip-\(UUID()).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try saveSafeTensors(Dictionary(uniqueKeysWithValues: a.namedParameters().map { ($0.name, $0.tensor) }), to: url)
        let loaded = try CLIP.load(from: url, configuration: TinyCLIP.configuration)
        #expect(loaded.namedParameters().map(\.tensor.array) == a.namedParameters().map(\.tensor.array))
    }
}
