// Errors raised while loading vocabulary files or tokenizing; each names the file, line or value.

/// Why a tokenizer could not be built or could not tokenize.
public enum TokenizerError: Error, Equatable, CustomStringConvertible {
    /// The bundled `bpe_simple_vocab_16e6.txt.gz` is not in the module's resources.
    case missingBundledVocabulary(String)
    /// A file could not be read or decompressed.
    case unreadableFile(path: String, reason: String)
    /// A vocabulary or merges file has invalid content at `line` (1-based).
    case malformedFile(path: String, line: Int, reason: String)
    /// A token the vocabulary must contain (a special token) is missing from it.
    case missingToken(path: String, token: String)
    /// A text needs more ids than the context holds and the policy is to fail
    /// (OpenAI `clip.tokenize(..., truncate=False)`).
    case textTooLong(index: Int, tokenCount: Int, contextLength: Int)
    /// The context cannot hold a start-of-text and an end-of-text id.
    case invalidContextLength(Int)
    /// An id outside the vocabulary was given to `decode`.
    case unknownTokenID(Int)

    /// A one-line explanation naming the file, line or value at fault.
    public var description: String {
        switch self {
        case .missingBundledVocabulary(let detail):
            "the bundled CLIP vocabulary is missing (\(detail)); "
                + "pass a vocabulary file or folder explicitly"
        case .unreadableFile(let path, let reason):
            "cannot read \(path): \(reason)"
        case .malformedFile(let path, let line, let reason):
            "\(path):\(line): \(reason)"
        case .missingToken(let path, let token):
            "\(path): the vocabulary has no entry for \"\(token)\""
        case .textTooLong(let index, let tokenCount, let contextLength):
            "text \(index) needs \(tokenCount) tokens, more than the context length \(contextLength)"
        case .invalidContextLength(let length):
            "context length \(length) cannot hold start-of-text and end-of-text (needs at least 2)"
        case .unknownTokenID(let id):
            "token id \(id) is not in the vocabulary"
        }
    }
}
