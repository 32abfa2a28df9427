// CLIP's byte-level BPE tokenizer (Radford et al. 2021), id for id as OpenAI CLIP's
// `simple_tokenizer` + `clip.tokenize` and open_clip's `tokenize` produce them.

/// CLIP's tokenizer: clean, split with CLIP's regex, byte-pair encode each piece, then frame
/// with start/end-of-text and pad to the context length.
///
/// ```swift
/// let tokenizer = try BPETokenizer()
/// let rows = try tokenizer.tokenize(["a photo of a cat."])
/// // [[49406, 320, 1125, 539, 320, 2368, 269, 49407, 0, 0, …]]  (77 ids)
/// ```
///
/// Known difference from the Python reference: ftfy's mojibake repair (`fix_encoding`) is not
/// reproduced, so text such as `"cafÃ©"` keeps its mojibake characters; every other cleaning step,
/// including the rest of ftfy, is.
public struct BPETokenizer: TextTokenizer {
    /// What happens when a text needs more ids than the context length.
    public enum OverflowPolicy: String, Sendable, CaseIterable {
        /// Keep the first `contextLength` ids and make the last one end-of-text. open_clip always
        /// does this; OpenAI does it with `clip.tokenize(..., truncate=True)`.
        case truncate
        /// Throw ``TokenizerError/textTooLong(index:tokenCount:contextLength:)``, as OpenAI's
        /// default `clip.tokenize(..., truncate=False)` raises `RuntimeError`.
        case fail
    }

    /// The id that fills a row after end-of-text.
    public enum Padding: String, Sendable, CaseIterable {
        /// 0, as OpenAI CLIP and open_clip pad (0 is also the id of `!`; CLIP pools at the
        /// largest id, so this is harmless).
        case zero
        /// The end-of-text id, as Hugging Face's CLIPTokenizer pads.
        case endOfText
    }

    /// How the special tokens are written when they appear literally in text (and in ``decode(_:)``).
    public enum SpecialTokenSpelling: String, Sendable, CaseIterable {
        /// `<|startoftext|>`, `<|endoftext|>`: OpenAI CLIP, CoOp and Hugging Face.
        case openAI
        /// `<start_of_text>`, `<end_of_text>`: open_clip 2.x and later.
        case openCLIP

        var spellings: (start: [UInt8], end: [UInt8]) {
            switch self {
            case .openAI: (Array("<|startoftext|>".utf8), Array("<|endoftext|>".utf8))
            case .openCLIP: (Array("<start_of_text>".utf8), Array("<end_of_text>".utf8))
            }
        }
    }

    /// Choices where the reference implementations differ.
    public struct Options: Sendable, Equatable {
        /// Truncate or reject texts longer than the context.
        public var overflow: OverflowPolicy
        /// The id after end-of-text.
        public var padding: Padding

        /// open_clip's behaviour: truncate over-long texts, pad with zeros.
        public init(overflow: OverflowPolicy = .truncate, padding: Padding = .zero) {
            self.overflow = overflow
            self.padding = padding
        }
    }

    /// Overflow and padding behaviour of ``tokenize(_:contextLength:)``.
    public var options: Options

    let vocabulary: BPEVocabulary
    let preTokenizer: PreTokenizer
    private let cache = WordCache()

    init(vocabulary: BPEVocabulary, options: Options) {
        self.vocabulary = vocabulary
        self.options = options
        preTokenizer = PreTokenizer(specialSpellings: vocabulary.specialSpellings)
    }

    /// 49406 for CLIP's vocabulary.
    public var startOfTextID: Int { Int(vocabulary.startOfText) }
    /// 49407 for CLIP's vocabulary.
    public var endOfTextID: Int { Int(vocabulary.endOfText) }
    /// 49,408 for CLIP's vocabulary (one more than the largest id).
    public var vocabularySize: Int { vocabulary.vocabularySize }

    /// CLIP's `encode`: cleaned, split and byte-pair encoded ids, without markers or padding.
    public func encode(_ text: String) -> [Int] {
        encode(text, stoppingAfter: .max)
    }

    /// Ids of `text`, stopping once at least `limit` ids are known: ids past the context length
    /// never reach a row, so long texts are encoded only as far as they matter.
    func encode(_ text: String, stoppingAfter limit: Int) -> [Int] {
        let scalars = CLIPTextCleaning.cleanedScalars(text)
        var ids: [Int] = []
        var index = 0
        while ids.count < limit, let piece = preTokenizer.nextPiece(in: scalars, from: index) {
            ids.append(contentsOf: encodePiece(scalars[piece]).lazy.map(Int.init))
            index = piece.upperBound
        }
        return ids
    }

