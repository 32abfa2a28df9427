// Tip-Adapter and Tip-Adapter-F — "Tip-Adapter: Training-free Adaption of CLIP for Few-shot Classification"
// (Zhang et al., ECCV 2022, arXiv 2207.09519), following gaopengcuhk/Tip-Adapter main.py, utils.py and
// configs/*.yaml: a cache of few-shot training features added to zero-shot CLIP (methods-visual.md §8).

import VLCLIP
import VLTensor
import VLText

/// Tip-Adapter: zero-shot CLIP plus a cache model built from the few-shot training images.
///
/// - Cache (``prepare(training:clip:)``): keys `F` `[items, embeddingWidth]` are each training
///   image's frozen features averaged over ``Options/augmentEpochs`` augmented passes (random
///   resized crop of 50–100% of the area and flip, ``Options/cacheAugmentation``), then
///   L2-normalized; values `L` `[items, classes]` are one-hot labels.
/// - Logits: `exp(logit_scale)·f·Wᵀ + α·exp(−β(1 − f·Fᵀ))·L` with `f` the normalized test feature
///   and `W` the normalized class text features (the template ensemble of ``Options/templates``).
///   `exp(logit_scale)` is the official hard-coded 100 for OpenAI's weights; other models use their own.
/// - α and β start at the per-dataset `init_alpha` and `init_beta` (``Options/init(dataset:)``)
///   and are then searched over the official grid (``Options/Search``) on the validation split
///   (``finishTraining(validation:clip:)``). Deviation: the official ImageNet script searches on
///   the test set, which has no separate validation split in CoOp's protocol; here a dataset
///   whose validation set is its test set keeps the initial α and β.
/// - Other class names (base-to-novel, cross-dataset): the cache covers the classes it was built
///   for, and its logits map by class name; a class the cache does not hold gets a zero cache
///   term, so novel classes are scored by zero-shot CLIP alone.
///
/// Why Tip-Adapter-F is a second type (``TipAdapterF``) rather than an option: what trains is a
/// type's static ``AdaptationMethod/trainable`` list, and that list is empty here and holds the
/// keys there. The two share this type's cache, logits, search and options; ``TipAdapterF`` wraps one.
public struct TipAdapter: AdaptationMethod {
    /// The hyperparameter search of `utils.search_hp`: β takes `betaSteps` values
    /// `0.1 + i·(betaScale − 0.1)/betaSteps` and α takes `alphaSteps` values
    /// `0.1 + j·(alphaScale − 0.1)/alphaSteps` (`i`, `j` from 0); the first pair, β-major, with
    /// the highest validation accuracy wins.
    public struct Search: Codable, Sendable, Equatable {
        /// `search_scale[0]`, the upper end of β's grid.
        public var betaScale: Double
        /// `search_scale[1]`, the upper end of α's grid.
        public var alphaScale: Double
        /// `search_step[0]` (200).
        public var betaSteps = 200
        /// `search_step[1]` (20).
        public var alphaSteps = 20

        /// A grid up to `betaScale` and `alphaScale` with the official step counts unless given.
        public init(betaScale: Double, alphaScale: Double, betaSteps: Int = 200, alphaSteps: Int = 20) {
            self.betaScale = betaScale
            self.alphaScale = alphaScale
            self.betaSteps = betaSteps
            self.alphaSteps = alphaSteps
        }

        /// The values β and α take.
        public var grid: (betas: [Double], alphas: [Double]) {
            (
                (0..<betaSteps).map { Double($0) * (betaScale - 0.1) / Double(betaSteps) + 0.1 },
                (0..<alphaSteps).map { Double($0) * (alphaScale - 0.1) / Double(alphaSteps) + 0.1 }
            )
        }
    }

