// Loading tensors from and saving them to safetensors files (huggingface/safetensors format),
// converting F16/BF16/F64 to Float32 on the way in and writing F32 on the way out.

import Foundation
import VLFormats
import VLTensor

extension Tensor {
    /// Reads tensor `name` (F32, F16, BF16 or F64) from `file` as Float32 with its stored shape.
    public init(from file: SafeTensorsFile, name: String) throws(SafeTensorsError) {
        let info = try file.info(name)
        guard info.dtype.convertsToFloat else {
            throw .unsupportedConversion(file: file.url.path, tensor: name, dtype: info.dtype, target: "Float")
        }
        var failure: SafeTensorsError?
        self = Tensor.computed(shape: info.shape) { buffer in
            do throws(SafeTensorsError) {
                try file.floats(name, into: buffer)
            } catch {
                buffer.initialize(repeating: 0)
                failure = error
            }
        }
        if let failure { throw failure }
    }
}

/// Reads every floating-point tensor (F32, F16, BF16, F64) of the safetensors file at `url`,
/// keyed by name, as Float32. Integer and other tensors are skipped.
public func loadSafeTensors(from url: URL) throws(SafeTensorsError) -> [String: Tensor] {
    let file = try SafeTensorsFile(url: url)
    var tensors: [String: Tensor] = [:]
    for name in file.names where try file.info(name).dtype.convertsToFloat {
        tensors[name] = try Tensor(from: file, name: name)
    }
    return tensors
}

/// Writes `tensors` as F32 with `metadata` to a safetensors file at `url`, atomically.
public func saveSafeTensors(
    _ tensors: [String: Tensor], metadata: [String: String] = [:], to url: URL
) throws {
    var writer = SafeTensorsWriter(metadata: metadata)
    for (name, tensor) in tensors {
        try writer.add(name, floats: tensor.scalars, shape: tensor.shape)
    }
    try writer.write(to: url)
}
