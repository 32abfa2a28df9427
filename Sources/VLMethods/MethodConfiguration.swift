// The one registry of methods (STYLE.md §4.6, §4.8): a Codable enum with one case per method,
// carrying its typed options, and its names-only twin for command-line flags. Adding a method:
// write NewMethod.swift, add a case to both enums; the compiler finds every switch to extend.

import Foundation
import VLCLIP
import VLText

/// The methods by command-line name.
public enum MethodKind: String, Codable, Sendable, CaseIterable {
    case zeroShot = "zeroshot"
    case coop
    case cocoop
    case kgcoop
    case prograd
    case tcp
    case proda
    case plot
    case clipAdapter = "clip-adapter"
    case tipAdapter = "tip-adapter"
    case tipAdapterF = "tip-adapter-f"
    case visualPrompting = "visual-prompting"
    case vptShallow = "vpt-shallow"
    case vptDeep = "vpt-deep"

    /// The method's paper, for listings.
    public var paper: String {
        switch self {
        case .zeroShot:
            "Radford et al., Learning Transferable Visual Models From Natural Language Supervision (ICML 2021)"
        case .coop: "Zhou et al., Learning to Prompt for Vision-Language Models (IJCV 2022)"
        case .cocoop: "Zhou et al., Conditional Prompt Learning for Vision-Language Models (CVPR 2022)"
        case .kgcoop: "Yao et al., Visual-Language Prompt Tuning with Knowledge-guided Context Optimization (CVPR 2023)"
        case .prograd: "Zhu et al., Prompt-aligned Gradient for Prompt Tuning (ICCV 2023)"
        case .tcp: "Yao et al., TCP: Textual-based Class-aware Prompt tuning for Visual-Language Model (CVPR 2024)"
        case .proda: "Lu et al., Prompt Distribution Learning (CVPR 2022)"
        case .plot: "Chen et al., PLOT: Prompt Learning with Optimal Transport for Vision-Language Models (ICLR 2023)"
        case .clipAdapter: "Gao et al., CLIP-Adapter: Better Vision-Language Models with Feature Adapters (IJCV 2024)"
        case .tipAdapter:
            "Zhang et al., Tip-Adapter: Training-free Adaption of CLIP for Few-shot Classification (ECCV 2022)"
        case .tipAdapterF:
            "Zhang et al., Tip-Adapter: Training-free Adaption of CLIP for Few-shot Classification (ECCV 2022), fine-tuned keys"
        case .visualPrompting: "Bahng et al., Exploring Visual Prompts for Adapting Large-Scale Models (arXiv 2203.17274)"
        case .vptShallow: "Jia et al., Visual Prompt Tuning (ECCV 2022), shallow, on CLIP's vision tower"
        case .vptDeep: "Jia et al., Visual Prompt Tuning (ECCV 2022), deep, on CLIP's vision tower"
        }
    }
}

/// A method with its options. Encoded as a one-key object, `{"coop": {"contextLength": 4}}`.
public enum MethodConfiguration: Codable, Sendable, Equatable {
    case zeroShot(ZeroShot.Options)
    case coop(CoOp.Options)
    case cocoop(CoCoOp.Options)
    case kgcoop(KgCoOp.Options)
    case prograd(ProGrad.Options)
    case tcp(TCP.Options)
    case proda(ProDA.Options)
    case plot(PLOT.Options)
    case clipAdapter(CLIPAdapter.Options)
    case tipAdapter(TipAdapter.Options)
    case tipAdapterF(TipAdapter.Options)
    case visualPrompting(VisualPrompting.Options)
    case vptShallow(VPT.Options)
    case vptDeep(VPT.Options)

    /// The method's name.
    public var kind: MethodKind {
        switch self {
        case .zeroShot: .zeroShot
        case .coop: .coop
        case .cocoop: .cocoop
        case .kgcoop: .kgcoop
        case .prograd: .prograd
        case .tcp: .tcp
        case .proda: .proda
        case .plot: .plot
        case .clipAdapter: .clipAdapter
        case .tipAdapter: .tipAdapter
        case .tipAdapterF: .tipAdapterF
        case .visualPrompting: .visualPrompting
        case .vptShallow: .vptShallow
        case .vptDeep: .vptDeep
        }
    }

    /// `kind` with the paper's default options.
    public init(kind: MethodKind) {
        switch kind {
        case .zeroShot: self = .zeroShot(ZeroShot.Options())
        case .coop: self = .coop(CoOp.Options())
        case .cocoop: self = .cocoop(CoCoOp.Options())
        case .kgcoop: self = .kgcoop(KgCoOp.Options())
        case .prograd: self = .prograd(ProGrad.Options())
        case .tcp: self = .tcp(TCP.Options())
        case .proda: self = .proda(ProDA.Options())
        case .plot: self = .plot(PLOT.Options())
        case .clipAdapter: self = .clipAdapter(CLIPAdapter.Options())
        case .tipAdapter: self = .tipAdapter(TipAdapter.Options())
        case .tipAdapterF: self = .tipAdapterF(TipAdapter.Options())
        case .visualPrompting: self = .visualPrompting(VisualPrompting.Options())
        case .vptShallow: self = .vptShallow(VPT.Options())
        case .vptDeep: self = .vptDeep(VPT.Options())
        }
    }

