// The heap-based merge loop against a direct transcription of the reference's rounds (the oracle
// kept beside the fast version), on CLIP's merges and on random tables with shuffled ranks; and
// long inputs that would be quadratic in the reference.

import Foundation
import Testing
@testable import VLText

/// The reference `bpe` loop on ids: find the lowest-ranked adjacent pair, merge all its
/// occurrences left to right, repeat. O(n²); used only as the oracle.
func referenceMerge(_ word: [Int32], _ table: MergeTable) -> [Int32] {
    var word = word
    while word.count > 1 {
        var best: MergeTable.Merge?
        var bestPair: (Int32, Int32)?
        for index in 0..<(word.count - 1) {
            if let merge = table.merge(word[index], word[index + 1]), merge.rank < (best?.rank ?? .max) {
                best = merge
                bestPair = (word[index], word[index + 1])
            }
        }
        guard let best, let (first, second) = bestPair else { break }
        var merged: [Int32] = []
        var index = 0
        while index < word.count {
            if index + 1 < word.count && word[index] == first && word[index + 1] == second {
                merged.append(best.result)
                index += 2
            } else {
                merged.append(word[index])
                index += 1
            }
        }
        word = merged
    }
    return word
}

/// SplitMix64, so the random cases are the same on every run.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("byte-pair merging")
struct MergeTableTests {
    @Test("CLIP's merges on random words agree with the reference loop")
    func clipMerges() throws {
        let vocabulary = try TokenizerFixtures.openAI.get().vocabulary
        var generator = SeededGenerator(state: 7)
        let alphabet = Array("etaoinshrdlucmfwypvbgkjqxz".utf8) + Array("éàü猫".utf8)
        for _ in 0..<3000 {
            let length = Int.random(in: 1...40, using: &generator)
            let bytes = (0..<length).map { _ in alphabet.randomElement(using: &generator)! }
            var symbols = bytes.map { vocabulary.byteSymbols[Int($0)] }
            symbols[symbols.count - 1] = vocabulary.endOfWordByteSymbols[Int(bytes.last!)]
            #expect(vocabulary.merges.apply(to: symbols) == referenceMerge(symbols, vocabulary.merges))
        }
    }

    @Test("random tables whose ranks ignore creation order agree with the reference loop")
    func shuffledRanks() {
        var generator = SeededGenerator(state: 11)
        for _ in 0..<300 {
            var table = MergeTable()
            var symbolCount: Int32 = 4
            var ranks = Array(0..<Int32(40))
            ranks.shuffle(using: &generator)
            for rank in ranks {
                let left = Int32.random(in: 0..<symbolCount, using: &generator)
                let right = Int32.random(in: 0..<symbolCount, using: &generator)
                table.insert(left: left, right: right, .init(rank: rank, result: symbolCount))
                symbolCount += 1
            }
            for _ in 0..<20 {
                let length = Int.random(in: 1...30, using: &generator)
                let word = (0..<length).map { _ in Int32.random(in: 0..<4, using: &generator) }
                #expect(table.apply(to: word) == referenceMerge(word, table), "\(word)")
            }
        }
    }

    @Test("repeated symbols merge left to right without overlap")
    func overlappingPairs() {
        var table = MergeTable()
        table.insert(left: 0, right: 0, .init(rank: 0, result: 1))
        table.insert(left: 1, right: 1, .init(rank: 1, result: 2))
        for count in 1...9 {
            let word = [Int32](repeating: 0, count: count)
            #expect(table.apply(to: word) == referenceMerge(word, table), "\(count) zeros")
        }
    }

    @Test("a 100 kB word and a 100 kB caption tokenize like the untruncated encoding cut at 77")
    func longInputs() throws {
        let tokenizer = try TokenizerFixtures.openAI.get()
        var generator = SeededGenerator(state: 3)
        let word = String((0..<100_000).map { _ in "abcdefghij".randomElement(using: &generator)! })
        let vocabulary = ["cat", "a", "photo", "of", "the", "café,", "2024"]
        let words = (0..<20_000).map { _ in vocabulary.randomElement(using: &generator)! }
        for text in [word, words.joined(separator: " ")] {
            let full = tokenizer.encode(text)
            #expect(full.count > 75)
            let row = try tokenizer.tokenize([text])[0]
            #expect(row == [49406] + full.prefix(75) + [49407])
        }
    }

    @Test("a long word merges exactly as the reference loop")
    func longWord() throws {
        let vocabulary = try TokenizerFixtures.openAI.get().vocabulary
        var generator = SeededGenerator(state: 5)
        let bytes = (0..<3000).map { _ in Array("thequickbrownfox".utf8).randomElement(using: &generator)! }
        var symbols = bytes.map { vocabulary.byteSymbols[Int($0)] }
        symbols[symbols.count - 1] = vocabulary.endOfWordByteSymbols[Int(bytes.last!)]
        #expect(vocabulary.merges.apply(to: symbols) == referenceMerge(symbols, vocabulary.merges))
    }
}
