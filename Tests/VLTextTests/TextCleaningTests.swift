// CLIP's text cleaning checked on its own: the cleaned corpus strings from the reference and
// Python 3.11's `str.lower()` for every Unicode scalar.

import Testing
@testable import VLText

@Suite("text cleaning")
struct TextCleaningTests {
    @Test("cleaning gives the reference's cleaned text for every corpus string")
    func cleanedCorpus() throws {
        let corpus = try TokenizerFixtures.corpus.get()
        for testCase in corpus.cases {
            let expected = testCase.cleanedWithoutEncodingFix ?? testCase.cleaned
            let cleaned = CLIPTextCleaning.cleanedScalars(testCase.text)
            #expect(cleaned == Array(expected.unicodeScalars), "\(testCase.name): \(testCase.text.debugDescription)")
        }
    }

    @Test("lower-casing matches Python's str.lower() for every scalar")
    func pythonLowercase() throws {
        let table = try TokenizerFixtures.load("python_lowercase.json", as: TokenizerFixtures.Lowercase.self).lower
        #expect(table.count > 1400)
        var mismatches: [String] = []
        for value in UInt32(0)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let expected = table[String(value, radix: 16, uppercase: true)] ?? [value]
            let lowered = PythonText.lowercased([scalar]).map(\.value)
            if lowered != expected { mismatches.append(String(value, radix: 16)) }
        }
        #expect(mismatches.isEmpty, "differs at U+\(mismatches.prefix(10))")
    }

    @Test("capital sigma becomes final sigma only at the end of a word")
    func finalSigma() {
        func lower(_ text: String) -> String {
            String(String.UnicodeScalarView(PythonText.lowercased(Array(text.unicodeScalars))))
        }
        #expect(lower("ΟΔΟΣ") == "οδος")
        #expect(lower("ΣΑ") == "σα")
        #expect(lower("ΟΔΟΣ.") == "οδος.")
        #expect(lower("Σ") == "σ")
        #expect(lower("Α\u{301}Σ\u{301}") == "α\u{301}ς\u{301}")
    }

    @Test("Python whitespace collapses to single spaces and is trimmed")
    func whitespace() {
        let text = Array("\u{1C} a\u{2003}\u{2003}b\u{85}\u{A0}c \u{3000}".unicodeScalars)
        #expect(PythonText.collapsingWhitespace(text) == Array("a b c".unicodeScalars))
        let zeroWidth = Array("a\u{200B}b".unicodeScalars)  // not whitespace to Python
        #expect(PythonText.collapsingWhitespace(zeroWidth) == zeroWidth)
    }
}