    /// `kind` with the paper's options for `dataset` (a Dassl name such as `EuroSAT`, or
    /// `world:NAME`): the methods whose official code keeps per-dataset hand-written templates
    /// (zero-shot CLIP, KgCoOp, ProGrad, TCP, CLIP-Adapter, Tip-Adapter) take the dataset's, and
    /// Tip-Adapter its per-dataset α and search scale; the others their defaults.
    public init(kind: MethodKind, dataset: String) {
        switch kind {
        case .zeroShot: self = .zeroShot(ZeroShot.Options(dataset: dataset))
        case .kgcoop: self = .kgcoop(KgCoOp.Options(dataset: dataset))
        case .prograd: self = .prograd(ProGrad.Options(dataset: dataset))
        case .tcp: self = .tcp(TCP.Options(dataset: dataset))
        case .clipAdapter: self = .clipAdapter(CLIPAdapter.Options(dataset: dataset))
        case .tipAdapter: self = .tipAdapter(TipAdapter.Options(dataset: dataset))
        case .tipAdapterF: self = .tipAdapterF(TipAdapter.Options(dataset: dataset))
        case .coop, .cocoop, .proda, .plot, .visualPrompting, .vptShallow, .vptDeep: self = MethodConfiguration(kind: kind)
        }
    }

    /// `kind` with options decoded from `json` (an object of option fields; absent fields take
    /// the paper's values).
    public init(kind: MethodKind, optionsJSON json: Data) throws {
        let decoder = JSONDecoder()
        switch kind {
        case .zeroShot: self = .zeroShot(try decoder.decode(ZeroShot.Options.self, from: json))
        case .coop: self = .coop(try decoder.decode(CoOp.Options.self, from: json))
        case .cocoop: self = .cocoop(try decoder.decode(CoCoOp.Options.self, from: json))
        case .kgcoop: self = .kgcoop(try decoder.decode(KgCoOp.Options.self, from: json))
        case .prograd: self = .prograd(try decoder.decode(ProGrad.Options.self, from: json))
        case .tcp: self = .tcp(try decoder.decode(TCP.Options.self, from: json))
        case .proda: self = .proda(try decoder.decode(ProDA.Options.self, from: json))
        case .plot: self = .plot(try decoder.decode(PLOT.Options.self, from: json))
        case .clipAdapter: self = .clipAdapter(try decoder.decode(CLIPAdapter.Options.self, from: json))
        case .tipAdapter: self = .tipAdapter(try decoder.decode(TipAdapter.Options.self, from: json))
        case .tipAdapterF: self = .tipAdapterF(try decoder.decode(TipAdapter.Options.self, from: json))
        case .visualPrompting: self = .visualPrompting(try decoder.decode(VisualPrompting.Options.self, from: json))
        case .vptShallow: self = .vptShallow(try decoder.decode(VPT.Options.self, from: json))
        case .vptDeep: self = .vptDeep(try decoder.decode(VPT.Options.self, from: json))
        }
    }

