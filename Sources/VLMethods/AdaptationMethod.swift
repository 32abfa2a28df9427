// The method plug-in interface (STYLE.md §4.6): one protocol every adaptation method conforms
// to, one file per method, one case in MethodConfiguration. CLIP's weights are read, never
// written: what trains is exactly the tensors a method lists in `trainable`.

import VLCLIP
import VLTensor
import VLText

/// Images as a method receives them.
public enum ImageBatch: Sendable {
    /// Preprocessed pixels `[batch, 3, imageSize, imageSize]`.
    case pixels(Tensor)
    /// Features `[batch, embeddingWidth]` of the frozen image encoder (``CLIP/encodeImage(_:hooks:)``,
    /// projected, not normalized), computed once per augmented batch without a gradient graph.
    case features(Tensor)
    /// Every output token of the frozen image encoder through `ln_post` and the projection
    /// (``VisionTransformer/projectedTokens(_:hooks:)``), `[batch, tokens, embeddingWidth]`, not
    /// normalized: token 0 is the pooled feature ``features(_:)`` holds, the others are the
    /// local (patch) features. Computed once per augmented batch without a gradient graph.
    case tokenFeatures(Tensor)

    /// Number of images.
    public var count: Int {
        switch self {
        case .pixels(let tensor), .features(let tensor), .tokenFeatures(let tensor): tensor.shape[0]
        }
    }

    /// The frozen encoder's features `[batch, embeddingWidth]`, encoding pixels when needed.
    public func features(using clip: CLIP) -> Tensor {
        switch self {
        case .pixels(let pixels): clip.encodeImage(pixels)
        case .features(let features): features
        case .tokenFeatures(let tokens):
            tokens.slice(alongAxis: 1, 0..<1).reshaped([tokens.shape[0], tokens.shape[2]])
        }
    }

    /// The frozen encoder's projected tokens `[batch, tokens, embeddingWidth]`, encoding pixels
    /// when needed. A batch of pooled ``features(_:)`` has no tokens: asking for them is a
    /// programming error (the method must declare ``AdaptationMethod/readsImageTokens``).
    public func tokenFeatures(using clip: CLIP) -> Tensor {
        switch self {
        case .pixels(let pixels): return clip.vision.projectedTokens(pixels)
        case .tokenFeatures(let tokens): return tokens
        case .features: preconditionFailure("pooled image features carry no tokens; declare readsImageTokens")
        }
    }

    /// The images `range` of the batch, in the same form.
    public func slice(_ range: Range<Int>) -> ImageBatch {
        switch self {
        case .pixels(let tensor): .pixels(tensor.slice(alongAxis: 0, range))
        case .features(let tensor): .features(tensor.slice(alongAxis: 0, range))
        case .tokenFeatures(let tensor): .tokenFeatures(tensor.slice(alongAxis: 0, range))
        }
    }

    /// The batches' images one after another; all must have the same form.
    public static func concatenated(_ batches: [ImageBatch]) -> ImageBatch {
        precondition(!batches.isEmpty, "concatenating no image batches")
        let tensors = batches.map(\.tensor)
        switch batches[0] {
        case .pixels: return .pixels(Tensor.concatenated(tensors, alongAxis: 0))
        case .features: return .features(Tensor.concatenated(tensors, alongAxis: 0))
        case .tokenFeatures: return .tokenFeatures(Tensor.concatenated(tensors, alongAxis: 0))
        }
    }

    private var tensor: Tensor {
        switch self {
        case .pixels(let tensor), .features(let tensor), .tokenFeatures(let tensor): tensor
        }
    }
}

/// A way of adapting a frozen CLIP to a list of class names.
///
/// A method is a value: copying it snapshots its learned state, which is what checkpoints and
/// test-time tuning need. Class-dependent state (tokenized prompts, cached embeddings) is
/// rebuilt by ``setClassNames(_:clip:tokenizer:)`` without touching the learned tensors, which
/// is how base-to-novel, cross-dataset and domain-generalization evaluation reuse a prompt.
public protocol AdaptationMethod: Sendable {
    /// The method's hyperparameters; decoding fills absent fields with the paper's values.
    associatedtype Options: Codable, Sendable, Equatable

