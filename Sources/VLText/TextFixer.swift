// The parts of ftfy 6.3 `fix_text` (default configuration) that CLIP's cleaning runs and that are
// deterministic rules: HTML entities, C1 controls, ligatures, character width, curly quotes, line
// breaks, terminal escapes, control characters and NFC, repeated per line until nothing changes.
// ftfy's mojibake repair (`fix_encoding`, a statistical "badness" heuristic) is not reproduced.

/// ftfy's `fix_text` without mojibake repair.
enum TextFixer {
    /// ftfy fixes text in segments that end after each line feed, at most this many scalars long.
    static let maximumSegmentLength = 1_000_000

    /// `ftfy.fix_text(text, fix_encoding=False)`.
    static func fixText(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        if text.allSatisfy(isUntouchedASCII) { return text }
        var result: [Unicode.Scalar] = []
        result.reserveCapacity(text.count)
        var unescapesHTML = true  // ftfy's "auto": off from the first segment containing `<`
        var start = 0
        while start < text.count {
            let end = segmentEnd(in: text, from: start)
            let segment = Array(text[start..<end])
            if segment.contains("<") { unescapesHTML = false }
            result.append(contentsOf: fixSegment(segment, unescapingHTML: unescapesHTML))
            start = end
        }
        return result
    }

    /// Scalars that no fixer changes and that cannot start an entity or escape sequence.
    private static func isUntouchedASCII(_ scalar: Unicode.Scalar) -> Bool {
        ((0x20...0x7E).contains(scalar.value) && scalar != "&") || scalar == "\n" || scalar == "\t"
    }

    private static func segmentEnd(in text: [Unicode.Scalar], from start: Int) -> Int {
        let limit = min(text.count, start + maximumSegmentLength)
        guard let lineFeed = text[start..<limit].firstIndex(of: "\n") else { return limit }
        return lineFeed + 1
    }

    /// ftfy's `fix_and_explain` loop over one segment: apply every fixer in ftfy's order until
    /// a pass changes nothing.
    static func fixSegment(_ segment: [Unicode.Scalar], unescapingHTML: Bool) -> [Unicode.Scalar] {
        var text = segment
        while true {
            let original = text
            if unescapingHTML { text = HTMLUnescaping.ftfyUnescape(text) }
            text = fixC1Controls(text)
            text = translate(text, TextFixerTables.ligatures)
            text = translate(text, TextFixerTables.width)
            text = uncurlQuotes(text)
            text = fixLineBreaks(text)
            text = removeTerminalEscapes(text)
            text = removeControlCharacters(text)
            text = PythonText.nfc(text)
            if text == original { return text }
        }
    }

    /// C1 controls U+0080…U+009F read as the Windows-1252 characters they encode.
    static func fixC1Controls(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        text.map { scalar in
            guard (0x80...0x9F).contains(scalar.value) else { return scalar }
            return Unicode.Scalar(TextFixerTables.c1Controls[Int(scalar.value - 0x80)])!
        }
    }

    private static func translate(_ text: [Unicode.Scalar], _ table: [UInt32: [UInt32]]) -> [Unicode.Scalar] {
        guard text.contains(where: { table[$0.value] != nil }) else { return text }
        return text.flatMap { scalar in
            table[scalar.value].map { $0.map { Unicode.Scalar($0)! } } ?? [scalar]
        }
    }

    /// ʼ ‘ ’ ‚ ‛ → `'` and “ ” „ ‟ → `"`.
    static func uncurlQuotes(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        text.map { scalar in
            switch scalar.value {
            case 0x2BC, 0x2018...0x201B: "'"
            case 0x201C...0x201F: "\""
            default: scalar
            }
        }
    }

    /// CR LF, CR, U+2028, U+2029 and U+0085 → LF.
    static func fixLineBreaks(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var result: [Unicode.Scalar] = []
        result.reserveCapacity(text.count)
        var index = 0
        while index < text.count {
            let scalar = text[index]
            index += 1
            switch scalar {
            case "\r":
                if index < text.count && text[index] == "\n" { index += 1 }
                result.append("\n")
            case "\u{2028}", "\u{2029}", "\u{85}":
                result.append("\n")
            default:
                result.append(scalar)
            }
        }
        return result
    }

    /// Drops ANSI sequences `ESC [ (digit | ;)* letter`, where a digit is any Unicode decimal
    /// digit as Python's `\d` defines it.
    static func removeTerminalEscapes(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        guard text.contains("\u{1B}") else { return text }
        var result: [Unicode.Scalar] = []
        var index = 0
        while index < text.count {
            if let end = terminalEscapeEnd(in: text, at: index) {
                index = end
            } else {
                result.append(text[index])
                index += 1
            }
        }
        return result
    }

    private static func terminalEscapeEnd(in text: [Unicode.Scalar], at start: Int) -> Int? {
        guard text[start] == "\u{1B}", start + 1 < text.count, text[start + 1] == "[" else { return nil }
        var index = start + 2
        while index < text.count && (text[index] == ";" || isPythonDecimalDigit(text[index])) { index += 1 }
        guard index < text.count else { return nil }
        let final = text[index]
        let isLetter = ("a"..."z").contains(final) || ("A"..."Z").contains(final)
        return isLetter ? index + 1 : nil
    }

    private static func isPythonDecimalDigit(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.generalCategory == .decimalNumber && PythonText.isKnownToPython311(scalar)
    }

    /// Drops C0 controls other than tab, line feed, form feed and carriage return, DEL, the
    /// deprecated Arabic format controls, the byte-order mark and interlinear annotation marks.
    static func removeControlCharacters(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        text.filter { !isRemovedControl($0.value) }
    }

    private static func isRemovedControl(_ value: UInt32) -> Bool {
        switch value {
        case 0x00...0x08, 0x0B, 0x0E...0x1F, 0x7F, 0x206A...0x206F, 0xFEFF, 0xFFF9...0xFFFC: true
        default: false
        }
    }
}
