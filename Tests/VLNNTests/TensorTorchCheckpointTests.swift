// Tensors loaded from PyTorch checkpoints through the VLNN bridge.

import Testing
import VLFormats
import VLTestSupport
@testable import VLNN
import VLTensor

@Suite("tensors from PyTorch checkpoints")
struct TensorTorchCheckpointTests {
    @Test("a TorchScript archive loads its float tensors as Float32, skipping integer buffers")
    func loadsArchive() throws {
        let tensors = try loadTorchCheckpoint(from: Fixture.url("formats/script_module.pt"))
        let expected = try Fixture("formats/checkpoints_expected")
        let names = try SafeTensorsFile(url: Fixture.url("formats/checkpoints_expected.safetensors")).names
            .filter { $0.hasPrefix("script_module/") }
        #expect(tensors["input_resolution"] == nil && tensors["vocab_size"] == nil)
        #expect(tensors.count == names.count - 3)  // input_resolution, context_length, vocab_size
        for name in ["visual.proj", "visual.class_embedding", "transformer.resblocks.0.attn.in_proj_weight"] {
            let tensor = try #require(tensors[name])
            let reference = expected["script_module/" + name]
            #expect(tensor.shape == reference.shape && tensor.array == reference.array, "\(name)")
        }
    }

    @Test("a single tensor reads with its shape")
    func singleTensor() throws {
        let checkpoint = try TorchCheckpoint(url: Fixture.url("formats/state_dict.pt"))
        let window = try Tensor(from: checkpoint, name: "window")
        #expect(window.shape == [2, 3])
        #expect(window.array == (try checkpoint.floats("window")))
        #expect(throws: TorchCheckpointError.self) { try Tensor(from: checkpoint, name: "ids") }
    }
}
