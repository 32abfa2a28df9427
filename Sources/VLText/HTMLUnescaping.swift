// HTML character references decoded exactly as CLIP's cleaning does: Python's `html.unescape`
// (HTML5 rules: legacy names without `;`, longest-prefix names, Windows-1252 repairs) and ftfy's
// stricter `unescape_html` (only `&name;` forms, plus upper-cased names such as `&EACUTE;`).

/// The two HTML unescapers of CLIP's text cleaning.
enum HTMLUnescaping {
    private static let ampersand: Unicode.Scalar = "&"
    private static let semicolon: Unicode.Scalar = ";"
    private static let hash: Unicode.Scalar = "#"

    /// Named references of the HTML5 standard, keyed by name (with `;` where the name has one).
    private static let html5: [String: [Unicode.Scalar]] = parse(HTMLEntityTable.html5)

    /// ftfy's table: every HTML5 name ending in `;`, plus the upper-case spellings it accepts.
    private static let ftfyNames: [String: [Unicode.Scalar]] = {
        var names = html5.filter { $0.key.hasSuffix(";") }
        names.merge(parse(HTMLEntityTable.ftfyUppercase)) { current, _ in current }
        return names
    }()

    private static let droppedCodePoints = Set(HTMLEntityTable.droppedCodePoints)

    private static func parse(_ table: String) -> [String: [Unicode.Scalar]] {
        var entries: [String: [Unicode.Scalar]] = [:]
        for line in table.split(separator: "\n") {
            let fields = line.split(separator: "\t")
            let scalars = fields[1].split(separator: " ").map { Unicode.Scalar(UInt32($0, radix: 16)!)! }
            entries[String(fields[0])] = scalars
        }
        return entries
    }

    // MARK: Python html.unescape

    /// Python's `html.unescape(text)`.
    static func unescape(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        guard text.contains(ampersand) else { return text }
        var result: [Unicode.Scalar] = []
        result.reserveCapacity(text.count)
        var index = 0
        while index < text.count {
            if text[index] == ampersand, let (end, replacement) = characterReference(in: text, at: index + 1) {
                result.append(contentsOf: replacement)
                index = end
            } else {
                result.append(text[index])
                index += 1
            }
        }
        return result
    }

    /// Matches `#[0-9]+;?`, `#[xX][0-9a-fA-F]+;?` or `[^\t\n\f <&#;]{1,32};?` at `start` (just
    /// after an `&`) and returns where the match ends and what replaces `&` plus the match.
    private static func characterReference(
        in text: [Unicode.Scalar], at start: Int
    ) -> (end: Int, replacement: [Unicode.Scalar])? {
        if start < text.count && text[start] == hash {
            return numericReference(in: text, at: start + 1)
        }
        var end = start
        while end < text.count && end - start < 32 && isNameScalar(text[end]) { end += 1 }
        guard end > start else { return nil }
        if end < text.count && text[end] == semicolon { end += 1 }
        return (end, namedReplacement(Array(text[start..<end])))
    }

    private static func isNameScalar(_ scalar: Unicode.Scalar) -> Bool {
        !["\t", "\n", "\u{0C}", " ", "<", "&", "#", ";"].contains(scalar)
    }

    /// Decimal or hexadecimal reference after `&#`; `nil` when no digit follows.
    private static func numericReference(
        in text: [Unicode.Scalar], at start: Int
    ) -> (end: Int, replacement: [Unicode.Scalar])? {
        var digitsStart = start
        var radix: UInt32 = 10
        if start < text.count && (text[start] == "x" || text[start] == "X") {
            radix = 16
            digitsStart += 1
        }
        var end = digitsStart
        var value: UInt32 = 0
        var overflowed = false
        while end < text.count, let digit = digitValue(text[end], radix: radix) {
            let (product, overflow1) = value.multipliedReportingOverflow(by: radix)
            let (sum, overflow2) = product.addingReportingOverflow(digit)
            overflowed = overflowed || overflow1 || overflow2
            value = sum
            end += 1
        }
        guard end > digitsStart else {
            // `&#x` with no hex digit: the decimal form is not tried on `x`, and the named form
            // excludes `#`, so nothing matches here.
            return nil
        }
        if end < text.count && text[end] == semicolon { end += 1 }
        return (end, numericReplacement(overflowed ? UInt32.max : value))
    }

