// Loading CLIP from PyTorch checkpoints (tools/fixtures/clip_checkpoints.py): OpenAI-layout
// TorchScript archives and open_clip training checkpoints, plus the Hugging Face name mapping
// in both directions and the OpenAI release digests.

import Foundation
import Testing
import VLFormats
import VLNN
import VLTensor
import VLTestSupport

@testable import VLCLIP

@Suite("CLIP from PyTorch checkpoints")
struct CLIPCheckpointTests {
    static let jit = Fixture.url("clip/tiny_openai_jit.pt")
    static let trainingCheckpoint = Fixture.url("clip/tiny_open_clip_epoch.pt")

    @Test("a TorchScript archive's module tree gives OpenAI's keys plus the three integer buffers")
    func torchScriptKeys() throws {
        let checkpoint = try TorchCheckpoint(url: Self.jit)
        let weights = try loadSafeTensors(from: Fixture.url("clip/tiny_openai.safetensors"))
        #expect(checkpoint.format == .torchScript)
        #expect(Set(checkpoint.names) == Set(weights.keys).union(CLIP.torchScriptBuffers))
        #expect(try checkpoint.integers("input_resolution") == [32])
        #expect(try checkpoint.integers("context_length") == [16])
        #expect(try checkpoint.integers("vocab_size") == [512])
    }

    @Test("a TorchScript archive loads to the reference features", arguments: ["pt", "pth", "bin"])
    func torchScriptFeatures(pathExtension: String) throws {
        let url = try Self.copy(Self.jit, pathExtension: pathExtension)
        defer { try? FileManager.default.removeItem(at: url) }
        let f = try TinyCLIP.forward()
        let clip = try CLIP.load(from: url, configuration: TinyCLIP.configuration)
        expectClose(clip.encodeImage(f["pixels"]), f["image_features"], .model, "image")
        expectClose(clip.encodeText(TinyCLIP.ids(f)), f["text_features"], .model, "text")
    }

    @Test("the weights of a TorchScript archive equal the safetensors ones bit for bit")
    func torchScriptWeights() throws {
        let fromJIT = try CLIP.load(from: Self.jit, configuration: TinyCLIP.configuration)
        let reference = try TinyCLIP.model()
        let pairs = zip(fromJIT.namedParameters(), reference.namedParameters())
        #expect(pairs.allSatisfy { $0.name == $1.name && $0.tensor.array == $1.tensor.array })
    }

    @Test("without a configuration the architecture is read off the archive's shapes")
    func torchScriptInference() throws {
        let clip = try CLIP.load(from: Self.jit)
        var expected = TinyCLIP.configuration
        expected.vision.heads = 1  // width / 64, OpenAI's rule; see CLIPLoadingTests
        expected.text.heads = 1
        #expect(clip.configuration == expected)
    }

    @Test("an open_clip training checkpoint (module. prefix, fp16 tensors, strided view) loads")
    func trainingCheckpointFeatures() throws {
        let f = try TinyCLIP.forward()
        let clip = try CLIP.load(from: Self.trainingCheckpoint, configuration: TinyCLIP.configuration)
        let tolerance = CLIPLoadingTests.halfPrecisionWeights
        expectClose(clip.encodeImage(f["pixels"]), f["image_features"], tolerance, "image")
        expectClose(clip.encodeText(TinyCLIP.ids(f)), f["text_features"], tolerance, "text")
        // fp32 tensors, the transposed view included, come through exactly.
        let reference = try TinyCLIP.model()
        #expect(clip.text.projection.array == reference.text.projection.array)
        #expect(clip.text.blocks[1].mlpIn.weight.array == reference.text.blocks[1].mlpIn.weight.array)
        // fp16 tensors are the reference rounded to 11 significant bits (subnormals below
        // 2⁻¹⁴ to a spacing of 2⁻²⁴).
        let rounding = Tolerance(absolute: 0x1p-25, relative: 0x1p-11)
        expectClose(clip.vision.projection, reference.vision.projection, rounding)
    }

