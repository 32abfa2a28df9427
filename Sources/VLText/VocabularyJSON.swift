// A strict reader for Hugging Face `vocab.json`: one JSON object mapping token strings to integer
// ids (RFC 8259 strings, including \u escapes and surrogate pairs). Keys stay UTF-8 bytes, so
// canonically equivalent but different tokens never merge, and errors carry line numbers.

/// Parses `vocab.json` into token UTF-8 → id.
struct VocabularyJSON {
    /// Largest id accepted; CLIP has 49,408 tokens, so anything near this is a damaged file.
    static let maximumID = 1 << 24

    private let bytes: [UInt8]
    private let path: String
    private var position = 0
    private var line = 1

    static func parse(_ bytes: [UInt8], path: String) throws -> [[UInt8]: Int32] {
        var parser = VocabularyJSON(bytes: bytes, path: path)
        return try parser.object()
    }

    private init(bytes: [UInt8], path: String) {
        self.bytes = bytes
        self.path = path
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }  // UTF-8 byte-order mark
    }

    private func error(_ reason: String) -> TokenizerError {
        .malformedFile(path: path, line: line, reason: reason)
    }

    private mutating func object() throws -> [[UInt8]: Int32] {
        try expect(UInt8(ascii: "{"))
        var entries: [[UInt8]: Int32] = [:]
        var usedIDs: [Int32: [UInt8]] = [:]
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            position += 1
        } else {
            while true {
                skipWhitespace()
                let keyLine = line
                let key = try string()
                try expect(UInt8(ascii: ":"))
                let id = try integer()
                guard entries[key] == nil else { throw error("token \(quoted(key)) appears twice") }
                if let other = usedIDs[id] {
                    let reason = "id \(id) is given to both \(quoted(other)) and \(quoted(key))"
                    throw TokenizerError.malformedFile(path: path, line: keyLine, reason: reason)
                }
                entries[key] = id
                usedIDs[id] = key
                skipWhitespace()
                if peek() == UInt8(ascii: ",") { position += 1; continue }
                try expect(UInt8(ascii: "}"))
                break
            }
        }
        skipWhitespace()
        guard position == bytes.count else { throw error("unexpected content after the vocabulary object") }
        return entries
    }

    private func quoted(_ token: [UInt8]) -> String { "\"\(String(decoding: token, as: UTF8.self))\"" }

    private func peek() -> UInt8? { position < bytes.count ? bytes[position] : nil }

    private mutating func skipWhitespace() {
        while let byte = peek(), [0x20, 0x09, 0x0A, 0x0D].contains(byte) {
            if byte == 0x0A { line += 1 }
            position += 1
        }
    }

    private mutating func expect(_ byte: UInt8) throws {
        skipWhitespace()
        guard peek() == byte else {
            let found = peek().map { "\"\(String(UnicodeScalar($0)))\"" } ?? "the end of the file"
            throw error("expected \"\(String(UnicodeScalar(byte)))\", found \(found)")
        }
        position += 1
    }

    private mutating func integer() throws -> Int32 {
        skipWhitespace()
        let start = position
        while let byte = peek(), (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-") {
            position += 1
        }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        guard let value = Int(text), value >= 0, value <= Self.maximumID else {
            throw error("expected a token id between 0 and \(Self.maximumID), found \"\(text)\"")
        }
        return Int32(value)
    }

    /// A JSON string as UTF-8 bytes.
    private mutating func string() throws -> [UInt8] {
        try expect(UInt8(ascii: "\""))
        var result: [UInt8] = []
        while true {
            guard let byte = peek() else { throw error("unterminated string") }
            position += 1
            switch byte {
            case UInt8(ascii: "\""):
                guard String(validating: result, as: UTF8.self) != nil else { throw error("string is not valid UTF-8") }
                return result
            case UInt8(ascii: "\\"):
                try appendEscape(to: &result)
            case 0x00..<0x20:
                throw error("control character inside a string")
            default:
                result.append(byte)
            }
        }
    }

    private mutating func appendEscape(to result: inout [UInt8]) throws {
        guard let byte = peek() else { throw error("unterminated escape") }
        position += 1
        let simple: [UInt8: UInt8] = [
            UInt8(ascii: "\""): 0x22, UInt8(ascii: "\\"): 0x5C, UInt8(ascii: "/"): 0x2F,
            UInt8(ascii: "b"): 0x08, UInt8(ascii: "f"): 0x0C, UInt8(ascii: "n"): 0x0A,
            UInt8(ascii: "r"): 0x0D, UInt8(ascii: "t"): 0x09,
        ]
        if let replacement = simple[byte] {
            result.append(replacement)
            return
        }
        guard byte == UInt8(ascii: "u") else { throw error("invalid escape \\\(String(UnicodeScalar(byte)))") }
        var value = try hexQuad()
        if (0xD800...0xDBFF).contains(value) {
            guard bytes[position...].starts(with: Array("\\u".utf8)) else { throw error("unpaired surrogate escape") }
            position += 2
            let low = try hexQuad()
            guard (0xDC00...0xDFFF).contains(low) else { throw error("unpaired surrogate escape") }
            value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
        }
        guard let scalar = Unicode.Scalar(value) else { throw error("unpaired surrogate escape") }
        result.append(contentsOf: String(Character(scalar)).utf8)
    }

    private mutating func hexQuad() throws -> UInt32 {
        guard position + 4 <= bytes.count else { throw error("invalid \\u escape") }
        var value: UInt32 = 0
        for byte in bytes[position..<(position + 4)] {
            guard let digit = hexDigit(byte) else { throw error("invalid \\u escape") }
            value = value << 4 | digit
        }
        position += 4
        return value
    }

    private func hexDigit(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }
}