    private static func digitValue(_ scalar: Unicode.Scalar, radix: UInt32) -> UInt32? {
        let value = scalar.value
        switch value {
        case 0x30...0x39: return value - 0x30
        case 0x41...0x46 where radix == 16: return value - 0x41 + 10
        case 0x61...0x66 where radix == 16: return value - 0x61 + 10
        default: return nil
        }
    }

    /// Python's rules for `&#N;`: Windows-1252 repairs, U+FFFD for surrogates and values past
    /// U+10FFFF, nothing for control and non-character code points.
    private static func numericReplacement(_ value: UInt32) -> [Unicode.Scalar] {
        if let repaired = HTMLEntityTable.replacedCharacterReferences[value] {
            return [Unicode.Scalar(repaired)!]
        }
        guard let scalar = Unicode.Scalar(value) else { return ["\u{FFFD}"] }
        return droppedCodePoints.contains(value) ? [] : [scalar]
    }

    /// A named reference: the whole name if known, else its longest known prefix (at least two
    /// scalars) followed by the rest verbatim, else the text unchanged.
    private static func namedReplacement(_ name: [Unicode.Scalar]) -> [Unicode.Scalar] {
        if let value = lookup(name[...], in: html5) { return value }
        var length = name.count - 1
        while length >= 2 {
            if let value = lookup(name[..<length], in: html5) { return value + name[length...] }
            length -= 1
        }
        return [ampersand] + name
    }

    private static func lookup(
        _ name: ArraySlice<Unicode.Scalar>, in table: [String: [Unicode.Scalar]]
    ) -> [Unicode.Scalar]? {
        guard name.allSatisfy(\.isASCII) else { return nil }
        return table[String(String.UnicodeScalarView(name))]
    }

    // MARK: ftfy unescape_html

    /// ftfy's `unescape_html`: replaces `&#?[0-9A-Za-z]{1,24};` when it names a known entity or
    /// is a numeric reference that `html.unescape` decodes completely.
    static func ftfyUnescape(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        guard text.contains(ampersand) else { return text }
        var result: [Unicode.Scalar] = []
        result.reserveCapacity(text.count)
        var index = 0
        while index < text.count {
            if text[index] == ampersand, let end = ftfyReferenceEnd(in: text, at: index) {
                result.append(contentsOf: ftfyReplacement(Array(text[index..<end])))
                index = end
            } else {
                result.append(text[index])
                index += 1
            }
        }
        return result
    }

    /// End of `&#?[0-9A-Za-z]{1,24};` starting at the `&` at `start`, if it matches there.
    private static func ftfyReferenceEnd(in text: [Unicode.Scalar], at start: Int) -> Int? {
        var index = start + 1
        if index < text.count && text[index] == hash { index += 1 }
        let nameStart = index
        while index < text.count && isASCIIAlphanumeric(text[index]) { index += 1 }
        let length = index - nameStart
        guard (1...24).contains(length), index < text.count, text[index] == semicolon else { return nil }
        return index + 1
    }

    private static func isASCIIAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        ("0"..."9").contains(scalar) || ("A"..."Z").contains(scalar) || ("a"..."z").contains(scalar)
    }

    private static func ftfyReplacement(_ reference: [Unicode.Scalar]) -> [Unicode.Scalar] {
        if let value = lookup(reference.dropFirst(), in: ftfyNames) { return value }
        guard reference.count > 1 && reference[1] == hash else { return reference }
        let decoded = unescape(reference)
        return decoded.contains(semicolon) ? reference : decoded
    }
}