    /// Tip-Adapter's options; absent JSON fields take the official values.
    public struct Options: Codable, Sendable, Equatable {
        /// The class text features' templates, ensembled (normalized, averaged, renormalized).
        public var templates: [String] = ["a photo of a {}."]
        /// `augment_epoch`: augmented passes averaged into each key (10).
        public var augmentEpochs = 10
        /// The cache's transform (the official `RandomResizedCrop(scale=(0.5, 1))` and flip);
        /// `none` builds the keys from one test-transform pass.
        public var cacheAugmentation = TipAdapter.cacheAugmentation
        /// `init_alpha`, the residual ratio before the search.
        public var initialAlpha = 1.0
        /// `init_beta`, the sharpness before the search (1 in every config).
        public var initialBeta = 1.0
        /// The search after training; `nil` keeps the initial α and β (`search_hp: False`).
        public var search: Search? = TipAdapter.genericSearch

        /// Options with the official values unless given.
        public init(
            templates: [String] = ["a photo of a {}."], augmentEpochs: Int = 10,
            cacheAugmentation: TrainingRecipe.Augmentation = TipAdapter.cacheAugmentation, initialAlpha: Double = 1,
            initialBeta: Double = 1, search: Search? = TipAdapter.genericSearch
        ) {
            self.templates = templates
            self.augmentEpochs = augmentEpochs
            self.cacheAugmentation = cacheAugmentation
            self.initialAlpha = initialAlpha
            self.initialBeta = initialBeta
            self.search = search
        }

        /// The official options for a CoOp dataset name: ImageNet's 7-template ensemble or the
        /// dataset's template of CoOp's table (the same one Tip-Adapter's dataset files use), and
        /// the config's `init_alpha` and `search_scale`. Other datasets (the world's included)
        /// take α = β = 1 and the grid ``genericSearch``: the toolkit's choice, not an official one.
        public init(dataset: String) {
            let settings = TipAdapter.datasetSettings[dataset]
            self.init(
                templates: dataset == "ImageNet"
                    ? ImageNetTemplates.select : [TemplateTable.coopZeroShot.template(forDataset: dataset)],
                initialAlpha: settings?.initialAlpha ?? 1, search: settings?.search ?? TipAdapter.genericSearch)
        }

        enum CodingKeys: String, CodingKey {
            case templates, augmentEpochs, cacheAugmentation, initialAlpha, initialBeta, search
        }

        /// Decodes the options, taking the default for every absent key (`search: null` turns
        /// the search off).
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let defaults = Options()
            self.init(
                templates: try container.decode(.templates, or: defaults.templates),
                augmentEpochs: try container.decode(.augmentEpochs, or: defaults.augmentEpochs),
                cacheAugmentation: try container.decode(.cacheAugmentation, or: defaults.cacheAugmentation),
                initialAlpha: try container.decode(.initialAlpha, or: defaults.initialAlpha),
                initialBeta: try container.decode(.initialBeta, or: defaults.initialBeta),
                search: container.contains(.search)
                    ? try container.decodeIfPresent(Search.self, forKey: .search) : defaults.search)
        }