    @Test("a checkpoint of another architecture names the first tensor that does not fit")
    func wrongArchitecture() throws {
        #expect(
            throws: ParameterError.shapeMismatch(
                name: "visual.conv1.weight", expected: [768, 3, 32, 32], found: [64, 3, 8, 8], source: Self.jit.path)
        ) {
            try CLIP.load(from: Self.jit, configuration: .vitB32)
        }
    }

    @Test("files that are not checkpoints are rejected with their path")
    func notCheckpoints() throws {
        let garbage = FileManager.default.temporaryDirectory.appendingPathComponent("clip-\(UUID()).pt")
        try Data("not a zip archive".utf8).write(to: garbage)
        defer { try? FileManager.default.removeItem(at: garbage) }
        #expect {
            try CLIP.load(from: garbage)
        } throws: { error in
            (error as? TorchCheckpointError).map { "\($0)".hasPrefix(garbage.path) } ?? false
        }
        let unknown = try Self.copy(Self.jit, pathExtension: "ckpt")
        defer { try? FileManager.default.removeItem(at: unknown) }
        #expect {
            try CLIP.load(from: unknown)
        } throws: { error in
            guard case .unsupported(let path, _) = error as? ModelLoadingError else { return false }
            return path == unknown.path
        }
    }

    @Test("OpenAI → Hugging Face names reproduce transformers' own conversion of the fixture")
    func huggingFaceNamesFromOpenAI() throws {
        let openAI = try loadSafeTensors(from: Fixture.url("clip/tiny_openai.safetensors"))
        let converted = try CheckpointNames.huggingFaceNames(fromOpenAI: openAI, origin: "tiny")
        let reference = try loadSafeTensors(from: Fixture.url("clip/tiny_hf/model.safetensors"))
        #expect(Set(converted.keys) == Set(reference.keys))
        for (name, tensor) in reference {
            #expect(converted[name]?.shape == tensor.shape, "\(name)")
            #expect(converted[name]?.array == tensor.array, "\(name)")
        }
        let back = try CheckpointNames.openAINames(fromHuggingFace: converted, origin: "tiny")
        #expect(Set(back.keys) == Set(openAI.keys))
        #expect(back.allSatisfy { name, tensor in openAI[name]?.array == tensor.array })
        #expect(throws: ParameterError.unexpected(names: ["extra"], source: "tiny")) {
            try CheckpointNames.huggingFaceNames(fromOpenAI: ["extra": Tensor.zeros([1])], origin: "tiny")
        }
    }

    @Test("a bare file with Hugging Face names is converted before loading")
    func bareHuggingFaceFile() throws {
        let f = try TinyCLIP.forward()
        let clip = try CLIP.load(
            from: Fixture.url("clip/tiny_hf/model.safetensors"), configuration: TinyCLIP.configuration)
        expectClose(clip.encodeImage(f["pixels"]), f["image_features"], .model, "image")
    }

    @Test(
        "a configuration survives writing and reading config.json",
        arguments: [
            TinyCLIP.configuration, CLIPConfiguration.vitB16, CLIPConfiguration.vitL14at336,
        ])
    func huggingFaceConfigurationRoundTrip(configuration: CLIPConfiguration) throws {
        var withPooling = configuration
        withPooling.text.pooling = .firstTokenID(49_407)
        for original in [configuration, withPooling] {
            let read = try CLIPConfiguration(huggingFaceJSON: original.huggingFaceJSON(), file: "written")
            #expect(read == original)
        }
    }

    @Test("OpenAI release files are checked against the published digests by name")
    func releaseDigests() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("releases-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let impostor = folder.appendingPathComponent("ViT-B-32.pt")
        try Data("not the release".utf8).write(to: impostor)
        #expect(OpenAIReleases.isKnownRelease(impostor))
        #expect(throws: OpenAIReleases.ChecksumMismatch.self) { try OpenAIReleases.verify(impostor) }
        #expect(try OpenAIReleases.verify(Self.jit) == false)
        #expect(!OpenAIReleases.isKnownRelease(Self.jit))
    }

    /// A temporary copy of `url` with another extension.
    static func copy(_ url: URL, pathExtension: String) throws -> URL {
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("clip-\(UUID()).\(pathExtension)")
        try FileManager.default.copyItem(at: url, to: copy)
        return copy
    }
}
