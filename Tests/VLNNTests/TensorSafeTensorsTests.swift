// The Tensor ↔ safetensors bridge and the Fixture loader built on it.

import Foundation
import Testing
import VLFormats
import VLTestSupport
@testable import VLNN
@testable import VLTensor

@Suite("tensors from and to safetensors")
struct TensorSafeTensorsTests {
    @Test("a tensor read from a file has the stored shape and the converted values")
    func readsTensor() throws {
        let file = try SafeTensorsFile(url: Fixture.url("formats/dtypes.safetensors"))
        for name in ["float32", "float16", "bfloat16", "float64", "scalar", "empty"] {
            let tensor = try Tensor(from: file, name: name)
            #expect(tensor.shape == (try file.info(name).shape))
            #expect(tensor.array.map(\.bitPattern) == (try file.floats(name)).map(\.bitPattern))
        }
        #expect(throws: SafeTensorsError.self) { try Tensor(from: file, name: "int64") }
        #expect(throws: SafeTensorsError.self) { try Tensor(from: file, name: "nothing") }
    }

    @Test("loading a file keeps the float tensors and skips the integer ones")
    func loadsFloatTensors() throws {
        let tensors = try loadSafeTensors(from: Fixture.url("formats/dtypes.safetensors"))
        #expect(Set(tensors.keys) == ["float32", "float16", "bfloat16", "float64", "float16_nonfinite",
                                      "bfloat16_nonfinite", "scalar", "empty"])
        #expect(tensors["float32"]?.shape == [2, 3])
    }

    @Test("saved tensors load back identical, with their metadata")
    func saveAndLoad() throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("VLNNTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("weights.safetensors")
        let tensors = [
            "visual.proj": Tensor.normal([3, 5], seed: 4),
            "logit_scale": Tensor(scalar: 4.6052),
            "empty": Tensor.zeros([0, 2]),
        ]
        try saveSafeTensors(tensors, metadata: ["format": "pt"], to: url)
        let loaded = try loadSafeTensors(from: url)
        #expect(Set(loaded.keys) == Set(tensors.keys))
        for (name, tensor) in tensors {
            #expect(loaded[name]?.shape == tensor.shape)
            #expect(loaded[name]?.array == tensor.array)
        }
        #expect(try SafeTensorsFile(url: url).metadata == ["format": "pt"])
    }
}

@Suite("fixture loader")
struct FixtureTests {
    @Test("a fixture gives tensors, integers, keys and metadata")
    func readsFixture() throws {
        let fixture = try Fixture("formats/dtypes")
        let file = try SafeTensorsFile(url: Fixture.url("formats/dtypes.safetensors"))
        #expect(fixture["bfloat16"].array == (try file.floats("bfloat16")))
        #expect(fixture["float32"].shape == [2, 3])
        #expect(fixture.integers("int64") == (try file.integers("int64")))
        #expect(fixture.integers("int32") == (try file.integers("int32")))
        #expect(fixture.has("scalar") && !fixture.has("absent"))
        #expect(fixture.metadata["generator"] == "tools/fixtures/formats.py")
    }

    @Test("a missing fixture says how to regenerate it")
    func missingFixture() {
        do {
            _ = try Fixture("formats/does-not-exist")
            Issue.record("opened a missing fixture")
        } catch {
            #expect("\(error)".contains("make fixtures"))
            #expect("\(error)".contains("Tests/Fixtures/formats/does-not-exist.safetensors"))
        }
    }

    @Test("fixture URLs point into Tests/Fixtures of this repository")
    func fixtureURL() {
        let url = Fixture.url("formats/dtypes.safetensors")
        #expect(url.path.hasSuffix("/Tests/Fixtures/formats/dtypes.safetensors"))
        #expect(FileManager.default.fileExists(atPath: url.path))
    }
}