    /// The method's name on the command line and in files.
    static var kind: MethodKind { get }

    /// The learned tensors by name (the official implementation's state-dict keys). CLIP's own
    /// weights are never listed unless the method deliberately trains them.
    static var trainable: [(name: String, path: WritableKeyPath<Self, Tensor>)] { get }

    /// Tensors the method fits from data without the optimizer (Tip-Adapter's cache and its
    /// searched α and β), by name: saved and restored with ``trainable`` in prompt files and
    /// checkpoints (``learnedTensors``), never stepped. Empty by default.
    static var fitted: [(name: String, path: WritableKeyPath<Self, Tensor>)] { get }

    /// Whether the method selects hyperparameters on the validation split once training is over
    /// (``finishTraining(validation:clip:)``). `false` by default.
    static var selectsOnValidation: Bool { get }

    /// Whether the method reads images only through CLIP's frozen image encoder. Training then
    /// encodes each augmented batch once, without a graph, and passes ``ImageBatch/features(_:)``.
    static var usesFrozenImageFeatures: Bool { get }

    /// Whether the method reads the frozen encoder's local features as well as the pooled one
    /// (PLOT). With ``usesFrozenImageFeatures`` it then receives ``ImageBatch/tokenFeatures(_:)``
    /// instead of ``ImageBatch/features(_:)``.
    static var readsImageTokens: Bool { get }

    /// The options the method was built with (resolved: e.g. CoOp's context length after word
    /// initialization).
    var options: Options { get }

    /// The classes, in label order.
    var classNames: [String] { get }

    /// The method and its resolved options, as the registry names them.
    var configuration: MethodConfiguration { get }

    /// A freshly initialized method for `classNames`; random initialization draws from `seed`.
    init(
        options: Options, clip: CLIP, tokenizer: any TextTokenizer, classNames: [String], seed: UInt64
    ) throws

    /// Rebuilds the class-dependent state for `classNames`, keeping every learned tensor.
    mutating func setClassNames(_ classNames: [String], clip: CLIP, tokenizer: any TextTokenizer) throws

    /// Class scores `[batch, classes]`.
    func logits(_ images: ImageBatch, clip: CLIP) -> Tensor

    /// The training objective of one batch with `labels`; cross-entropy of ``logits(_:clip:)``
    /// unless a method adds terms (KgCoOp, TCP, …) or replaces it (ProDA).
    func loss(_ images: ImageBatch, labels: [Int], clip: CLIP) -> Tensor

    /// The loss of one batch and the gradients the optimizer applies, keyed by ``trainable``
    /// name; called on a copy whose learned tensors require gradients. By default the gradients
    /// of ``loss(_:labels:clip:)``; ProGrad changes them.
    func gradients(_ images: ImageBatch, labels: [Int], clip: CLIP) -> (loss: Tensor, gradients: [String: Tensor])

    /// A copy that computes its image-independent part once (CoOp's class text features) for
    /// many evaluation batches; the copy's logits equal this method's. The default is `self`.
    func preparedForInference(clip: CLIP) -> Self

    /// Called by training before each optimizer step with the run's global step index
    /// (epoch × steps per epoch + step, 0-based), for methods whose step depends on it (ProDA's
    /// prompt mini-batch). Derived from the index alone, so a resumed run repeats it. The
    /// default does nothing.
    mutating func prepareTrainingStep(_ step: Int)

    /// The passes over the training images the method reads before its first step
    /// (``prepare(training:clip:)``), or `nil`, the default: nothing to prepare.
    var trainingFeaturePasses: FeaturePasses? { get }

