// The vocab.json + merges.txt loading path: a small synthetic vocabulary against Hugging Face's
// CLIPTokenizer and the reference algorithm, the full CLIP vocabulary against the bundled merge
// list, and malformed files.

import Foundation
import Testing
@testable import VLText

@Suite("Hugging Face vocabulary files")
struct HuggingFaceFilesTests {
    static let smallFolder = TokenizerFixtures.directory.appendingPathComponent("small-vocab")

    @Test("small shuffled vocabulary gives the reference's and CLIPTokenizer's ids")
    func smallVocabulary() throws {
        let fixture = try TokenizerFixtures.load("small_vocab_ids.json", as: TokenizerFixtures.SmallVocabulary.self)
        let tokenizer = try BPETokenizer(huggingFaceFolder: Self.smallFolder, options: .init(padding: .endOfText))
        let (start, end) = (tokenizer.startOfTextID, tokenizer.endOfTextID)
        var comparedWithHuggingFace = 0
        for testCase in fixture.cases {
            let ids = [start] + tokenizer.encode(testCase.text) + [end]
            if let reference = testCase.reference {
                #expect(ids == reference, "\(testCase.text.debugDescription)")
            }
            guard testCase.reference == nil || testCase.reference == testCase.huggingface else { continue }
            let row = try tokenizer.tokenize([testCase.text])[0]
            let expected = TokenizerFixtures.padded(testCase.huggingface, to: 77, with: end)
            #expect(row == expected, "\(testCase.text.debugDescription)")
            comparedWithHuggingFace += 1
        }
        #expect(fixture.cases.filter { $0.reference == nil }.count >= 5)  // unknown bytes exercised
        #expect(comparedWithHuggingFace > 140)
    }

    @Test("full CLIP vocabulary written as vocab.json + merges.txt gives the bundled ids")
    func fullVocabularyRoundTrip() throws {
        let bundled = try TokenizerFixtures.openAI.get()
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var vocabulary: [String: Int] = [:]
        for id in 0..<bundled.vocabularySize { vocabulary[try #require(bundled.token(for: id))] = id }
        #expect(vocabulary.count == 49_408)
        try JSONEncoder().encode(vocabulary).write(to: folder.appendingPathComponent("vocab.json"))
        let merges = try clipMergeLines().prefix(VocabularyFiles.clipMergeCount)
        try Data(("#version: 0.2\n" + merges.joined(separator: "\n") + "\n").utf8)
            .write(to: folder.appendingPathComponent("merges.txt"))

        let loaded = try BPETokenizer(huggingFaceFolder: folder)
        let texts = try TokenizerFixtures.corpus.get().cases.map(\.text)
        #expect(try loaded.tokenize(texts) == bundled.tokenize(texts))
        #expect(loaded.vocabularySize == 49_408)
    }

    @Test(
        "malformed vocab.json names the file and line",
        arguments: [
            ("[1, 2]", 1), ("{\n\"a\" 1}", 2), ("{\"a\": 1,\n\n\"b\": \"x\"}", 3), ("{\"a\": 1,\n\"a\": 2}", 2),
            ("{\"a\": 1,\n\"b\": 1}", 2), ("{\"a\\q\": 1}", 1), ("{\"a\": -4}", 1), ("{\"a\": 1}\n\nextra", 3),
            ("{\"\\ud800\": 1}", 1), ("{\"a\": 1", 1),
        ])
    func malformedVocabulary(_ content: String, line: Int) throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data(content.utf8).write(to: folder.appendingPathComponent("vocab.json"))
        try FileManager.default.copyItem(
            at: Self.smallFolder.appendingPathComponent("merges.txt"), to: folder.appendingPathComponent("merges.txt"))
        let error = try #require(throws: TokenizerError.self) { try BPETokenizer(huggingFaceFolder: folder) }
        guard case .malformedFile(let path, let errorLine, _) = error else {
            Issue.record("unexpected \(error)")
            return
        }
        #expect(path.hasSuffix("vocab.json"))
        #expect(errorLine == line, "\(error)")
    }

    @Test(
        "malformed merges.txt names the file and line",
        arguments: [
            ("#version: 0.2\ni n\nt h x\n", 3), ("#version: 0.2\ni n\n\nt h\n", 3), ("i n\nq \u{00A7}\u{00A7}\n", 2),
        ])
    func malformedMerges(_ content: String, line: Int) throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.copyItem(
            at: Self.smallFolder.appendingPathComponent("vocab.json"), to: folder.appendingPathComponent("vocab.json"))
        try Data(content.utf8).write(to: folder.appendingPathComponent("merges.txt"))
        let error = try #require(throws: TokenizerError.self) { try BPETokenizer(huggingFaceFolder: folder) }
        guard case .malformedFile(let path, let errorLine, _) = error else {
            Issue.record("unexpected \(error)")
            return
        }
        #expect(path.hasSuffix("merges.txt"))
        #expect(errorLine == line, "\(error)")
    }

    @Test("a vocabulary without <|endoftext|> is rejected by name")
    func missingSpecialToken() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("{\"<|startoftext|>\": 0, \"i\": 1, \"n\": 2, \"in\": 3}".utf8)
            .write(to: folder.appendingPathComponent("vocab.json"))
        try Data("#version: 0.2\ni n\n".utf8).write(to: folder.appendingPathComponent("merges.txt"))
        let error = try #require(throws: TokenizerError.self) { try BPETokenizer(huggingFaceFolder: folder) }
        #expect(error == .missingToken(path: folder.appendingPathComponent("vocab.json").path, token: "<|endoftext|>"))
    }

    @Test("a missing folder is an unreadable file, not a crash")
    func missingFolder() throws {
        let folder = URL(fileURLWithPath: "/nonexistent/clip-folder")
        let error = try #require(throws: TokenizerError.self) { try BPETokenizer(huggingFaceFolder: folder) }
        guard case .unreadableFile(let path, _) = error else {
            Issue.record("unexpected \(error)")
            return
        }
        #expect(path == "/nonexistent/clip-folder/vocab.json")
    }
}

/// A fresh empty folder under the system's temporary directory.
func temporaryFolder() throws -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vltext-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder
}

/// The merge lines of the bundled `bpe_simple_vocab_16e6.txt.gz` (header dropped).
func clipMergeLines() throws -> [String] {
    let url = try BPETokenizer.bundledMergesFile()
    let text = String(decoding: try Gzip.decompress(Array(Data(contentsOf: url)), path: url.path), as: UTF8.self)
    return Array(text.split(separator: "\n", omittingEmptySubsequences: false).dropFirst().map(String.init))
}
