// `vlprompt tokenize` run through ArgumentParser's parsing, checked against the reference ids.

import Foundation
import Testing
@testable import vlprompt

@Suite("vlprompt tokenize")
struct TokenizeCommandTests {
    struct Case: Decodable {
        var name: String
        var text: String
        var openai: [Int]
    }

    struct Corpus: Decodable {
        var cases: [Case]
    }

    static func golden() throws -> [Case] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/tokenizer/ids.json")
        let corpus = try JSONDecoder().decode(Corpus.self, from: Data(contentsOf: url))
        return corpus.cases.filter { $0.name.hasPrefix("golden-") }
    }

    static func rows(fromJSONLines output: String) throws -> [[Int]] {
        try output.split(separator: "\n").map { try JSONDecoder().decode([Int].self, from: Data($0.utf8)) }
    }

    static func padded(_ ids: [Int], to length: Int) -> [Int] {
        ids + Array(repeating: 0, count: length - ids.count)
    }

    @Test("--json prints one reference row per text argument")
    func jsonArguments() throws {
        let golden = try Self.golden()
        #expect(golden.count == 6)
        let command = try Tokenize.parse(["--json"] + golden.map(\.text))
        let rows = try Self.rows(fromJSONLines: command.output())
        #expect(rows == golden.map { Self.padded($0.openai, to: 77) })
    }

    @Test("--file reads one text per line, CRLF included, and --context-length truncates")
    func jsonFile() throws {
        let golden = try Self.golden()
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("vlprompt-tokenize-\(UUID()).txt")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data((golden[0].text + "\r\n\n" + golden[3].text + "\n").utf8).write(to: url)
        let command = try Tokenize.parse(["--file", url.path, "--context-length", "10", "--json"])
        let rows = try Self.rows(fromJSONLines: command.output())
        try #require(rows.count == 3)
        #expect(rows[0] == Self.padded(golden[0].openai, to: 10))
        #expect(rows[1] == Self.padded([49406, 49407], to: 10))
        #expect(rows[2] == Array(golden[3].openai.prefix(9)) + [49407])
    }

    @Test("the readable form shows the ids and vocabulary tokens up to end-of-text")
    func readable() throws {
        let command = try Tokenize.parse(["a photo of a cat."])
        let golden = try #require(try Self.golden().first { $0.text == "a photo of a cat." })
        let lines = try command.output().split(separator: "\n").map(String.init)
        #expect(lines[0] == "\"a photo of a cat.\"")
        #expect(lines[1] == "  8 of 77 ids, end of text at 7")
        #expect(lines[2] == "  " + golden.openai.map(String.init).joined(separator: " "))
        #expect(lines[3] == "  <|startoftext|> a</w> photo</w> of</w> a</w> cat</w> .</w> <|endoftext|>")
    }

    @Test("texts are shown quoted with escapes")
    func quoting() {
        #expect(Tokenize.quoted("it's \"x\"\t\u{1B}") == #""it's \"x\"\t\u{1b}""#)
    }

    @Test("bad invocations are rejected before running", arguments: [
        [String](), ["--file", "x.txt", "text"], ["--context-length", "1", "a"], ["--overflow", "drop", "a"],
    ])
    func invalid(_ arguments: [String]) {
        #expect(throws: (any Error).self) { try Tokenize.parse(arguments) }
    }

    @Test("--overflow fail reports the over-long text")
    func overflowFails() throws {
        let command = try Tokenize.parse(["--overflow", "fail", "--context-length", "4", "a photo of a cat."])
        #expect(throws: (any Error).self) { try command.output() }
    }
}
