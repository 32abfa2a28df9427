// Loading tensors from PyTorch checkpoints (torch.save archives, TorchScript .pt files such as
// OpenAI's CLIP releases) through VLFormats' non-executing reader, widened to Float32.

import Foundation
import VLFormats
import VLTensor

extension Tensor {
    /// Reads tensor `name` (float32, float16, bfloat16 or float64) from `checkpoint` as a
    /// row-major Float32 tensor of its stored shape.
    public init(from checkpoint: TorchCheckpoint, name: String) throws(TorchCheckpointError) {
        let reference = try checkpoint.info(name)
        self.init(try checkpoint.floats(name), shape: reference.shape)
    }
}

/// Reads every floating-point tensor of the PyTorch checkpoint at `url`, keyed by its
/// state-dict name, as Float32. Integer tensors (such as the JIT archives' `input_resolution`,
/// `context_length` and `vocab_size` buffers) are skipped.
public func loadTorchCheckpoint(from url: URL) throws(TorchCheckpointError) -> [String: Tensor] {
    let checkpoint = try TorchCheckpoint(url: url)
    var tensors: [String: Tensor] = [:]
    for name in checkpoint.names where try checkpoint.info(name).dtype.convertsToFloat {
        tensors[name] = try Tensor(from: checkpoint, name: name)
    }
    return tensors
}
