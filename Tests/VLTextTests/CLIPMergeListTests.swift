// Loading CLIP's own merge list: the bundled gzip, a plain-text copy, and damaged copies that
// must fail with the file and line named.

import Foundation
import Testing
@testable import VLText

@Suite("CLIP merge list files")
struct CLIPMergeListTests {
    static let sample = ["a photo of a cat.", "It's a rock'n'roll café", "猫が好き 🐱", "&amp; <|endoftext|>"]

    /// Writes `lines` as a plain-text merge list and loads it.
    func load(lines: [String], gzip: Bool = false) throws -> (URL, Result<BPETokenizer, Error>) {
        let folder = try temporaryFolder()
        let url = folder.appendingPathComponent("merges.txt")
        try Data(lines.joined(separator: "\n").utf8).write(to: url)
        return (url, Result { try BPETokenizer(clipMergesFile: url) })
    }

    @Test("bundled vocabulary has CLIP's size and checksum-identical content")
    func bundledFile() throws {
        let lines = try clipMergeLines()
        #expect(lines.count == 262_145)  // 262,144 merges and the empty line after the last newline
        #expect(lines.last == "")
        #expect(try TokenizerFixtures.openAI.get().vocabularySize == 49_408)
    }

    @Test("a plain-text copy of the merge list gives the same ids as the bundled gzip")
    func plainText() throws {
        let header = "\"bpe_simple_vocab_16e6.txt#version: 0.2"
        let (url, result) = try load(lines: [header] + clipMergeLines().prefix(VocabularyFiles.clipMergeCount))
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        let bundled = try TokenizerFixtures.openAI.get()
        #expect(try result.get().tokenize(Self.sample) == bundled.tokenize(Self.sample))
    }

    @Test("a merge list shorter than CLIP's 48,894 merges is rejected")
    func truncatedList() throws {
        let (url, result) = try load(lines: ["#version: 0.2"] + clipMergeLines().prefix(10))
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        #expect(throws: TokenizerError.malformedFile(
            path: url.path, line: 11, reason: "the file ends after 10 merges; CLIP uses the first 48894")
        ) { try result.get() }
    }

    @Test("a bad merge line is reported with its line number")
    func badLine() throws {
        var lines = ["#version: 0.2"] + (try clipMergeLines().prefix(VocabularyFiles.clipMergeCount))
        lines[99] = "i n g"
        let (url, result) = try load(lines: lines)
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        let error = try #require(throws: TokenizerError.self) { try result.get() }
        #expect(error == .malformedFile(
            path: url.path, line: 100, reason: "expected two symbols separated by a space, found \"i n g\""))
    }

    @Test("a file without the version header is not taken for a merge list")
    func missingHeader() throws {
        let (url, result) = try load(lines: try Array(clipMergeLines().prefix(VocabularyFiles.clipMergeCount + 1)))
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        let error = try #require(throws: TokenizerError.self) { try result.get() }
        guard case .malformedFile(url.path, 1, _) = error else {
            Issue.record("unexpected \(error)")
            return
        }
    }

    @Test("corrupt gzip data and missing files are unreadable, not crashes")
    func unreadable() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("broken.txt.gz")
        try Data([0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xFF, 0xFF, 0x00]).write(to: url)
        for file in [url, folder.appendingPathComponent("absent.txt.gz")] {
            let error = try #require(throws: TokenizerError.self) { try BPETokenizer(clipMergesFile: file) }
            guard case .unreadableFile(file.path, _) = error else {
                Issue.record("unexpected \(error)")
                continue
            }
        }
    }
}
