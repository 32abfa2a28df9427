// Reading PyTorch checkpoints without executing code: torch.save ZIP archives (state dicts,
// open_clip and Dassl checkpoints) and TorchScript archives (OpenAI's JIT CLIP .pt files).
// Layout per formats.md §3.3: <root>/data.pkl pickles the object graph, <root>/data/<key>
// holds each storage's raw little-endian bytes.

import Foundation

/// A PyTorch checkpoint opened for reading, flattened to a state dict.
///
/// Opening decodes `data.pkl` with the allow-listed ``PickleReader``, flattens it to dotted
/// state-dict keys (`visual.transformer.resblocks.0.attn.in_proj_weight`) and checks that
/// every tensor view fits its storage. Tensor data is converted only when asked for; strided
/// views are copied to row-major order and fp16/bf16 are widened to Float32.
///
/// ```swift
/// let checkpoint = try TorchCheckpoint(url: URL(fileURLWithPath: "ViT-B-32.pt"))
/// let projection = try checkpoint.floats("visual.proj")
/// ```
public final class TorchCheckpoint: Sendable {
    /// What the archive's pickle held.
    public enum Format: Sendable, Equatable {
        /// A dict of tensors (torch.save of a state dict, possibly wrapped in `{"state_dict": …}`).
        case stateDict
        /// A TorchScript module tree (torch.jit.save); tensors are module attributes.
        case torchScript
    }

    /// The file this was read from.
    public let url: URL
    /// Whether the archive held a state dict or a TorchScript module.
    public let format: Format
    /// State-dict keys in the order the pickle lists them.
    public var names: [String] { contents.names }
    private let contents: TorchArchive
    private let file: MappedFile

    /// Opens the checkpoint at `url`. `allowedClasses` lists further `module.name` classes the
    /// pickle may instantiate as opaque objects (for checkpoints that store custom objects
    /// beside the weights); every other global is refused.
    public init(url: URL, allowedClasses: Set<String> = []) throws(TorchCheckpointError) {
        do {
            file = try MappedFile(url: url)
        } catch {
            throw .unreadable(file: url.path, reason: error.reason)
        }
        contents = try TorchArchive(bytes: file.bytes, file: url.path, allowedClasses: allowedClasses)
        self.url = url
        format = contents.format
    }

    /// Whether the checkpoint holds a tensor called `name`.
    public func contains(_ name: String) -> Bool { contents.tensors[name] != nil }

    /// The storage, offset, shape and strides of tensor `name`.
    public func info(_ name: String) throws(TorchCheckpointError) -> TorchTensorReference {
        guard let tensor = contents.tensors[name] else { throw .missingTensor(file: url.path, tensor: name) }
        return tensor
    }

    /// Tensor `name` (float32, float16, bfloat16 or float64) as row-major Float32 values.
    public func floats(_ name: String) throws(TorchCheckpointError) -> [Float] {
        let tensor = try info(name)
        guard tensor.dtype.convertsToFloat else {
            throw .unsupportedConversion(file: url.path, tensor: name, dtype: tensor.dtype, target: "Float")
        }
        return contents.floats(tensor, fileBytes: file.bytes)
    }

    /// Tensor `name` (int64, int32, int16, int8, uint8 or bool) as `Int` values in row-major order.
    public func integers(_ name: String) throws(TorchCheckpointError) -> [Int] {
        let tensor = try info(name)
        guard tensor.dtype.convertsToInteger else {
            throw .unsupportedConversion(file: url.path, tensor: name, dtype: tensor.dtype, target: "Int")
        }
        switch contents.integers(tensor, fileBytes: file.bytes) {
        case .success(let values): return values
        case .failure(let error): throw .valueOutOfRange(file: url.path, tensor: name, index: error.index)
        }
    }
}
