// Queries over the generated reference tables (Generated/ReferenceUnicode.swift): the character
// classes of CLIP's pre-tokenisation regex and Python's notion of whitespace.

extension ReferenceUnicode {
    /// Whether `value` lies in one of the inclusive `[start, end]` pairs of `bounds`.
    static func contains(_ bounds: [UInt32], _ value: UInt32) -> Bool {
        var low = 0
        var high = bounds.count / 2
        while low < high {  // count the ranges whose start is ≤ value
            let middle = (low + high) / 2
            if bounds[2 * middle] <= value { low = middle + 1 } else { high = middle }
        }
        return low > 0 && value <= bounds[2 * low - 1]
    }

    /// `[\p{L}]` as the regex matches it.
    static func isLetter(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x80 { return (0x41...0x5A).contains(value) || (0x61...0x7A).contains(value) }
        return contains(letterBounds, value)
    }

    /// `[\p{N}]` as the regex matches it.
    static func isNumber(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x80 { return (0x30...0x39).contains(value) }
        return contains(numberBounds, value)
    }

    /// The regex's `\s`.
    static func isRegexWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        contains(regexWhitespaceBounds, scalar.value)
    }

    /// `[^\s\p{L}\p{N}]` as the regex matches it (IGNORECASE excludes scalars whose case
    /// variants are letters, such as U+0345).
    static func isOther(_ scalar: Unicode.Scalar) -> Bool {
        !(isLetter(scalar) || isNumber(scalar) || isRegexWhitespace(scalar)
            || unmatchedScalars.contains(scalar.value))
    }

    /// Python's `str.isspace()`, which `split()` and `strip()` use.
    static func isPythonWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        pythonWhitespace.contains(scalar.value)
    }

    /// Whether `scalar` matches the ASCII `literal` under the regex's IGNORECASE.
    static func matchesIgnoringCase(_ scalar: Unicode.Scalar, literal: UInt8) -> Bool {
        let value = scalar.value
        if value == UInt32(literal) { return true }
        let isASCIILetter = (0x41...0x5A).contains(literal) || (0x61...0x7A).contains(literal)
        if isASCIILetter && value == UInt32(literal ^ 0x20) { return true }
        let lower = isASCIILetter ? literal | 0x20 : literal
        return caseInsensitiveExtras[lower]?.contains(value) ?? false
    }
}