    /// Fits state from the frozen features of every training image (``trainingFeaturePasses``),
    /// once, before the first step of a fresh run: Tip-Adapter builds its cache here. A resumed
    /// run restores that state from its checkpoint instead, so it is never rebuilt differently.
    /// The default does nothing.
    mutating func prepare(training: LabeledFeatures, clip: CLIP) throws

    /// Selects what the method tunes on held-out data (Tip-Adapter's α and β) from the frozen
    /// test-transform features of the validation split, after the last epoch. Called only when
    /// ``selectsOnValidation`` and the split is not empty. The default does nothing.
    mutating func finishTraining(validation: LabeledFeatures, clip: CLIP) throws

    /// Throws unless the learned and fitted tensors agree with each other (a cache's keys and
    /// values have as many rows); called after ``setLearnedTensors(_:)``. The default accepts.
    func checkLearnedState() throws(MethodError)
}

extension AdaptationMethod {
    public static var usesFrozenImageFeatures: Bool { true }

    public static var readsImageTokens: Bool { false }

    /// Preprocessed `pixels` `[batch, 3, size, size]` as this method reads them: the pixels
    /// themselves, or the frozen encoder's pooled features or projected tokens, computed
    /// without a gradient graph (nothing in CLIP requires one).
    public static func imageBatch(_ pixels: Tensor, clip: CLIP) -> ImageBatch {
        guard usesFrozenImageFeatures else { return .pixels(pixels) }
        return readsImageTokens
            ? .tokenFeatures(clip.vision.projectedTokens(pixels)) : .features(clip.encodeImage(pixels))
    }

    public func preparedForInference(clip: CLIP) -> Self { self }

    public mutating func prepareTrainingStep(_ step: Int) {}

    public static var fitted: [(name: String, path: WritableKeyPath<Self, Tensor>)] { [] }

    public static var selectsOnValidation: Bool { false }

    public var trainingFeaturePasses: FeaturePasses? { nil }

    public mutating func prepare(training: LabeledFeatures, clip: CLIP) throws {}

    public mutating func finishTraining(validation: LabeledFeatures, clip: CLIP) throws {}

    public func checkLearnedState() throws(MethodError) {}

    public func loss(_ images: ImageBatch, labels: [Int], clip: CLIP) -> Tensor {
        Tensor.crossEntropy(logits: logits(images, clip: clip), labels: labels)
    }

    public func gradients(_ images: ImageBatch, labels: [Int], clip: CLIP) -> (loss: Tensor, gradients: [String: Tensor]) {
        let loss = loss(images, labels: labels, clip: clip)
        return (loss, trainableGradients(of: loss))
    }

    /// The gradients of `value` with respect to the learned tensors, keyed by ``trainable`` name;
    /// tensors `value` does not depend on are absent.
    public func trainableGradients(of value: Tensor) -> [String: Tensor] {
        let all = value.gradients()
        var named: [String: Tensor] = [:]
        for (name, path) in Self.trainable { named[name] = all[self[keyPath: path]] }
        return named
    }

    /// Class scores `[batch, classes]` for preprocessed pixels `[batch, 3, size, size]`.
    public func logits(for images: Tensor, clip: CLIP) -> Tensor {
        logits(.pixels(images), clip: clip)
    }

    /// The learned tensors by name, detached from any gradient graph.
    public var trainableTensors: [String: Tensor] {
        Dictionary(uniqueKeysWithValues: Self.trainable.map { ($0.name, self[keyPath: $0.path].detached()) })
    }

    /// Number of learned scalars.
    public var trainableCount: Int {
        Self.trainable.reduce(0) { $0 + self[keyPath: $1.path].scalarCount }
    }

