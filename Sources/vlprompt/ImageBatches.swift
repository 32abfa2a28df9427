// Encoding many image files in batches: decode and preprocess a batch in parallel, report each
// file that fails (naming it and the problem), encode the rest, move on.

import Foundation
import VLImage
import VLTensor

extension LoadedModel {
    /// Image features of the files at `paths`, `batchSize` files at a time. `body` receives each
    /// batch's indices into `paths` and their features `[indices.count, embeddingWidth]`; a file
    /// that cannot be read is reported on `console.errors` and left out.
    ///
    /// - Returns: the number of files that failed.
    func encodeImages(
        _ paths: [String], batchSize: Int, console: Console,
        _ body: (_ indices: [Int], _ features: Tensor) throws -> Void
    ) rethrows -> Int {
        var failures = 0
        for start in stride(from: 0, to: paths.count, by: batchSize) {
            let range = start..<min(start + batchSize, paths.count)
            let results = preprocessing(contentsOf: range.map { URL(fileURLWithPath: paths[$0]) })
            var indices: [Int] = []
            var pixels: [Tensor] = []
            for (index, result) in zip(range, results) {
                switch result {
                case .success(let tensor):
                    indices.append(index)
                    pixels.append(tensor)
                case .failure(let error):
                    console.errors("error: \(error)")
                    failures += 1
                }
            }
            if !pixels.isEmpty { try body(indices, clip.encodeImage(stackImages(pixels))) }
        }
        return failures
    }
}

extension Tensor {
    /// The rows of a `[rows, width]` tensor as arrays.
    var rows: [[Float]] {
        let width = shape[1]
        let values = scalars
        return (0..<shape[0]).map { Array(values[($0 * width)..<(($0 + 1) * width)]) }
    }
}