        /// Encodes every field, `search` as `null` when off so it decodes the same.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(templates, forKey: .templates)
            try container.encode(augmentEpochs, forKey: .augmentEpochs)
            try container.encode(cacheAugmentation, forKey: .cacheAugmentation)
            try container.encode(initialAlpha, forKey: .initialAlpha)
            try container.encode(initialBeta, forKey: .initialBeta)
            try container.encode(search, forKey: .search)
        }

        /// Throws unless the values are usable.
        func validate() throws(MethodError) {
            guard augmentEpochs >= 1 else {
                throw .invalidOption(name: "augmentEpochs", value: "\(augmentEpochs)", requirement: "≥ 1")
            }
            for (name, value) in [("initialAlpha", initialAlpha), ("initialBeta", initialBeta)]
            where !(value.isFinite && value >= 0) {
                throw .invalidOption(name: name, value: "\(value)", requirement: "finite and ≥ 0")
            }
            if let search, !(search.betaSteps >= 1 && search.alphaSteps >= 1 && search.betaScale.isFinite
                && search.alphaScale.isFinite)
            {
                throw .invalidOption(name: "search", value: "\(search)", requirement: "finite scales and ≥ 1 steps")
            }
        }
    }

    /// The official cache transform: random resized crop of 50–100% of the area, flip with
    /// probability ½.
    public static let cacheAugmentation = TrainingRecipe.Augmentation.randomResizedCrop(
        minimumScale: 0.5, flipProbability: 0.5)

    /// The grid of datasets without an official config: β up to 12 and α up to 10 (SUN397's and
    /// EuroSAT's, the widest α range among the configs that are not fine-grained).
    public static let genericSearch = Search(betaScale: 12, alphaScale: 10)

    /// `init_alpha` and `search_scale` of the official configs by Dassl dataset name
    /// (`init_beta` is 1 in all of them).
    public static let datasetSettings: [String: (initialAlpha: Double, search: Search)] = [
        "ImageNet": (1.17, Search(betaScale: 7, alphaScale: 3)),
        "Caltech101": (3, Search(betaScale: 12, alphaScale: 5)),
        "DescribableTextures": (2, Search(betaScale: 13, alphaScale: 13)),
        "EuroSAT": (2, Search(betaScale: 12, alphaScale: 10)),
        "FGVCAircraft": (5, Search(betaScale: 30, alphaScale: 30)),
        "Food101": (1.17, Search(betaScale: 10, alphaScale: 10)),
        "OxfordFlowers": (10, Search(betaScale: 50, alphaScale: 50)),
        "OxfordPets": (1.17, Search(betaScale: 7, alphaScale: 3)),
        "StanfordCars": (3, Search(betaScale: 20, alphaScale: 10)),
        "SUN397": (1.17, Search(betaScale: 12, alphaScale: 10)),
        "UCF101": (3, Search(betaScale: 7, alphaScale: 3)),
    ]

    public static var kind: MethodKind { .tipAdapter }
    public var configuration: MethodConfiguration { .tipAdapter(options) }
    public static var trainable: [(name: String, path: WritableKeyPath<TipAdapter, Tensor>)] { [] }

    /// The cache and the searched α, β. The keys are stored `[items, embeddingWidth]` (the
    /// official `keys.pt` holds their transpose).
    public static var fitted: [(name: String, path: WritableKeyPath<TipAdapter, Tensor>)] {
        [("cache_keys", \.keys), ("cache_values", \.values), ("alpha", \.alpha), ("beta", \.beta)]
    }

    public static var selectsOnValidation: Bool { true }

    public let options: Options
    /// Normalized keys `[items, embeddingWidth]`; zero rows until the cache is built.
    public var keys: Tensor
    /// One-hot values `[items, cacheClassNames.count]`.
    public var values: Tensor
    /// `[1]`: the residual ratio α.
    public var alpha: Tensor
    /// `[1]`: the sharpness β.
    public var beta: Tensor
    /// The classes the cache's values index: the class names the method was built for.
    public let cacheClassNames: [String]
    public private(set) var classNames: [String]
    /// The frozen classifier `[classes, embeddingWidth]`: the templates' ensembled normalized
    /// text features for the current classes (zero-shot CLIP's, ``ZeroShot/classifier``).
    public internal(set) var textFeatures: Tensor
    /// `[cacheClassNames.count, classes]`: 1 where a cache class is a current class; `nil` when
    /// the two lists are the same.
    var classMapping: Tensor?

    public init(
        options: Options, clip: CLIP, tokenizer: any TextTokenizer, classNames: [String], seed: UInt64
    ) throws {
        try options.validate()
        self.options = options
        (self.classNames, textFeatures) = try ZeroShot.classifier(
            for: classNames, templates: options.templates, clip: clip, tokenizer: tokenizer)
        cacheClassNames = self.classNames
        keys = Tensor.zeros([0, clip.configuration.embeddingWidth])
        values = Tensor.zeros([0, cacheClassNames.count])
        alpha = Tensor([Float(options.initialAlpha)])
        beta = Tensor([Float(options.initialBeta)])
    }

    public mutating func setClassNames(_ classNames: [String], clip: CLIP, tokenizer: any TextTokenizer) throws {
        (self.classNames, textFeatures) = try ZeroShot.classifier(
            for: classNames, templates: options.templates, clip: clip, tokenizer: tokenizer)
        classMapping = TipAdapter.mapping(from: cacheClassNames, to: self.classNames)
    }

    /// `[from.count, to.count]` with 1 where the names are equal, or `nil` when the lists are.
    static func mapping(from cache: [String], to current: [String]) -> Tensor? {
        guard cache != current else { return nil }
        var entries = [Float](repeating: 0, count: cache.count * current.count)
        for (row, name) in cache.enumerated() {
            for (column, other) in current.enumerated() where other == name { entries[row * current.count + column] = 1 }
        }
        return Tensor(entries, shape: [cache.count, current.count])
    }

    public var trainingFeaturePasses: FeaturePasses? {
        FeaturePasses(count: options.augmentEpochs, augmentation: options.cacheAugmentation)
    }

    /// Builds the cache: keys are the normalized mean of the passes, values the one-hot labels.
    public mutating func prepare(training: LabeledFeatures, clip: CLIP) throws {
        guard training.classNames.map({ $0.replacingOccurrences(of: "_", with: " ") }) == cacheClassNames else {
            throw MethodError.inconsistentState(
                detail: "the cache is built for classes \(cacheClassNames), the training set has \(training.classNames)")
        }
        keys = training.meanFeatures.normalized(alongAxis: -1)
        values = Tensor.oneHot(labels: training.labels, classes: cacheClassNames.count)
    }

    /// Searches α and β on the validation features (``Options/search``; nothing without it).
    public mutating func finishTraining(validation: LabeledFeatures, clip: CLIP) throws {
        guard let search = options.search, keys.shape[0] > 0 else { return }
        let features = validation.meanFeatures.normalized(alongAxis: -1)
        let best = TipAdapter.search(
            search, clipLogits: clipLogits(features, clip: clip), affinity: features.matmul(keys, transposeOther: true),
            values: mappedValues, labels: validation.labels)
        alpha = Tensor([Float(best.alpha)])
        beta = Tensor([Float(best.beta)])
    }

    public func checkLearnedState() throws(MethodError) {
        guard keys.shape[0] == values.shape[0] else {
            throw .inconsistentState(detail: "cache_keys has \(keys.shape[0]) rows, cache_values \(values.shape[0])")
        }
        guard alpha.shape == [1] && beta.shape == [1] else {
            throw .inconsistentState(detail: "alpha and beta must each hold one value")
        }
    }

    public func logits(_ images: ImageBatch, clip: CLIP) -> Tensor {
        let features = images.features(using: clip).normalized(alongAxis: -1)
        let zeroShot = clipLogits(features, clip: clip)
        guard keys.shape[0] > 0 else { return zeroShot }
        return zeroShot + cacheLogits(features) * alpha.item
    }

    /// Zero-shot CLIP's logits `[batch, classes]` for normalized features.
    public func clipLogits(_ normalizedFeatures: Tensor, clip: CLIP) -> Tensor {
        normalizedFeatures.matmul(textFeatures, transposeOther: true) * clip.logitScale.exp()
    }

    /// The cache term before α, `exp(−β(1 − f·Fᵀ))·L` mapped to the current classes,
    /// `[batch, classes]`, for normalized features `f` (the cache must hold items).
    public func cacheLogits(_ normalizedFeatures: Tensor) -> Tensor {
        TipAdapter.cacheLogits(normalizedFeatures.matmul(keys, transposeOther: true), beta: beta.item, values: mappedValues)
    }

    /// The values with their columns mapped to the current classes, `[items, classes]`.
    var mappedValues: Tensor { classMapping.map { values.matmul($0) } ?? values }

    /// `exp(−β(1 − affinity))·values`, written as `exp(β·affinity − β)`: the same floats, since
    /// `a − b = −(b − a)` exactly.
    static func cacheLogits(_ affinity: Tensor, beta: Float, values: Tensor) -> Tensor {
        (affinity * beta - beta).exp().matmul(values)
    }

    /// `search_hp`: the (β, α) of `search`'s grid with the most correct validation predictions,
    /// the first one in β-major order on ties; (0, 0) if none is ever correct, as the official
    /// loop leaves it.
    static func search(
        _ search: Search, clipLogits: Tensor, affinity: Tensor, values: Tensor, labels: [Int]
    ) -> (beta: Double, alpha: Double, correct: Int) {
        let (betas, alphas) = search.grid
        let clip = clipLogits.array
        let classes = clipLogits.shape[1]
        var best = (beta: 0.0, alpha: 0.0, correct: 0)
        for beta in betas {
            let cache = cacheLogits(affinity, beta: Float(beta), values: values).array
            for alpha in alphas {
                let correct = correctPredictions(clip, cache, alpha: Float(alpha), classes: classes, labels: labels)
                if correct > best.correct { best = (beta, alpha, correct) }
            }
        }
        return best
    }

    /// How many rows of `clip + α·cache` (each `[classes]`) have their maximum at the label.
    static func correctPredictions(_ clip: [Float], _ cache: [Float], alpha: Float, classes: Int, labels: [Int]) -> Int {
        var correct = 0
        for (row, label) in labels.enumerated() {
            let start = row * classes
            var (bestClass, bestValue) = (0, -Float.infinity)
            for column in 0..<classes {
                let value = clip[start + column] + cache[start + column] * alpha
                if value > bestValue { (bestClass, bestValue) = (column, value) }
            }
            if bestClass == label { correct += 1 }
        }
        return correct
    }
}

