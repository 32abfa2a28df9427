// A byte-level BPE vocabulary resolved to ids: token strings, the 512 byte symbols, ranked merges
// and the two special tokens. Built from CLIP's merge list (OpenAI/open_clip) or from Hugging
// Face `vocab.json` + `merges.txt`.

/// One merge rule as read from a file: two symbol strings (UTF-8) and where they were written.
struct MergeRule: Sendable {
    var left: [UInt8]
    var right: [UInt8]
    /// 1-based line in `path`.
    var line: Int
}

/// Token strings, byte symbols, merges and special tokens of one vocabulary.
struct BPEVocabulary: Sendable {
    /// UTF-8 of each id's token string; `nil` for ids the vocabulary skips.
    let tokens: [[UInt8]?]
    /// Id of the symbol for each byte inside a word.
    let byteSymbols: [Int32]
    /// Id of the symbol for each byte ending a word (`</w>` appended).
    let endOfWordByteSymbols: [Int32]
    let merges: MergeTable
    let startOfText: Int32
    let endOfText: Int32
    /// The literal spellings of start- and end-of-text that the pre-tokenizer recognises.
    let specialSpellings: [[UInt8]]

    /// Resolves `rules` against `index` (token UTF-8 → id). Byte symbols missing from the
    /// vocabulary become the unknown token, which for CLIP is end-of-text, as Hugging Face does.
    init(
        index: [[UInt8]: Int32], rules: [MergeRule], specialSpellings: (start: [UInt8], end: [UInt8]),
        vocabularyPath: String, mergesPath: String
    ) throws {
        func special(_ spelling: [UInt8]) throws -> Int32 {
            guard let id = index[spelling] else {
                let token = String(decoding: spelling, as: UTF8.self)
                throw TokenizerError.missingToken(path: vocabularyPath, token: token)
            }
            return id
        }
        let start = try special(specialSpellings.start)
        let end = try special(specialSpellings.end)
        startOfText = start
        endOfText = end
        self.specialSpellings = [specialSpellings.start, specialSpellings.end]
        tokens = Self.tokenTable(index)
        byteSymbols = (0...255).map { index[ByteAlphabet.symbol(for: UInt8($0), endOfWord: false)] ?? end }
        endOfWordByteSymbols = (0...255).map { index[ByteAlphabet.symbol(for: UInt8($0), endOfWord: true)] ?? end }
        merges = try Self.mergeTable(rules, index: index, path: mergesPath)
    }

    var vocabularySize: Int { tokens.count }

    private static func tokenTable(_ index: [[UInt8]: Int32]) -> [[UInt8]?] {
        let size = Int(index.values.max() ?? -1) + 1
        var tokens = [[UInt8]?](repeating: nil, count: size)
        for (token, id) in index { tokens[Int(id)] = token }
        return tokens
    }

    private static func mergeTable(_ rules: [MergeRule], index: [[UInt8]: Int32], path: String) throws -> MergeTable {
        var table = MergeTable()
        for (rank, rule) in rules.enumerated() {
            func id(_ token: [UInt8], _ role: String) throws -> Int32 {
                guard let id = index[token] else {
                    let text = String(decoding: token, as: UTF8.self)
                    throw TokenizerError.malformedFile(
                        path: path, line: rule.line, reason: "\(role) \"\(text)\" is not in the vocabulary")
                }
                return id
            }
            let left = try id(rule.left, "merge part")
            let right = try id(rule.right, "merge part")
            let result = try id(rule.left + rule.right, "merge result")
            table.insert(left: left, right: right, .init(rank: Int32(rank), result: result))
        }
        return table
    }
}