    /// Replaces learned tensors by name, checking that every name is known and every shape
    /// matches; names absent from `tensors` keep their values.
    public mutating func setTrainableTensors(_ tensors: [String: Tensor]) throws(MethodError) {
        let known = Dictionary(uniqueKeysWithValues: Self.trainable.map { ($0.name, $0.path) })
        for (name, tensor) in tensors {
            guard let path = known[name] else {
                throw .unknownTensor(name: name, method: Self.kind, expected: Self.trainable.map(\.name))
            }
            guard tensor.shape == self[keyPath: path].shape else {
                throw .shapeMismatch(name: name, expected: self[keyPath: path].shape, found: tensor.shape)
            }
        }
        for (name, tensor) in tensors { self[keyPath: known[name]!] = tensor }
    }

    /// The learned and fitted tensors by name (``trainable`` and ``fitted``), detached: what
    /// prompt files and checkpoints store.
    public var learnedTensors: [String: Tensor] {
        Dictionary(
            uniqueKeysWithValues: (Self.trainable + Self.fitted).map { ($0.name, self[keyPath: $0.path].detached()) })
    }

    /// Replaces learned or fitted tensors by name, then checks the state
    /// (``checkLearnedState()``). Every name must be known and every shape match, except that a
    /// tensor the method holds with zero rows is data-shaped (an unbuilt cache): a value with
    /// any number of rows and the same other dimensions fills it. Absent names keep their values.
    public mutating func setLearnedTensors(_ tensors: [String: Tensor]) throws(MethodError) {
        let all = Self.trainable + Self.fitted
        let known = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0.path) })
        for (name, tensor) in tensors {
            guard let path = known[name] else {
                throw .unknownTensor(name: name, method: Self.kind, expected: all.map(\.name))
            }
            let current = self[keyPath: path].shape
            let fillsPlaceholder =
                current.first == 0 && tensor.shape.count == current.count
                && tensor.shape.dropFirst() == current.dropFirst()
            guard tensor.shape == current || fillsPlaceholder else {
                throw .shapeMismatch(name: name, expected: current, found: tensor.shape)
            }
        }
        for (name, tensor) in tensors { self[keyPath: known[name]!] = tensor }
        try checkLearnedState()
    }

    /// A copy whose learned tensors are fresh gradient leaves.
    public func requiringGradients() -> Self {
        var copy = self
        for (_, path) in Self.trainable { copy[keyPath: path] = copy[keyPath: path].detached().requiringGradient() }
        return copy
    }
}

/// Why a method could not be built or restored.
public enum MethodError: Error, Equatable, CustomStringConvertible {
    /// An option is out of range; the text says what it must be.
    case invalidOption(name: String, value: String, requirement: String)
    /// A class name whose prompt does not fit the text encoder's context.
    case promptTooLong(className: String, tokens: Int, contextLength: Int)
    /// No class names were given.
    case noClasses
    /// A tensor name the method does not learn.
    case unknownTensor(name: String, method: MethodKind, expected: [String])
    /// A tensor whose shape differs from the method's.
    case shapeMismatch(name: String, expected: [Int], found: [Int])
    /// A learned tensor is missing from a file.
    case missingTensor(name: String, file: String)
    /// Learned or fitted tensors that do not fit together; the text says how.
    case inconsistentState(detail: String)

    public var description: String {
        switch self {
        case .invalidOption(let name, let value, let requirement):
            "option \(name) = \(value) must be \(requirement)"
        case .promptTooLong(let className, let tokens, let contextLength):
            "the prompt for class '\(className)' needs \(tokens) tokens, more than the text encoder's \(contextLength)"
        case .noClasses:
            "a method needs at least one class name"
        case .unknownTensor(let name, let method, let expected):
            "\(method.rawValue) learns no tensor '\(name)' (it learns \(expected.joined(separator: ", ")))"
        case .shapeMismatch(let name, let expected, let found):
            "tensor '\(name)' has shape \(found), the method's has \(expected)"
        case .missingTensor(let name, let file):
            "\(file) lacks the learned tensor '\(name)'"
        case .inconsistentState(let detail):
            "inconsistent learned state: \(detail)"
        }
    }
}
