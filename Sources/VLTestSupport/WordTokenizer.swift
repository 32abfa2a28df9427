// A word-table tokenizer for tests on the tiny CLIP, whose 512-entry vocabulary cannot hold the
// real BPE ids: each lowercase word (and each period) is one id from a table, as the PyTorch
// fixture scripts tokenize their synthetic prompts.

import Foundation
import VLText

/// Tokenizes by table lookup: words split on spaces, a period is its own token.
public struct WordTokenizer: TextTokenizer {
    /// Id of each word.
    public let vocabulary: [String: Int]
    public let startOfTextID: Int
    public let endOfTextID: Int
    public let vocabularySize: Int

    /// A tokenizer over `vocabulary` with the given markers.
    public init(vocabulary: [String: Int], startOfText: Int, endOfText: Int, vocabularySize: Int) {
        self.vocabulary = vocabulary
        startOfTextID = startOfText
        endOfTextID = endOfText
        self.vocabularySize = vocabularySize
    }

    /// The table, start and end ids a fixture records in its metadata (`vocabulary` as JSON,
    /// `start_token`, `end_token`).
    public init(fixtureMetadata metadata: [String: String], vocabularySize: Int) throws {
        let table = try JSONDecoder().decode([String: Int].self, from: Data((metadata["vocabulary"] ?? "{}").utf8))
        self.init(
            vocabulary: table, startOfText: Int(metadata["start_token"] ?? "") ?? 0,
            endOfText: Int(metadata["end_token"] ?? "") ?? 0, vocabularySize: vocabularySize)
    }

    /// The words of `text`, lowercased, periods split off.
    public static func words(_ text: String) -> [String] {
        text.lowercased().replacingOccurrences(of: ".", with: " . ").split(separator: " ").map(String.init)
    }

    public func encode(_ text: String) -> [Int] {
        Self.words(text).map { word in
            guard let id = vocabulary[word] else { preconditionFailure("word '\(word)' is not in the test vocabulary") }
            return id
        }
    }

    public func tokenize(_ texts: [String], contextLength: Int) throws -> [[Int]] {
        texts.map { text in
            let row = [startOfTextID] + encode(text) + [endOfTextID]
            precondition(row.count <= contextLength, "'\(text)' does not fit \(contextLength) tokens")
            return row + Array(repeating: 0, count: contextLength - row.count)
        }
    }

    public func decode(_ ids: [Int]) throws -> String {
        let names = Dictionary(vocabulary.map { ($1, $0) }) { first, _ in first }
        return ids.map { names[$0] ?? "<\($0)>" }.joined(separator: " ")
    }
}