    /// Byte-pair encodes one piece; a piece spelled exactly as a special token is that token.
    private func encodePiece(_ piece: ArraySlice<Unicode.Scalar>) -> [Int32] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(piece.count)
        for scalar in piece { bytes.append(contentsOf: UTF8.encode(scalar)!) }
        if bytes == vocabulary.specialSpellings[0] { return [vocabulary.startOfText] }
        if bytes == vocabulary.specialSpellings[1] { return [vocabulary.endOfText] }
        if let cached = cache.value(for: bytes) { return cached }
        var symbols = bytes.map { vocabulary.byteSymbols[Int($0)] }
        symbols[symbols.count - 1] = vocabulary.endOfWordByteSymbols[Int(bytes[bytes.count - 1])]
        let merged = vocabulary.merges.apply(to: symbols)
        cache.store(merged, for: bytes)
        return merged
    }

    /// `[start] + encode(text) + [end]` per text, cut to `contextLength` with end-of-text last
    /// (or rejected, per ``Options/overflow``) and padded per ``Options/padding``.
    /// Throws ``TokenizerError/invalidContextLength(_:)`` below 2.
    public func tokenize(_ texts: [String], contextLength: Int = 77) throws -> [[Int]] {
        guard contextLength >= 2 else { throw TokenizerError.invalidContextLength(contextLength) }
        return try texts.enumerated().map { index, text in
            try row(for: text, at: index, contextLength: contextLength)
        }
    }

    /// `[start] + ids + [end]`, truncated or rejected when too long, then padded.
    private func row(for text: String, at index: Int, contextLength: Int) throws -> [Int] {
        let ids = encode(text, stoppingAfter: contextLength - 1)
        var row = [startOfTextID] + ids + [endOfTextID]
        if row.count > contextLength {
            if options.overflow == .fail {
                let tokenCount = encode(text).count + 2
                throw TokenizerError.textTooLong(index: index, tokenCount: tokenCount, contextLength: contextLength)
            }
            row.removeLast(row.count - contextLength)
            row[contextLength - 1] = endOfTextID
        }
        let padding = options.padding == .zero ? 0 : endOfTextID
        return row + Array(repeating: padding, count: contextLength - row.count)
    }

    /// CLIP's `decode`: the ids' bytes as UTF-8 (invalid sequences become U+FFFD) with every
    /// `</w>` turned into a space. Throws ``TokenizerError/unknownTokenID(_:)``.
    public func decode(_ ids: [Int]) throws -> String {
        var bytes: [UInt8] = []
        for id in ids {
            guard let token = token(bytesFor: id) else { throw TokenizerError.unknownTokenID(id) }
            for scalar in String(decoding: token, as: UTF8.self).unicodeScalars {
                if let byte = ByteAlphabet.byte(for: scalar) {
                    bytes.append(byte)
                } else {
                    bytes.append(contentsOf: UTF8.encode(scalar)!)
                }
            }
        }
        let text = Array(String(decoding: bytes, as: UTF8.self).unicodeScalars)
        return String(String.UnicodeScalarView(Self.replacingEndOfWordMarkers(text)))
    }

    /// `text.replace("</w>", " ")`.
    private static func replacingEndOfWordMarkers(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        let marker: [Unicode.Scalar] = ["<", "/", "w", ">"]
        var result: [Unicode.Scalar] = []
        result.reserveCapacity(text.count)
        var index = 0
        while index < text.count {
            if text[index...].starts(with: marker) {
                result.append(" ")
                index += marker.count
            } else {
                result.append(text[index])
                index += 1
            }
        }
        return result
    }

    /// The vocabulary's string for `id` (byte symbols as CLIP writes them, e.g. `"cat</w>"`),
    /// or `nil` if the id is not in the vocabulary.
    public func token(for id: Int) -> String? {
        token(bytesFor: id).map { String(decoding: $0, as: UTF8.self) }
    }

    private func token(bytesFor id: Int) -> [UInt8]? {
        guard vocabulary.tokens.indices.contains(id) else { return nil }
        return vocabulary.tokens[id]
    }
}
