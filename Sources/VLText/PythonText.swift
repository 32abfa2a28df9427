// The Python `str` operations CLIP's text cleaning relies on, reproduced on Unicode scalars:
// `" ".join(text.split())` with `str.isspace` and `str.lower()` (CPython 3.11, Unicode 14.0).

import Foundation

/// Python string semantics that differ from Swift's `String` methods.
enum PythonText {
    /// `" ".join(text.split()).strip()`: runs of Python whitespace become one space, and the
    /// ends are trimmed.
    static func collapsingWhitespace(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var result: [Unicode.Scalar] = []
        result.reserveCapacity(text.count)
        var pendingSpace = false
        for scalar in text {
            if ReferenceUnicode.isPythonWhitespace(scalar) {
                pendingSpace = !result.isEmpty
            } else {
                if pendingSpace { result.append(" ") }
                pendingSpace = false
                result.append(scalar)
            }
        }
        return result
    }

    /// `text.lower()` as CPython 3.11 computes it: full lower-case mappings (İ → i̇) and the
    /// context-dependent final sigma. Scalars newer than Unicode 14.0, which Python 3.11 treats
    /// as unassigned, are left unchanged.
    static func lowercased(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var result: [Unicode.Scalar] = []
        result.reserveCapacity(text.count)
        for index in text.indices {
            let scalar = text[index]
            if scalar.value < 0x80 {
                let isUpper = (0x41...0x5A).contains(scalar.value)
                result.append(isUpper ? Unicode.Scalar(scalar.value + 32)! : scalar)
            } else if scalar.value == 0x3A3 {
                result.append(isFinalSigma(at: index, in: text) ? "\u{3C2}" : "\u{3C3}")
            } else if isKnownToPython311(scalar) {
                result.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
            } else {
                result.append(scalar)
            }
        }
        return result
    }

    /// Whether Python 3.11's Unicode database (14.0) assigns `scalar`.
    static func isKnownToPython311(_ scalar: Unicode.Scalar) -> Bool {
        guard let age = scalar.properties.age else { return false }
        return age.major < 14 || (age.major == 14 && age.minor == 0)
    }

    /// Unicode's Final_Sigma condition as CPython checks it: a cased letter before the sigma
    /// (skipping case-ignorable scalars) and none after it.
    private static func isFinalSigma(at index: Int, in text: [Unicode.Scalar]) -> Bool {
        var before = index - 1
        while before >= 0 && text[before].properties.isCaseIgnorable { before -= 1 }
        guard before >= 0 && text[before].properties.isCased else { return false }
        var after = index + 1
        while after < text.count && text[after].properties.isCaseIgnorable { after += 1 }
        return after == text.count || !text[after].properties.isCased
    }

    /// Unicode NFC, as `unicodedata.normalize("NFC", text)`. Text below U+0300 has no combining
    /// marks and is returned unchanged without a round trip through `String`.
    static func nfc(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        guard text.contains(where: { $0.value >= 0x300 }) else { return text }
        let string = String(String.UnicodeScalarView(text))
        return Array(string.precomposedStringWithCanonicalMapping.unicodeScalars)
    }
}
