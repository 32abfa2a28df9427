// A content hash of a model's weights: SHA-256 over every parameter's name, shape and Float32
// values in name order, so the same weights hash alike whatever file layout they came from.

import VLFormats
import VLNN
import VLTensor

extension CLIP {
    /// SHA-256 (hex) of the parameters: for each, in sorted name order, the UTF-8 name, a zero
    /// byte, the shape as little-endian 64-bit integers, and the little-endian Float32 values.
    /// Weights loaded from Hugging Face, open_clip or OpenAI files are renamed to OpenAI keys
    /// first, so equal weights give equal hashes across formats.
    public func contentHash() -> String {
        var hash = SHA256()
        for (name, tensor) in namedParameters().sorted(by: { $0.name < $1.name }) {
            hash.update(Array(name.utf8) + [0])
            for extent in [tensor.rank] + tensor.shape {
                withUnsafeBytes(of: UInt64(extent).littleEndian) { hash.update($0) }
            }
            hash.update(UnsafeRawBufferPointer(tensor.scalars))
        }
        return hash.hexDigest()
    }
}