    /// The options alone, as a JSON object.
    public func optionsJSON() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        switch self {
        case .zeroShot(let options): return try encoder.encode(options)
        case .coop(let options): return try encoder.encode(options)
        case .cocoop(let options): return try encoder.encode(options)
        case .kgcoop(let options): return try encoder.encode(options)
        case .prograd(let options): return try encoder.encode(options)
        case .tcp(let options): return try encoder.encode(options)
        case .proda(let options): return try encoder.encode(options)
        case .plot(let options): return try encoder.encode(options)
        case .clipAdapter(let options): return try encoder.encode(options)
        case .tipAdapter(let options), .tipAdapterF(let options): return try encoder.encode(options)
        case .visualPrompting(let options): return try encoder.encode(options)
        case .vptShallow(let options), .vptDeep(let options): return try encoder.encode(options)
        }
    }

    /// A freshly initialized method.
    public func makeMethod(
        clip: CLIP, tokenizer: any TextTokenizer, classNames: [String], seed: UInt64
    ) throws -> any AdaptationMethod {
        switch self {
        case .zeroShot(let options):
            try ZeroShot(options: options, clip: clip, tokenizer: tokenizer, classNames: classNames, seed: seed)
        case .coop(let options):
            try CoOp(options: options, clip: clip, tokenizer: tokenizer, classNames: classNames, seed: seed)
        case .cocoop(let options):
            try CoCoOp(options: options, clip: clip, tokenizer: tokenizer, classNames: classNames, seed: seed)
        case .kgcoop(let options):
            try KgCoOp(options: options, clip: clip, tokenizer: tokenizer, classNames: classNames, seed: seed)
        case .prograd(let options):
            try ProGrad(options: options, clip: clip, tokenizer: tokenizer, classNames: classNames, seed: seed)
        case .tcp(let options):
            try TCP(options: options, clip: clip, tokenizer: tokenizer, classNames: classNames, seed: seed)
        case .proda(let options):
            try ProDA(options: options, clip: clip, tokenizer: tokenizer, classNames: classNames, seed: seed)
        case .plot(let options):
            try PLOT(options: options, clip: clip, tokenizer: tokenizer, classNames: classNames, seed: seed)
        case .clipAdapter(let options):
            try CLIPAdapter(options: options, clip: clip, tokenizer: tokenizer, classNames: classNames, seed: seed)
        case .tipAdapter(let options):
            try TipAdapter(options: options, clip: clip, tokenizer: tokenizer, classNames: classNames, seed: seed)
        case .tipAdapterF(let options):
            try TipAdapterF(options: options, clip: clip, tokenizer: tokenizer, classNames: classNames, seed: seed)
        case .visualPrompting(let options):
            try VisualPrompting(options: options, clip: clip, tokenizer: tokenizer, classNames: classNames, seed: seed)
        case .vptShallow(let options):
            try VPTShallow(options: options, clip: clip, tokenizer: tokenizer, classNames: classNames, seed: seed)
        case .vptDeep(let options):
            try VPTDeep(options: options, clip: clip, tokenizer: tokenizer, classNames: classNames, seed: seed)
        }
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case zeroShot = "zeroshot", coop, cocoop, kgcoop, prograd, tcp, proda, plot
        case clipAdapter = "clip-adapter", tipAdapter = "tip-adapter", tipAdapterF = "tip-adapter-f"
        case visualPrompting = "visual-prompting", vptShallow = "vpt-shallow", vptDeep = "vpt-deep"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard container.allKeys.count == 1, let key = container.allKeys.first else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription: "a method is an object with exactly one key of "
                        + CodingKeys.allCases.map(\.stringValue).joined(separator: ", ")))
        }
        switch key {
        case .zeroShot: self = .zeroShot(try container.decode(ZeroShot.Options.self, forKey: key))
        case .coop: self = .coop(try container.decode(CoOp.Options.self, forKey: key))
        case .cocoop: self = .cocoop(try container.decode(CoCoOp.Options.self, forKey: key))
        case .kgcoop: self = .kgcoop(try container.decode(KgCoOp.Options.self, forKey: key))
        case .prograd: self = .prograd(try container.decode(ProGrad.Options.self, forKey: key))
        case .tcp: self = .tcp(try container.decode(TCP.Options.self, forKey: key))
        case .proda: self = .proda(try container.decode(ProDA.Options.self, forKey: key))
        case .plot: self = .plot(try container.decode(PLOT.Options.self, forKey: key))
        case .clipAdapter: self = .clipAdapter(try container.decode(CLIPAdapter.Options.self, forKey: key))
        case .tipAdapter: self = .tipAdapter(try container.decode(TipAdapter.Options.self, forKey: key))
        case .tipAdapterF: self = .tipAdapterF(try container.decode(TipAdapter.Options.self, forKey: key))
        case .visualPrompting:
            self = .visualPrompting(try container.decode(VisualPrompting.Options.self, forKey: key))
        case .vptShallow: self = .vptShallow(try container.decode(VPT.Options.self, forKey: key))
        case .vptDeep: self = .vptDeep(try container.decode(VPT.Options.self, forKey: key))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .zeroShot(let options): try container.encode(options, forKey: .zeroShot)
        case .coop(let options): try container.encode(options, forKey: .coop)
        case .cocoop(let options): try container.encode(options, forKey: .cocoop)
        case .kgcoop(let options): try container.encode(options, forKey: .kgcoop)
        case .prograd(let options): try container.encode(options, forKey: .prograd)
        case .tcp(let options): try container.encode(options, forKey: .tcp)
        case .proda(let options): try container.encode(options, forKey: .proda)
        case .plot(let options): try container.encode(options, forKey: .plot)
        case .clipAdapter(let options): try container.encode(options, forKey: .clipAdapter)
        case .tipAdapter(let options): try container.encode(options, forKey: .tipAdapter)
        case .tipAdapterF(let options): try container.encode(options, forKey: .tipAdapterF)
        case .visualPrompting(let options): try container.encode(options, forKey: .visualPrompting)
        case .vptShallow(let options): try container.encode(options, forKey: .vptShallow)
        case .vptDeep(let options): try container.encode(options, forKey: .vptDeep)
        }
    }
}