/// Tip-Adapter-F: Tip-Adapter whose cache keys are fine-tuned (the official `adapter`, a
/// bias-free `nn.Linear` whose weight starts as the keys), values fixed, α and β fixed at their
/// initial values while training, then searched on validation like ``TipAdapter``'s. The keys
/// are not renormalized during training. Deviation: the official script keeps the epoch with the
/// best *test* accuracy; the toolkit keeps the last epoch, as every other method (and the
/// official maintainers agreed validation should decide, issue #11).
public struct TipAdapterF: AdaptationMethod {
    /// The same options as ``TipAdapter``.
    public typealias Options = TipAdapter.Options

    public static var kind: MethodKind { .tipAdapterF }
    public var configuration: MethodConfiguration { .tipAdapterF(options) }

    /// The official state-dict key of the fine-tuned keys, `[items, embeddingWidth]`.
    public static var trainable: [(name: String, path: WritableKeyPath<TipAdapterF, Tensor>)] {
        [("adapter.weight", \.cache.keys)]
    }

    /// The fixed values and the α and β the search sets.
    public static var fitted: [(name: String, path: WritableKeyPath<TipAdapterF, Tensor>)] {
        [("cache_values", \.cache.values), ("alpha", \.cache.alpha), ("beta", \.cache.beta)]
    }

