// What the CLIP text tower needs from a tokenizer: fixed-length id rows with start/end-of-text
// markers (OpenAI CLIP `clip.tokenize`, open_clip `tokenize`) and the pooling position.

/// Turns text into the fixed-length token-id rows a CLIP text encoder reads.
public protocol TextTokenizer: Sendable {
    /// Id of the start-of-text marker that opens every row (49406 in CLIP's vocabulary).
    var startOfTextID: Int { get }
    /// Id of the end-of-text marker that closes every row (49407 in CLIP's vocabulary).
    var endOfTextID: Int { get }
    /// Number of ids the vocabulary defines; every id produced is below it.
    var vocabularySize: Int { get }

    /// The ids of `text` without start/end-of-text markers, padding or truncation.
    /// CoOp counts class-name tokens this way (`len(_tokenizer.encode(name))`).
    func encode(_ text: String) -> [Int]

    /// One row of exactly `contextLength` ids per text: start-of-text, the text's ids,
    /// end-of-text, then padding.
    func tokenize(_ texts: [String], contextLength: Int) throws -> [[Int]]

    /// Text for `ids` as the reference `decode` gives it (`</w>` becomes a space).
    func decode(_ ids: [Int]) throws -> String
}

extension TextTokenizer {
    /// CLIP's context length: 77 tokens per row.
    public static var defaultContextLength: Int { 77 }

    /// Rows of CLIP's default length, 77.
    public func tokenize(_ texts: [String]) throws -> [[Int]] {
        try tokenize(texts, contextLength: Self.defaultContextLength)
    }

    /// Index of the first largest id in `row`: where CLIP reads the text feature
    /// (`x[arange(n), text.argmax(-1)]`). That is the end-of-text position whenever the
    /// end-of-text id is the vocabulary's largest, as in CLIP (49407 of 49408).
    public func endOfTextIndex(in row: [Int]) -> Int {
        var best = 0
        for index in row.indices where row[index] > row[best] { best = index }
        return best
    }

    /// ``endOfTextIndex(in:)`` for every row.
    public func endOfTextIndices(_ rows: [[Int]]) -> [Int] {
        rows.map { endOfTextIndex(in: $0) }
    }
}
