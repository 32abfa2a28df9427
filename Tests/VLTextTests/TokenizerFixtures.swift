// Loads the tokenizer fixtures written by tools/fixtures/tokenizer.py (Tests/Fixtures/tokenizer/)
// and shares one bundled tokenizer per spelling across tests.

import Foundation
import VLText

/// Paths and decoded contents of Tests/Fixtures/tokenizer.
enum TokenizerFixtures {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/tokenizer")

    /// One corpus string with the ids of each reference (up to the last end-of-text id).
    struct Case: Decodable, Sendable {
        var name: String
        var category: String
        var text: String
        var openai: [Int]
        var openclip: [Int]
        var huggingface: [Int]
        var overflows: Bool
        var openaiWithoutEncodingFix: [Int]?
        var openclipWithoutEncodingFix: [Int]?
        var decoded: String
        var cleaned: String
        var cleanedWithoutEncodingFix: String?
    }

    /// A text tokenized at a smaller context length (OpenAI truncate=True semantics).
    struct ContextLengthCase: Decodable, Sendable {
        var text: String
        var contextLength: Int
        var ids: [Int]
        var overflows: Bool
        var decoded: String
    }

    struct Metadata: Decodable, Sendable {
        var contextLength: Int
        var ftfyEncodingFixCases: [String]
        var huggingfaceDisagreements: [String]
    }

    struct Corpus: Decodable, Sendable {
        var metadata: Metadata
        var cases: [Case]
        var contextLengths: [ContextLengthCase]
    }

    /// A corpus string on the small synthetic Hugging Face vocabulary.
    struct SmallVocabularyCase: Decodable, Sendable {
        var text: String
        var reference: [Int]?
        var huggingface: [Int]
    }

    struct SmallVocabulary: Decodable, Sendable {
        var cases: [SmallVocabularyCase]
    }

    struct Lowercase: Decodable, Sendable {
        var lower: [String: [UInt32]]
    }

    static func load<T: Decodable>(_ name: String, as type: T.Type) throws -> T {
        let data = try Data(contentsOf: directory.appendingPathComponent(name))
        return try JSONDecoder().decode(T.self, from: data)
    }

    static let corpus = Result { try load("ids.json", as: Corpus.self) }
    static let openAI = Result { try BPETokenizer() }
    static let openCLIP = Result { try BPETokenizer(specialTokens: .openCLIP) }

    /// `ids` followed by `padding` up to `length`.
    static func padded(_ ids: [Int], to length: Int, with padding: Int = 0) -> [Int] {
        ids + Array(repeating: padding, count: max(0, length - ids.count))
    }
}
