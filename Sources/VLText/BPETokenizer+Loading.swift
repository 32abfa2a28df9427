// Ways to build a BPETokenizer: the bundled OpenAI/open_clip merge list, another copy of that list,
// or a Hugging Face CLIP folder (`vocab.json` + `merges.txt`). All give the same ids for CLIP.

import Foundation

extension BPETokenizer {
    /// File name of CLIP's merge list, shipped as a resource of this module.
    public static let bundledMergesFileName = "bpe_simple_vocab_16e6.txt.gz"

    /// CLIP's tokenizer from the bundled `bpe_simple_vocab_16e6.txt.gz`.
    public init(specialTokens: SpecialTokenSpelling = .openAI, options: Options = Options()) throws {
        try self.init(clipMergesFile: Self.bundledMergesFile(), specialTokens: specialTokens, options: options)
    }

    /// Location of the bundled merge list in this module's resources.
    static func bundledMergesFile() throws -> URL {
        guard let url = Bundle.module.url(forResource: "bpe_simple_vocab_16e6.txt", withExtension: "gz") else {
            throw TokenizerError.missingBundledVocabulary(
                "\(bundledMergesFileName) not found in \(Bundle.module.bundlePath)")
        }
        return url
    }

    /// CLIP's tokenizer from a copy of its merge list, gzip-compressed or plain text
    /// (the first 48,894 merges after the header line are used, as CLIP does).
    public init(
        clipMergesFile url: URL, specialTokens: SpecialTokenSpelling = .openAI, options: Options = Options()
    ) throws {
        let vocabulary = try VocabularyFiles.clipVocabulary(mergesFile: url, specialSpellings: specialTokens.spellings)
        self.init(vocabulary: vocabulary, options: options)
    }

    /// A tokenizer from Hugging Face CLIPTokenizer files: ids from `vocabularyFile` (`vocab.json`),
    /// merge ranks from the order of `mergesFile` (`merges.txt`). Start and end of text are the
    /// vocabulary's `<|startoftext|>` and `<|endoftext|>`; byte symbols the vocabulary lacks map
    /// to `<|endoftext|>`, CLIPTokenizer's unknown token. Text handling is CLIP's reference
    /// (ftfy-style cleaning, special tokens matched by the regex), not Hugging Face's normaliser.
    public init(vocabularyFile: URL, mergesFile: URL, options: Options = Options()) throws {
        let vocabulary = try VocabularyFiles.huggingFaceVocabulary(
            vocabularyFile: vocabularyFile, mergesFile: mergesFile,
            specialSpellings: SpecialTokenSpelling.openAI.spellings)
        self.init(vocabulary: vocabulary, options: options)
    }

    /// A tokenizer from a model folder holding Hugging Face's `vocab.json` and `merges.txt`.
    public init(huggingFaceFolder folder: URL, options: Options = Options()) throws {
        try self.init(
            vocabularyFile: folder.appendingPathComponent("vocab.json"),
            mergesFile: folder.appendingPathComponent("merges.txt"), options: options)
    }
}
