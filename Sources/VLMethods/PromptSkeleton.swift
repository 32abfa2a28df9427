// The frozen part of CoOp-style prompts for one class list (CoOp's PromptLearner buffers:
// tokenized prompts, start-token and class-suffix embeddings, name lengths), and the one text
// path every CoOp-family method encodes its learned context through.

import VLCLIP
import VLTensor
import VLText

/// How prompt features are computed. All three give the same values and gradients (up to
/// Float rounding); the default is the fastest.
public enum TextEncodingPath: String, Codable, Sendable, CaseIterable {
    /// Every class's full `contextLength`-token prompt, as the official code encodes it.
    case full
    /// Every prompt cut after the last end-of-text token of the class list (exact: causal mask).
    case truncated
    /// Tokens shared by all classes of a group (start token, shared context) encoded once,
    /// class tokens without padding (``CLIP/encodeText(_:)``).
    case sharedPrefix
}

/// Learned token embeddings placed around every class name. The prompt of class `c` in
/// group `g` is `[SOS] shared[g] before(c) name_c after(c) [.] [EOT]`; the three parts
/// together fill the skeleton's ``PromptSkeleton/contextTokens`` positions.
public struct PromptContext: Sendable {
    /// `[groups, tokens, width]`: right after the start token, the same for every class of a
    /// group (CoOp's unified context; CoCoOp's context shifted per image, one group per image).
    public var shared: Tensor?
    /// `[tokens, width]` for all classes, or `[classes, tokens, width]` (class-specific):
    /// between the shared tokens and the class name.
    public var beforeName: Tensor?
    /// Same shapes as ``beforeName``: between the class name and the period.
    public var afterName: Tensor?

    /// Context in any of the three places; absent parts are empty.
    public init(shared: Tensor? = nil, beforeName: Tensor? = nil, afterName: Tensor? = nil) {
        self.shared = shared
        self.beforeName = beforeName
        self.afterName = afterName
    }

    /// Prompts of this many groups (1 without shared context).
    public var groups: Int { shared?.shape[0] ?? 1 }
}

/// The tokenized prompts `prefix + " " + name + "."` of a class list, with `contextTokens`
/// positions after the start token left for learned vectors, exactly as CoOp tokenizes them.
public struct PromptSkeleton: Sendable {
    /// The class names, underscores replaced by spaces (as CoOp does).
    public let classNames: [String]
    /// Learned positions per prompt (`M`).
    public let contextTokens: Int
    /// Each class's official prompt ids, `contextLength` long, zero-padded.
    public let tokenIDs: [[Int]]
    /// BPE tokens of each class name (`len(_tokenizer.encode(name))`).
    public let nameLengths: [Int]
    /// Where each prompt is pooled (its end-of-text position).
    public let endOfText: [Int]
    /// Which equivalent computation ``textFeatures(_:clip:)`` uses.
    public var path: TextEncodingPath = .sharedPrefix

    /// The distinct ids of all prompts and their token embeddings `[ids, width]`.
    let vocabularyIDs: [Int]
    let rowOfID: [Int: Int]
    let vocabulary: Tensor
    let contextLength: Int

    /// The CoOp family's prompts: `initialWords` (when given; they set the context length) or
    /// the placeholder "X X … X" of `contextLength` tokens, then each class name and a period.
    public init(
        classNames: [String], initialWords: String?, contextLength: Int, tokenizer: any TextTokenizer, clip: CLIP
    ) throws {
        try self.init(
            classNames: classNames, prefixText: initialWords ?? Self.placeholder(contextLength),
            contextTokens: contextLength, tokenizer: tokenizer, clip: clip)
    }

    /// CoOp's placeholder context text, `count` times "X".
    public static func placeholder(_ count: Int) -> String {
        Array(repeating: "X", count: count).joined(separator: " ")
    }

