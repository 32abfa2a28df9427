// Encoding many image files in batches through the training loader (`ImageBatchLoader`): the
// next batch decodes while the current one is encoded, each file that fails is reported
// (naming it and the problem), and the rest are encoded.

import Foundation
import VLData
import VLImage
import VLTensor
import VLTraining

extension LoadedModel {
    /// Image features of the files at `paths`, `batchSize` files at a time. `body` receives each
    /// batch's indices into `paths` and their features `[indices.count, embeddingWidth]`; a file
    /// that cannot be read is reported on `console.errors` and left out.
    ///
    /// - Returns: the number of files that failed.
    func encodeImages(
        _ paths: [String], batchSize: Int, console: Console,
        _ body: (_ indices: [Int], _ features: Tensor) throws -> Void
    ) throws -> Int {
        let items = paths.map { path in
            LabeledItem(path: path, location: .file(URL(fileURLWithPath: path)), label: 0, className: "")
        }
        let loader = ImageBatchLoader(
            data: LabeledImages(items: items, classNames: [""], images: ImageFiles(alpha: preprocessing.alpha)),
            preprocessing: preprocessing, options: LoadingOptions(skipBadImages: true))
        var failures = 0
        try loader.forEach(ImageBatchLoader.consecutiveBatches(count: paths.count, size: batchSize)) { batch in
            for skipped in batch.skipped { console.errors("error: \(skipped.reason)") }
            failures += batch.skipped.count
            if !batch.indices.isEmpty { try body(batch.indices, clip.encodeImage(batch.pixels)) }
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
