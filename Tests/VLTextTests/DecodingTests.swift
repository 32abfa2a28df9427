// Decoding ids back to text, and tokenizing from several threads at once.

import Foundation
import Testing
@testable import VLText

@Suite("decoding and concurrency")
struct DecodingTests {
    @Test("plain lower-case words round-trip, each followed by a space")
    func asciiRoundTrip() throws {
        let tokenizer = try TokenizerFixtures.openAI.get()
        var generator = SeededGenerator(state: 19)
        for _ in 0..<500 {
            let words = (0..<Int.random(in: 1...12, using: &generator)).map { _ in
                let length = Int.random(in: 1...12, using: &generator)
                return String((0..<length).map { _ in "abcdefghijklmnopqrstuvwxyz".randomElement(using: &generator)! })
            }
            let text = words.joined(separator: " ")
            #expect(try tokenizer.decode(tokenizer.encode(text)) == text + " ")
        }
    }

    @Test("ASCII text decodes to its pieces separated by spaces")
    func asciiPieces() throws {
        let tokenizer = try TokenizerFixtures.openAI.get()
        let text = "A photo of a 2012 BMW M3, it's great!"
        #expect(try tokenizer.decode(tokenizer.encode(text)) == "a photo of a 2 0 1 2 bmw m 3 , it 's great ! ")
    }

    @Test("unknown ids are rejected by decode")
    func unknownID() throws {
        let tokenizer = try TokenizerFixtures.openAI.get()
        #expect(throws: TokenizerError.unknownTokenID(49408)) { try tokenizer.decode([320, 49408]) }
        #expect(throws: TokenizerError.unknownTokenID(-1)) { try tokenizer.decode([-1]) }
    }

    @Test("concurrent tokenization shares the word cache safely")
    func concurrentTokenization() async throws {
        let tokenizer = try BPETokenizer()
        let texts = try TokenizerFixtures.corpus.get().cases.map(\.text)
        let expected = try tokenizer.tokenize(texts)
        try await withThrowingTaskGroup(of: [[Int]].self) { group in
            for _ in 0..<8 { group.addTask { try tokenizer.tokenize(texts) } }
            for try await rows in group { #expect(rows == expected) }
        }
    }
}
