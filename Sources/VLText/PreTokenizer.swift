// CLIP's pre-tokenisation, matched by hand over Unicode scalars as Python's `regex` module runs
// `findall` on the case-insensitive pattern (OpenAI CLIP simple_tokenizer, open_clip tokenizer):
//   <special tokens>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+

/// Finds the pieces of cleaned text that BPE encodes one by one.
struct PreTokenizer: Sendable {
    /// Special-token spellings tried first at every position, in pattern order.
    let specialSpellings: [[UInt8]]

    private static let contractions: [[UInt8]] = ["s", "t", "re", "ve", "m", "ll", "d"].map { Array($0.utf8) }

    /// The next piece at or after `start`, as a range of `text`; `nil` when none is left.
    /// Scalars that no alternative matches (whitespace, U+0345) are skipped, as `findall` does.
    func nextPiece(in text: [Unicode.Scalar], from start: Int) -> Range<Int>? {
        var index = start
        while index < text.count {
            if let length = matchLength(in: text, at: index) { return index..<(index + length) }
            index += 1
        }
        return nil
    }

    /// Length of the match of the first alternative that matches at `index`, if any.
    private func matchLength(in text: [Unicode.Scalar], at index: Int) -> Int? {
        let scalar = text[index]
        for spelling in specialSpellings where matchesLiteral(spelling, in: text, at: index) {
            return spelling.count
        }
        if scalar == "'" {
            for contraction in Self.contractions where matchesLiteral(contraction, in: text, at: index + 1) {
                return 1 + contraction.count
            }
        }
        if ReferenceUnicode.isLetter(scalar) {
            return runLength(in: text, from: index, where: ReferenceUnicode.isLetter)
        }
        if ReferenceUnicode.isNumber(scalar) { return 1 }
        if ReferenceUnicode.isOther(scalar) {
            return runLength(in: text, from: index, where: ReferenceUnicode.isOther)
        }
        return nil
    }

    /// Whether the ASCII `literal` matches `text` at `index` case-insensitively.
    private func matchesLiteral(_ literal: [UInt8], in text: [Unicode.Scalar], at index: Int) -> Bool {
        guard index + literal.count <= text.count else { return false }
        for (offset, byte) in literal.enumerated()
        where !ReferenceUnicode.matchesIgnoringCase(text[index + offset], literal: byte) {
            return false
        }
        return true
    }

    private func runLength(
        in text: [Unicode.Scalar], from start: Int, where belongs: (Unicode.Scalar) -> Bool
    ) -> Int {
        var end = start + 1
        while end < text.count && belongs(text[end]) { end += 1 }
        return end - start
    }
}