    /// Tokenizes `prefixText + " " + name + "."` per class and embeds the ids once.
    ///
    /// - Parameters:
    ///   - contextTokens: how many ids after the start token are context positions; they must
    ///     be exactly the tokens of `prefixText` (CoOp's placeholder "X X … X" or init words).
    /// - Throws: ``MethodError`` when a prompt does not fit the text encoder's context or the
    ///   prefix text has another token count.
    public init(
        classNames: [String], prefixText: String, contextTokens: Int, tokenizer: any TextTokenizer, clip: CLIP
    ) throws {
        guard !classNames.isEmpty else { throw MethodError.noClasses }
        let prefixCount = tokenizer.encode(prefixText).count
        guard prefixCount == contextTokens else {
            throw MethodError.invalidOption(
                name: "context text", value: "'\(prefixText)'",
                requirement: "\(contextTokens) tokens, not \(prefixCount)")
        }
        let configuration = clip.configuration.text
        let names = classNames.map { $0.replacingOccurrences(of: "_", with: " ") }
        var rows: [[Int]] = []
        for name in names {
            let body = tokenizer.encode(prefixText + " " + name + ".")
            guard body.count + 2 <= configuration.contextLength else {
                throw MethodError.promptTooLong(
                    className: name, tokens: body.count + 2, contextLength: configuration.contextLength)
            }
            let row = [tokenizer.startOfTextID] + body + [tokenizer.endOfTextID]
            rows.append(row + Array(repeating: 0, count: configuration.contextLength - row.count))
        }
        self.classNames = names
        self.contextTokens = contextTokens
        tokenIDs = rows
        nameLengths = names.map { tokenizer.encode($0).count }
        endOfText = clip.text.endOfTextPositions(rows)
        vocabularyIDs = Array(Set(rows.joined())).sorted()
        rowOfID = Dictionary(uniqueKeysWithValues: vocabularyIDs.enumerated().map { ($1, $0) })
        vocabulary = clip.text.tokenEmbedding.detached().gatherRows(vocabularyIDs)
        contextLength = configuration.contextLength
        for (index, row) in rows.enumerated() where endOfText[index] < 1 + contextTokens + nameLengths[index] {
            throw MethodError.promptTooLong(
                className: names[index], tokens: row.count, contextLength: configuration.contextLength)
        }
    }

    /// Number of classes.
    public var classCount: Int { classNames.count }

    /// Token embeddings `[tokens, width]` of `words` (no start or end token): CoOp's context
    /// initialization from a phrase such as "a photo of a".
    public static func wordEmbeddings(_ words: String, tokenizer: any TextTokenizer, clip: CLIP) -> Tensor {
        clip.text.tokenEmbedding.detached().gatherRows(tokenizer.encode(words))
    }

    /// Text features `[groups · classes, embeddingWidth]` (group-major, not normalized) of the
    /// prompts with `context` in place, by ``path``.
    public func textFeatures(_ context: PromptContext, clip: CLIP) -> Tensor {
        let table = PromptRows(self, context)
        switch path {
        case .full:
            return encodePadded(table, length: contextLength, clip: clip)
        case .truncated:
            return encodePadded(table, length: (endOfText.max() ?? 0) + 1, clip: clip)
        case .sharedPrefix:
            return encodeShared(table, clip: clip)
        }
    }

    /// Full sequences of `length` tokens, one per (group, class).
    private func encodePadded(_ table: PromptRows, length: Int, clip: CLIP) -> Tensor {
        var indices: [Int] = []
        var pooled: [Int] = []
        for group in 0..<table.groups {
            for c in 0..<classCount {
                indices += table.sequence(group: group, class: c).prefix(length)
                pooled.append(endOfText[c])
            }
        }
        let sequences = table.groups * classCount
        let embeddings = table.rows.gatherRows(indices).reshaped([sequences, length, -1])
        return clip.encodeText(embeddings: embeddings, endOfText: pooled)
    }

