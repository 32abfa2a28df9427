import Foundation
import Testing
import VLTensor
@testable import VLWorld

@Suite("captions")
struct CaptionTests {
    static let world = World(seed: 21)

    @Test("there are at least 25 photo templates, all distinct")
    func templateCount() {
        let frames = Captioner.photoFrames.map { $0.prefix + "|" + $0.suffix }
        #expect(frames.count >= 25)
        #expect(Set(frames).count == frames.count)
    }

    @Test("captions of a class's examples contain its name as spelled (or its plural)",
          arguments: WorldDatasetName.allCases.filter { $0.domain == .clean })
    func classNamesAppearInCaptions(name: WorldDatasetName) {
        let dataset = CaptionTests.world.dataset(name)
        var random = RandomGenerator(seed: 99)
        for (label, worldClass) in dataset.classes.enumerated() {
            let phrases = spellings(of: worldClass)
            let texts = (0..<8).flatMap { example in
                let scene = dataset.scene(split: .train, index: label + example * dataset.classes.count)
                return captions(for: scene, count: 25, random: &random)
            }
            let hits = texts.filter { text in phrases.contains { text.contains($0) } }
            #expect(hits.count >= 4, "'\(worldClass.name)' appears in \(hits.count) of \(texts.count) captions")
        }
    }

    @Test("every class word appears in the pretraining captions")
    func classWordsInPretraining() {
        let words = Set((0..<4_000).flatMap { index in
            CaptionTests.world.pretrainingCaption(index: index)
                .split(whereSeparator: { !$0.isLetter }).map(String.init)
        })
        for task in WorldTask.allCases {
            for worldClass in task.classes {
                let missing = worldClass.words.filter { !words.contains($0) }
                #expect(missing.isEmpty, "'\(worldClass.name)': \(missing) never in pretraining captions")
            }
        }
    }

    @Test("pretraining captions use every attribute word")
    func attributeCoverage() {
        let text = (0..<4_000).map { CaptionTests.world.pretrainingCaption(index: $0) }.joined(separator: " ")
        let words: [String] = ObjectShape.allCases.map(\.word) + ObjectShape.allCases.map(\.plural)
            + ObjectColor.allCases.map(\.word) + ObjectSize.allCases.map(\.word)
            + Pattern.allCases.map(\.word) + Pattern.allCases.map(\.phrase)
            + Position.allCases.map(\.phrase) + Background.allCases.map { $0.phrases[0] }
            + (1...CountWord.maximum).map(CountWord.word) + ["sketch", "noisy"]
        for word in words {
            #expect(text.contains(word), "'\(word)' never appears")
        }
    }

    @Test("captions say what the scene shows")
    func captionsAreFaithful() {
        var random = RandomGenerator(seed: 4)
        for index in 0..<300 {
            let scene = CaptionTests.world.pretrainingScene(index: index)
            let text = caption(for: scene, random: &random)
            let shapes = Set(scene.objects.map(\.shape))
            let colors = Set(scene.objects.map(\.color))
            for shape in ObjectShape.allCases where !shapes.contains(shape) {
                #expect(!containsWord(text, shape.word) && !containsWord(text, shape.plural), "\(text)")
            }
            for color in ObjectColor.allCases where !colors.contains(color) {
                #expect(!containsWord(text, color.word), "\(text)")
            }
            for shape in shapes {
                #expect(containsWord(text, shape.word) || containsWord(text, shape.plural), "\(text)")
            }
            if scene.domain == .sketch {
                #expect(!Pattern.allCases.contains { containsWord(text, $0.word) }, "\(text)")
            }
            if scene.isUniform && scene.count > 1 {
                #expect(containsWord(text, CountWord.word(scene.count)), "\(text)")
            }
        }
    }

    @Test("articles agree with the next word")
    func articles() {
        for index in 0..<2_000 {
            let words = CaptionTests.world.pretrainingCaption(index: index).split(separator: " ")
            for (article, next) in zip(words, words.dropFirst()) where article == "a" || article == "an" {
                let startsWithVowel = "aeiou".contains(next.first!)
                #expect((article == "an") == startsWithVowel, "'\(article) \(next)'")
            }
        }
    }

    /// The class name and, for class names that are noun + phrase, the plural form too.
    private func spellings(of worldClass: WorldClass) -> [String] {
        var phrases = [worldClass.name]
        if let shape = worldClass.shape, worldClass.count == nil {
            phrases.append(worldClass.name.replacingFirst(shape.word, with: shape.plural))
        }
        return phrases
    }

    private func containsWord(_ text: String, _ word: String) -> Bool {
        text.split(whereSeparator: { !$0.isLetter }).contains { $0 == word }
    }
}

extension String {
    fileprivate func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = range(of: target) else { return self }
        return replacingCharacters(in: range, with: replacement)
    }
}
