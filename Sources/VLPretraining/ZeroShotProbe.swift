// Zero-shot classification of world datasets (Radford et al. 2021, §3.1.2): class names in the
// "a photo of a {}." template, the nearest text feature wins. Evaluated base-to-novel as CoCoOp
// does: base test images among base classes, novel test images among novel classes.

import VLCLIP
import VLImage
import VLTensor
import VLText
import VLWorld

/// Zero-shot accuracies of a model on one world dataset.
public struct ZeroShotResult: Sendable, Equatable {
    /// The dataset's name (`world:shapes`).
    public var dataset: String
    /// Accuracy (0…1) on base-class test images, choosing among the base classes.
    public var base: Double
    /// Accuracy (0…1) on novel-class test images, choosing among the novel classes.
    public var novel: Double
    /// Base classes in the dataset (chance on base is 1 / baseClasses).
    public var baseClasses: Int
    /// Novel classes in the dataset (chance on novel is 1 / novelClasses).
    public var novelClasses: Int

    /// `2·base·novel / (base + novel)`, CoCoOp's summary (0 when both are 0).
    public var harmonicMean: Double { base + novel > 0 ? 2 * base * novel / (base + novel) : 0 }

    /// One line: `world:shapes base 41.2% novel 30.1% (chance 5.6%/5.6%) H 34.8%`.
    public var summary: String {
        func percent(_ x: Double) -> String { String(format: "%.1f%%", 100 * x) }
        return "\(dataset) base \(percent(base)) novel \(percent(novel)) "
            + "(chance \(percent(1 / Double(baseClasses)))/\(percent(1 / Double(novelClasses)))) "
            + "H \(percent(harmonicMean))"
    }
}

/// Evaluates zero-shot accuracy on world datasets.
public struct ZeroShotProbe: Sendable {
    /// The prompt template; `{}` is replaced by the class name.
    public static let template = "a photo of a {}."

    let tokenizer: BPETokenizer
    /// Test images per class used (the first `examplesPerClass · classes` test examples).
    public var examplesPerClass: Int

    /// A probe using `examplesPerClass` test images of every class.
    public init(tokenizer: BPETokenizer, examplesPerClass: Int) {
        self.tokenizer = tokenizer
        self.examplesPerClass = examplesPerClass
    }

    /// Zero-shot base and novel accuracy of `model` on `dataset`'s test split.
    public func evaluate(_ model: CLIP, on dataset: WorldDataset) throws -> ZeroShotResult {
        let classCount = dataset.classes.count, baseCount = dataset.baseClassCount
        let perClass = min(examplesPerClass, dataset.count(split: .test) / classCount)
        let textFeatures = try classFeatures(model, names: dataset.classNames).normalized(alongAxis: -1)
        let indices = Array(0..<perClass * classCount)
        let imageFeatures = Self.imageFeatures(model, dataset: dataset, indices: indices).normalized(alongAxis: -1)
        let labels = indices.map { dataset.label(split: .test, index: $0) }
        let similarity = imageFeatures.matmul(textFeatures, transposeOther: true)
        let base = accuracy(similarity, labels: labels, classes: 0..<baseCount)
        let novel = accuracy(similarity, labels: labels, classes: baseCount..<classCount)
        return ZeroShotResult(
            dataset: dataset.name, base: base, novel: novel, baseClasses: baseCount,
            novelClasses: classCount - baseCount)
    }

    /// Text features `[classes, embeddingWidth]` of the templated class names.
    func classFeatures(_ model: CLIP, names: [String]) throws -> Tensor {
        let prompts = names.map { ZeroShotProbe.template.replacingOccurrences(of: "{}", with: $0) }
        let ids = try tokenizer.tokenize(prompts, contextLength: model.configuration.text.contextLength)
        return model.encodeText(PretrainingBatch.trimmed(ids))
    }

    /// Image features `[indices, embeddingWidth]` of test examples, in chunks of 128.
    static func imageFeatures(_ model: CLIP, dataset: WorldDataset, indices: [Int]) -> Tensor {
        let chunks = stride(from: 0, to: indices.count, by: 128).map { start in
            let chunk = Array(indices[start..<min(start + 128, indices.count)])
            let (images, _) = dataset.batch(split: .test, indices: chunk)
            return model.encodeImage(PixelNormalization.world.normalizing(images))
        }
        return Tensor.concatenated(chunks, alongAxis: 0)
    }

    /// Accuracy over the images whose label is in `classes`, choosing among `classes` only.
    func accuracy(_ similarity: Tensor, labels: [Int], classes: Range<Int>) -> Double {
        let width = similarity.shape[1]
        let values = similarity.scalars
        var correct = 0, total = 0
        for (row, label) in labels.enumerated() where classes.contains(label) {
            let best = classes.max { values[row * width + $0] < values[row * width + $1] }!
            if best == label { correct += 1 }
            total += 1
        }
        return total > 0 ? Double(correct) / Double(total) : 0
    }
}
