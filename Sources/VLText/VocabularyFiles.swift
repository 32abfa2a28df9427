// Readers for the two vocabulary formats of CLIP's tokenizer: OpenAI's merge list
// (`bpe_simple_vocab_16e6.txt[.gz]`: a header line, then merges; ids follow from their order) and
// Hugging Face's `vocab.json` (token → id) + `merges.txt` (`#version` header, then merges).

import Foundation

/// Loading of vocabulary files into a ``BPEVocabulary``.
enum VocabularyFiles {
    /// Merges CLIP uses from its list: 49,152 − 256 − 2 = 48,894 (lines 2…48,895 of the file).
    static let clipMergeCount = 49_152 - 256 - 2

    /// CLIP's vocabulary from its merge list (gzip-compressed or plain): the 256 byte symbols, the
    /// same with `</w>`, one token per merge, then start- and end-of-text.
    static func clipVocabulary(
        mergesFile url: URL, specialSpellings: (start: [UInt8], end: [UInt8])
    ) throws -> BPEVocabulary {
        let path = url.path
        var bytes = try readBytes(url)
        if Gzip.isCompressed(bytes) { bytes = try Gzip.decompress(bytes, path: path) }
        let lines = try leadingLines(of: bytes, count: clipMergeCount + 1, path: path)
        guard lines[0].firstRange(of: Array("#version".utf8)) != nil else {
            throw TokenizerError.malformedFile(
                path: path, line: 1, reason: "expected the \"#version\" header of CLIP's merge list")
        }
        let rules = try lines.dropFirst().enumerated().map { offset, line in
            try mergeRule(line, lineNumber: offset + 2, path: path, separator: .pythonWhitespace)
        }
        var index: [[UInt8]: Int32] = [:]
        var nextID: Int32 = 0
        func append(_ token: [UInt8]) {
            index[token] = nextID  // a repeated string keeps its last id, as Python's dict(zip(...))
            nextID += 1
        }
        for byte in ByteAlphabet.order { append(ByteAlphabet.symbol(for: byte, endOfWord: false)) }
        for byte in ByteAlphabet.order { append(ByteAlphabet.symbol(for: byte, endOfWord: true)) }
        for rule in rules { append(rule.left + rule.right) }
        append(specialSpellings.start)
        append(specialSpellings.end)
        return try BPEVocabulary(
            index: index, rules: rules, specialSpellings: specialSpellings,
            vocabularyPath: path, mergesPath: path)
    }

    /// A Hugging Face CLIP vocabulary: ids from `vocab.json`, ranks from `merges.txt` order.
    static func huggingFaceVocabulary(
        vocabularyFile: URL, mergesFile: URL, specialSpellings: (start: [UInt8], end: [UInt8])
    ) throws -> BPEVocabulary {
        let index = try VocabularyJSON.parse(readBytes(vocabularyFile), path: vocabularyFile.path)
        let rules = try huggingFaceMergeRules(readBytes(mergesFile), path: mergesFile.path)
        return try BPEVocabulary(
            index: index, rules: rules, specialSpellings: specialSpellings,
            vocabularyPath: vocabularyFile.path, mergesPath: mergesFile.path)
    }

    /// `merges.txt` as the `tokenizers` library reads it: lines starting with `#version` are
    /// skipped, every other line is two symbols separated by one space.
    static func huggingFaceMergeRules(_ bytes: [UInt8], path: String) throws -> [MergeRule] {
        var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        var rules: [MergeRule] = []
        rules.reserveCapacity(lines.count)
        for (offset, rawLine) in lines.enumerated() {
            let line = rawLine.last == UInt8(ascii: "\r") ? rawLine.dropLast() : rawLine
            if line.starts(with: Array("#version".utf8)) { continue }
            rules.append(try mergeRule(line, lineNumber: offset + 1, path: path, separator: .singleSpace))
        }
        return rules
    }

    /// How the two symbols of a merge line are separated.
    enum Separator {
        /// Python's `str.split()`: runs of any whitespace (CLIP's reader).
        case pythonWhitespace
        /// Exactly one ASCII space (`tokenizers`' reader).
        case singleSpace
    }

    static func mergeRule(
        _ line: ArraySlice<UInt8>, lineNumber: Int, path: String, separator: Separator
    ) throws -> MergeRule {
        func malformed(_ reason: String) -> TokenizerError {
            .malformedFile(path: path, line: lineNumber, reason: reason)
        }
        guard let text = String(validating: line, as: UTF8.self) else { throw malformed("not valid UTF-8") }
        let parts: [Substring] = switch separator {
        case .pythonWhitespace:
            text.unicodeScalars.split(whereSeparator: ReferenceUnicode.isPythonWhitespace).map { Substring($0) }
        case .singleSpace:
            text.split(separator: " ", omittingEmptySubsequences: false)
        }
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw malformed("expected two symbols separated by a space, found \"\(text)\"")
        }
        return MergeRule(left: Array(parts[0].utf8), right: Array(parts[1].utf8), line: lineNumber)
    }

    /// The first `count` lines of `bytes` (without line feeds); fails if the file is shorter.
    static func leadingLines(of bytes: [UInt8], count: Int, path: String) throws -> [ArraySlice<UInt8>] {
        var lines: [ArraySlice<UInt8>] = []
        lines.reserveCapacity(count)
        var start = bytes.startIndex
        while lines.count < count && start < bytes.endIndex {
            let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.endIndex
            lines.append(bytes[start..<end])
            start = end + 1
        }
        guard lines.count == count else {
            throw TokenizerError.malformedFile(
                path: path, line: lines.count,
                reason: "the file ends after \(max(lines.count - 1, 0)) merges; CLIP uses the first \(count - 1)")
        }
        return lines
    }

    static func readBytes(_ url: URL) throws -> [UInt8] {
        do {
            return Array(try Data(contentsOf: url))
        } catch {
            throw TokenizerError.unreadableFile(path: url.path, reason: error.localizedDescription)
        }
    }
}
