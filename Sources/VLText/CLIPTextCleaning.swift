// CLIP's text cleaning before pre-tokenisation (OpenAI simple_tokenizer / open_clip "lower"):
// ftfy.fix_text, html.unescape twice, whitespace collapsed and stripped, then lower-cased.

/// The cleaning step of CLIP's `encode`.
public enum CLIPTextCleaning {
    /// `whitespace_clean(basic_clean(text)).lower()` as OpenAI CLIP and open_clip compute it,
    /// except that ftfy's mojibake repair is not applied (see ``TextFixer``).
    ///
    /// OpenAI collapses whitespace with the regex `\s+`, open_clip with `str.split()`; the two
    /// differ only on U+001C…U+001F, which ftfy and `html.unescape` have already removed.
    public static func clean(_ text: String) -> String {
        String(String.UnicodeScalarView(cleanedScalars(text)))
    }

    /// ``clean(_:)`` as scalars, which is what the tokenizer matches on.
    static func cleanedScalars(_ text: String) -> [Unicode.Scalar] {
        var scalars = TextFixer.fixText(Array(text.unicodeScalars))
        scalars = HTMLUnescaping.unescape(HTMLUnescaping.unescape(scalars))
        scalars = PythonText.collapsingWhitespace(scalars)
        return PythonText.lowercased(scalars)
    }
}
