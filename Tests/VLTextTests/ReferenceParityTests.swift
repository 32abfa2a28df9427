// Exact token-id parity with OpenAI CLIP and open_clip on the fixture corpus (226 strings:
// captions, CoOp prompts, punctuation, digits, contractions, Unicode, HTML entities, mojibake,
// whitespace, control characters, literal special tokens, over-long text).

import Testing
import VLText

@Suite("CLIP tokenizer matches the Python references")
struct ReferenceParityTests {
    typealias Fixtures = TokenizerFixtures

    /// The reference ids for `testCase`, or the ids without ftfy's mojibake repair where the
    /// fixture records that this repair changes them (our one documented divergence).
    static func expected(_ testCase: Fixtures.Case, openCLIP: Bool) -> [Int] {
        let withoutFix = openCLIP ? testCase.openclipWithoutEncodingFix : testCase.openaiWithoutEncodingFix
        return withoutFix ?? (openCLIP ? testCase.openclip : testCase.openai)
    }

    @Test("every corpus string gives OpenAI CLIP's ids")
    func openAIParity() throws {
        let corpus = try Fixtures.corpus.get()
        let tokenizer = try Fixtures.openAI.get()
        let rows = try tokenizer.tokenize(corpus.cases.map(\.text))
        for (testCase, row) in zip(corpus.cases, rows) {
            let expected = Fixtures.padded(Self.expected(testCase, openCLIP: false), to: 77)
            #expect(row == expected, "\(testCase.name): \(testCase.text.debugDescription)")
        }
    }

    @Test("every corpus string gives open_clip's ids with open_clip's special-token spelling")
    func openCLIPParity() throws {
        let corpus = try Fixtures.corpus.get()
        let tokenizer = try Fixtures.openCLIP.get()
        let rows = try tokenizer.tokenize(corpus.cases.map(\.text))
        for (testCase, row) in zip(corpus.cases, rows) {
            let expected = Fixtures.padded(Self.expected(testCase, openCLIP: true), to: 77)
            #expect(row == expected, "\(testCase.name): \(testCase.text.debugDescription)")
        }
    }

    @Test("only mojibake cases depend on ftfy's encoding repair")
    func divergencesAreMojibake() throws {
        let corpus = try Fixtures.corpus.get()
        let diverging = corpus.cases.filter { $0.openaiWithoutEncodingFix != nil }
        #expect(!diverging.isEmpty)
        #expect(diverging.allSatisfy { $0.category == "mojibake" })
        #expect(diverging.map(\.name) == corpus.metadata.ftfyEncodingFixCases)
    }

    @Test("fail policy throws exactly where OpenAI's truncate=False raises")
    func overflowPolicy() throws {
        let corpus = try Fixtures.corpus.get()
        var strict = try Fixtures.openAI.get()
        strict.options.overflow = .fail
        for testCase in corpus.cases {
            do {
                let row = try strict.tokenize([testCase.text])[0]
                #expect(!testCase.overflows, "\(testCase.name) should overflow")
                #expect(row == Fixtures.padded(Self.expected(testCase, openCLIP: false), to: 77))
            } catch let error as TokenizerError {
                #expect(testCase.overflows, "\(testCase.name): \(error)")
                guard case .textTooLong(0, let count, 77) = error else {
                    Issue.record("unexpected error \(error)")
                    continue
                }
                #expect(count == strict.encode(testCase.text).count + 2)
            }
        }
    }

    @Test("smaller context lengths truncate with end-of-text last, as the reference does")
    func contextLengths() throws {
        let corpus = try Fixtures.corpus.get()
        let tokenizer = try Fixtures.openAI.get()
        for testCase in corpus.contextLengths {
            let row = try tokenizer.tokenize([testCase.text], contextLength: testCase.contextLength)[0]
            #expect(row == testCase.ids, "\(testCase.text.debugDescription) at \(testCase.contextLength)")
            let end = tokenizer.endOfTextIndex(in: row)
            #expect(row[end] == tokenizer.endOfTextID)
            #expect(try tokenizer.decode(Array(row[1..<end])) == testCase.decoded)
        }
    }

    @Test("a context too small for the two markers is rejected", arguments: [0, 1, -3])
    func invalidContextLength(_ length: Int) throws {
        let tokenizer = try Fixtures.openAI.get()
        #expect(throws: TokenizerError.invalidContextLength(length)) {
            try tokenizer.tokenize(["a cat"], contextLength: length)
        }
    }

    @Test("decoding the ids gives the reference's decoded text")
    func decoding() throws {
        let corpus = try Fixtures.corpus.get()
        let tokenizer = try Fixtures.openAI.get()
        for testCase in corpus.cases where testCase.openaiWithoutEncodingFix == nil {
            let content = Array(testCase.openai.dropFirst().dropLast())
            #expect(try tokenizer.decode(content) == testCase.decoded, "\(testCase.name)")
        }
    }

    @Test("end-of-text index is the first largest id, where CLIP pools")
    func endOfTextIndex() throws {
        let corpus = try Fixtures.corpus.get()
        let tokenizer = try Fixtures.openAI.get()
        let rows = try tokenizer.tokenize(corpus.cases.map(\.text))
        for (testCase, index) in zip(corpus.cases, tokenizer.endOfTextIndices(rows)) {
            let ids = Self.expected(testCase, openCLIP: false)
            #expect(index == ids.firstIndex(of: 49407), "\(testCase.name)")
        }
    }

    @Test("encode gives the ids between the markers, untruncated")
    func encodeMatchesRows() throws {
        let corpus = try Fixtures.corpus.get()
        let tokenizer = try Fixtures.openAI.get()
        for testCase in corpus.cases where !testCase.overflows {
            let ids = Self.expected(testCase, openCLIP: false)
            #expect(tokenizer.encode(testCase.text) == Array(ids.dropFirst().dropLast()), "\(testCase.name)")
        }
    }

    @Test("vocabulary constants are CLIP's")
    func constants() throws {
        let tokenizer = try Fixtures.openAI.get()
        #expect(tokenizer.startOfTextID == 49406)
        #expect(tokenizer.endOfTextID == 49407)
        #expect(tokenizer.vocabularySize == 49408)
        #expect(tokenizer.token(for: 49406) == "<|startoftext|>")
        #expect(try Fixtures.openCLIP.get().token(for: 49407) == "<end_of_text>")
        #expect(tokenizer.token(for: 49408) == nil)
    }

    @Test("end-of-text padding is Hugging Face's layout")
    func endOfTextPadding() throws {
        let corpus = try Fixtures.corpus.get()
        var tokenizer = try Fixtures.openAI.get()
        tokenizer.options.padding = .endOfText
        let agreeing = corpus.cases.filter { !corpus.metadata.huggingfaceDisagreements.contains($0.name) }
        #expect(agreeing.count > 150)
        let rows = try tokenizer.tokenize(agreeing.map(\.text))
        for (testCase, row) in zip(agreeing, rows) {
            #expect(row == Fixtures.padded(testCase.huggingface, to: 77, with: 49407), "\(testCase.name)")
        }
    }
}
