// Zero-shot CLIP (Radford et al., ICML 2021; CoOp's trainers/zsclip.py): hand-written templates
// such as "a photo of a {}." encoded once per class, with prompt ensembling when several are
// given. A method with nothing to learn, so every evaluation goes through one interface.

import VLCLIP
import VLTensor
import VLText

/// Zero-shot classification with hand-crafted prompt templates.
public struct ZeroShot: AdaptationMethod {
    /// The templates; `{}` is replaced by the class name.
    public struct Options: Codable, Sendable, Equatable {
        /// Several templates are ensembled: each class's normalized features are averaged and
        /// renormalized (CLIP's notebook, CoOp's `ZeroshotCLIP2`).
        public var templates: [String] = ["a photo of a {}."]

        /// Options with the given templates (default: "a photo of a {}.").
        public init(templates: [String] = ["a photo of a {}."]) { self.templates = templates }

        /// CoOp's zero-shot baseline for a Dassl dataset name: its one template
        /// (``TemplateTable/coopZeroShot``).
        public init(dataset: String) {
            self.init(templates: [TemplateTable.coopZeroShot.template(forDataset: dataset)])
        }

        /// The 80-template ImageNet ensemble of CLIP's notebook (``ImageNetTemplates/all``).
        public static let imageNetEnsemble = Options(templates: ImageNetTemplates.all)

        enum CodingKeys: String, CodingKey { case templates }

        /// Decodes the options, taking the default for an absent key.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.init(
                templates: try container.decode(.templates, or: Options().templates))
        }
    }

    public static var kind: MethodKind { .zeroShot }
    public var configuration: MethodConfiguration { .zeroShot(options) }
    public static var trainable: [(name: String, path: WritableKeyPath<ZeroShot, Tensor>)] { [] }

    public let options: Options
    public private(set) var classNames: [String]
    /// `[classes, embeddingWidth]`, unit rows.
    public private(set) var classifier: Tensor

    public init(
        options: Options, clip: CLIP, tokenizer: any TextTokenizer, classNames: [String], seed: UInt64
    ) throws {
        guard !options.templates.isEmpty, options.templates.allSatisfy({ $0.contains("{}") }) else {
            throw MethodError.invalidOption(
                name: "templates", value: "\(options.templates)", requirement: "non-empty, each with a {} placeholder")
        }
        self.options = options
        self.classNames = []
        classifier = Tensor.zeros([0, clip.configuration.embeddingWidth])
        try setClassNames(classNames, clip: clip, tokenizer: tokenizer)
    }

    public mutating func setClassNames(_ classNames: [String], clip: CLIP, tokenizer: any TextTokenizer) throws {
        guard !classNames.isEmpty else { throw MethodError.noClasses }
        let names = classNames.map { $0.replacingOccurrences(of: "_", with: " ") }
        var sum: Tensor?
        for template in options.templates {
            let texts = names.map { template.replacingOccurrences(of: "{}", with: $0) }
            let features = try ZeroShot.encode(texts, clip: clip, tokenizer: tokenizer).normalized(alongAxis: -1)
            sum = sum.map { $0 + features } ?? features
        }
        self.classNames = names
        classifier = (sum! / Float(options.templates.count)).normalized(alongAxis: -1)
    }

    /// Text features of `texts`, in chunks of 256, each cut after its last end-of-text token.
    static func encode(_ texts: [String], clip: CLIP, tokenizer: any TextTokenizer) throws -> Tensor {
        let contextLength = clip.configuration.text.contextLength
        var chunks: [Tensor] = []
        for start in stride(from: 0, to: texts.count, by: 256) {
            let chunk = Array(texts[start..<min(start + 256, texts.count)])
            var rows: [[Int]] = []
            for text in chunk {
                let body = tokenizer.encode(text)
                guard body.count + 2 <= contextLength else {
                    throw MethodError.promptTooLong(
                        className: text, tokens: body.count + 2, contextLength: contextLength)
                }
                let row = [tokenizer.startOfTextID] + body + [tokenizer.endOfTextID]
                rows.append(row + Array(repeating: 0, count: contextLength - row.count))
            }
            let pooled = clip.text.endOfTextPositions(rows)
            let length = pooled.max()! + 1
            let cut = rows.map { Array($0.prefix(length)) }
            chunks.append(clip.encodeText(embeddings: clip.text.embed(cut), endOfText: pooled))
        }
        return Tensor.concatenated(chunks, alongAxis: 0)
    }

    public func logits(_ images: ImageBatch, clip: CLIP) -> Tensor {
        ZeroShot.cosineLogits(images.features(using: clip), classifier: classifier, clip: clip)
    }
}

extension ZeroShot {
    /// Zero-shot CLIP's classifier for `classNames` under `templates`, which methods with a
    /// frozen text side score against: the names as it spells them (`_` as spaces) and the unit
    /// text features `[classes, embeddingWidth]`, ensembled over the templates.
    public static func classifier(
        for classNames: [String], templates: [String], clip: CLIP, tokenizer: any TextTokenizer
    ) throws -> (classNames: [String], features: Tensor) {
        let zeroShot = try ZeroShot(
            options: Options(templates: templates), clip: clip, tokenizer: tokenizer, classNames: classNames, seed: 0)
        return (zeroShot.classNames, zeroShot.classifier)
    }

    /// `exp(logit_scale) · (f/‖f‖) · Wᵀ`, `[batch, classes]`: CLIP's logits of image features
    /// `f` `[batch, embeddingWidth]` against unit class rows `W` `[classes, embeddingWidth]`.
    public static func cosineLogits(_ features: Tensor, classifier: Tensor, clip: CLIP) -> Tensor {
        features.normalized(alongAxis: -1).matmul(classifier, transposeOther: true) * clip.logitScale.exp()
    }
}