    public static var selectsOnValidation: Bool { true }

    /// The cache model, whose keys train.
    public var cache: TipAdapter

    public var options: Options { cache.options }
    public var classNames: [String] { cache.classNames }

    public init(
        options: Options, clip: CLIP, tokenizer: any TextTokenizer, classNames: [String], seed: UInt64
    ) throws {
        cache = try TipAdapter(options: options, clip: clip, tokenizer: tokenizer, classNames: classNames, seed: seed)
    }

    public mutating func setClassNames(_ classNames: [String], clip: CLIP, tokenizer: any TextTokenizer) throws {
        try cache.setClassNames(classNames, clip: clip, tokenizer: tokenizer)
    }

    public var trainingFeaturePasses: FeaturePasses? { cache.trainingFeaturePasses }

    public mutating func prepare(training: LabeledFeatures, clip: CLIP) throws {
        try cache.prepare(training: training, clip: clip)
    }

    public mutating func finishTraining(validation: LabeledFeatures, clip: CLIP) throws {
        try cache.finishTraining(validation: validation, clip: clip)
    }

    public func checkLearnedState() throws(MethodError) { try cache.checkLearnedState() }

    public func logits(_ images: ImageBatch, clip: CLIP) -> Tensor { cache.logits(images, clip: clip) }
}