    /// Each group's start token and shared context once, then every class's own tokens.
    private func encodeShared(_ table: PromptRows, clip: CLIP) -> Tensor {
        let prefixLength = 1 + table.sharedTokens
        var prefixIndices: [Int] = []
        for group in 0..<table.groups {
            prefixIndices += table.sequence(group: group, class: 0).prefix(prefixLength)
        }
        var suffixIndices: [Int] = []
        var suffixes: [SharedPrefixTokens.Suffix] = []
        for group in 0..<table.groups {
            for c in 0..<classCount {
                let own = table.sequence(group: group, class: c)[prefixLength...endOfText[c]]
                suffixIndices += own
                suffixes.append(.init(group: group, tokens: own.count))
            }
        }
        let prefixes = table.rows.gatherRows(prefixIndices).reshaped([table.groups, prefixLength, -1])
        let tokens = SharedPrefixTokens(
            prefixes: prefixes, suffixTokens: table.rows.gatherRows(suffixIndices), suffixes: suffixes)
        return clip.encodeText(tokens)
    }
}

/// One table holding every row a prompt can contain, and the row indices of each prompt:
/// the frozen token embeddings first, then the shared, before-name and after-name context.
/// Gathering from it builds every sequence in one differentiable step.
struct PromptRows {
    let rows: Tensor
    let groups: Int
    let sharedTokens: Int, beforeTokens: Int, afterTokens: Int
    let beforeIsPerClass: Bool, afterIsPerClass: Bool
    let sharedOffset: Int, beforeOffset: Int, afterOffset: Int
    let skeleton: PromptSkeleton

    init(_ skeleton: PromptSkeleton, _ context: PromptContext) {
        let width = skeleton.vocabulary.shape[1]
        func flat(_ tensor: Tensor?) -> Tensor? { tensor.map { $0.reshaped([-1, width]) } }
        func tokens(_ tensor: Tensor?) -> Int { tensor.map { $0.shape[$0.rank - 2] } ?? 0 }
        func perClass(_ tensor: Tensor?, _ name: String) -> Bool {
            guard let tensor else { return false }
            precondition(
                (tensor.rank == 2 || (tensor.rank == 3 && tensor.shape[0] == skeleton.classCount))
                    && tensor.shape[tensor.rank - 1] == width,
                "\(name) context must be [tokens, \(width)] or [\(skeleton.classCount), tokens, \(width)], "
                    + "got \(tensor.shape)")
            return tensor.rank == 3
        }
        if let shared = context.shared {
            precondition(
                shared.rank == 3 && shared.shape[2] == width, "shared context must be [groups, tokens, \(width)]")
        }
        self.skeleton = skeleton
        groups = context.groups
        sharedTokens = tokens(context.shared)
        beforeTokens = tokens(context.beforeName)
        afterTokens = tokens(context.afterName)
        precondition(
            sharedTokens + beforeTokens + afterTokens == skeleton.contextTokens,
            "context tokens \(sharedTokens) + \(beforeTokens) + \(afterTokens) must fill the "
                + "\(skeleton.contextTokens) positions")
        beforeIsPerClass = perClass(context.beforeName, "before-name")
        afterIsPerClass = perClass(context.afterName, "after-name")
        let parts = [skeleton.vocabulary, flat(context.shared), flat(context.beforeName), flat(context.afterName)]
        sharedOffset = skeleton.vocabulary.shape[0]
        beforeOffset = sharedOffset + groups * sharedTokens
        afterOffset = beforeOffset + (beforeIsPerClass ? skeleton.classCount : 1) * beforeTokens
        rows = Tensor.concatenated(parts.compactMap { $0 }, alongAxis: 0)
    }

    /// Row indices of the full `contextLength`-token prompt of class `c` in `group`.
    func sequence(group: Int, class c: Int) -> [Int] {
        let ids = skeleton.tokenIDs[c]
        let nameStart = 1 + skeleton.contextTokens
        let nameEnd = nameStart + skeleton.nameLengths[c]
        var result = [skeleton.rowOfID[ids[0]]!]
        result += (0..<sharedTokens).map { sharedOffset + group * sharedTokens + $0 }
        result += (0..<beforeTokens).map { beforeOffset + (beforeIsPerClass ? c * beforeTokens : 0) + $0 }
        result += ids[nameStart..<nameEnd].map { skeleton.rowOfID[$0]! }
        result += (0..<afterTokens).map { afterOffset + (afterIsPerClass ? c * afterTokens : 0) + $0 }
        result += ids[nameEnd...].map { skeleton.rowOfID[$0]! }
        return result
    }
}
