// `vlprompt tokenize`: CLIP token ids for texts given on the command line or for each line of a
// file, as OpenAI CLIP's `clip.tokenize` / open_clip's `tokenize` produce them.

import ArgumentParser
import Foundation
import VLText

struct Tokenize: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print CLIP token ids for texts, one row per text.",
        discussion: """
            Each row is start-of-text (49406), the text's ids, end-of-text (49407), then zero \
            padding up to the context length. With --json, each row is printed as one JSON array \
            on its own line; otherwise each text is followed by its ids and vocabulary tokens.
            """)

    @Argument(help: "Texts to tokenize (leave out when using --file).")
    var texts: [String] = []

    @Option(help: "Read one text per line from this file.")
    var file: String?

    @Option(help: "Ids per row, start- and end-of-text included.")
    var contextLength = 77

    @Flag(help: "Print one JSON array of ids per text.")
    var json = false

    @Option(help: "Folder with Hugging Face vocab.json and merges.txt (default: CLIP's bundled vocabulary).")
    var vocabulary: String?

    @Option(help: "What to do with texts longer than the context: truncate (keep end-of-text last) or fail.")
    var overflow = BPETokenizer.OverflowPolicy.truncate

    func validate() throws {
        if file != nil && !texts.isEmpty { throw ValidationError("Give texts or --file, not both.") }
        if file == nil && texts.isEmpty { throw ValidationError("Give at least one text, or --file.") }
        if contextLength < 2 { throw ValidationError("--context-length must be at least 2.") }
    }

    func run() throws {
        print(try output(), terminator: "")
    }

    /// Everything `run` prints.
    func output() throws -> String {
        let tokenizer = try makeTokenizer()
        let inputs = try readInputs()
        let rows = try tokenizer.tokenize(inputs, contextLength: contextLength)
        if json { return rows.map(Self.jsonArray).joined() }
        return zip(inputs, rows).map { readable(text: $0, row: $1, tokenizer: tokenizer) }.joined(separator: "\n")
    }

    private func makeTokenizer() throws -> BPETokenizer {
        let options = BPETokenizer.Options(overflow: overflow)
        guard let vocabulary else { return try BPETokenizer(options: options) }
        return try BPETokenizer(huggingFaceFolder: URL(fileURLWithPath: vocabulary), options: options)
    }

    /// The texts to tokenize: the arguments, or the file's lines (LF or CRLF; a final line feed
    /// does not start another text).
    private func readInputs() throws -> [String] {
        guard let file else { return texts }
        let content: String
        do {
            content = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw TokenizerError.unreadableFile(path: file, reason: error.localizedDescription)
        }
        // Split on scalars: as a Character, CR LF is one grapheme and would never equal "\n".
        var lines = content.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            String(line.last == "\r" ? line.dropLast() : line)
        }
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    private static func jsonArray(_ row: [Int]) -> String {
        "[" + row.map(String.init).joined(separator: ",") + "]\n"
    }

    private func readable(text: String, row: [Int], tokenizer: BPETokenizer) -> String {
        let end = row.firstIndex(of: tokenizer.endOfTextID) ?? row.count - 1
        let truncated = tokenizer.encode(text).count + 2 > contextLength
        let used = row[...(row.lastIndex(of: tokenizer.endOfTextID) ?? end)]
        return """
            \(Self.quoted(text))
              \(used.count) of \(contextLength) ids\(truncated ? " (truncated)" : ""), end of text at \(end)
              \(used.map(String.init).joined(separator: " "))
              \(used.map { tokenizer.token(for: $0) ?? "?" }.joined(separator: " "))

            """
    }

    /// `text` in double quotes with backslashes, quotes and control characters escaped.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": result += "\\\\"
            case "\"": result += "\\\""
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.properties.generalCategory == .control:
                result += "\\u{\(String(scalar.value, radix: 16))}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}

extension BPETokenizer.OverflowPolicy: ExpressibleByArgument {}
