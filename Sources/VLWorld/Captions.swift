// Natural-language captions for scenes: a noun phrase built from the scene's attributes, with
// attributes randomly left out, set in one of many sentence templates. Adjectives go in the
// order size, pattern, color, so "red circle" stays contiguous, and a position phrase follows
// its noun ("star at the top"), so every class name appears in captions exactly as spelled.

import VLTensor

/// One caption for `scene`, drawn from the templates with `random`.
public func caption(for scene: Scene, random: inout RandomGenerator) -> String {
    let subject = Captioner.subject(of: scene, &random)
    let background = Captioner.backgroundPhrase(of: scene, &random)
    let frame = SceneSampler.pick(Captioner.frames(for: scene.domain), &random)
    let core = background.map { subject + " " + $0 } ?? subject
    let isPlural = scene.isUniform && scene.count > 1
    let prefix = isPlural ? frame.prefix.replacingThereIs() : frame.prefix
    return prefix + core + frame.suffix
}

extension String {
    /// "there is " → "there are ", for plural subjects.
    fileprivate func replacingThereIs() -> String {
        guard hasSuffix("there is ") else { return self }
        return String(dropLast("is ".count)) + "are "
    }
}

/// `count` captions for `scene`, each drawn independently.
public func captions(for scene: Scene, count: Int, random: inout RandomGenerator) -> [String] {
    (0..<count).map { _ in caption(for: scene, random: &random) }
}

/// The pieces captions are made of.
enum Captioner {
    /// A sentence around the subject: `prefix + subject + suffix`.
    struct Frame {
        let prefix: String
        let suffix: String
    }

    /// The templates for clean (and palette) scenes.
    static let photoFrames: [Frame] = [
        ("a photo of ", "."), ("", "."), ("", ""), ("a picture of ", "."), ("there is ", "."),
        ("an image showing ", "."), ("an image of ", "."), ("a rendering of ", "."),
        ("this is ", "."), ("a close-up photo of ", "."), ("i can see ", "."),
        ("an illustration of ", "."), ("", " can be seen here."), ("the picture contains ", "."),
        ("a scene with ", "."), ("a snapshot of ", "."), ("an example of ", "."),
        ("here we see ", "."), ("a cropped photo of ", "."), ("a good photo of ", "."),
        ("a clear view of ", "."), ("the image shows ", "."), ("you can see ", " in this picture."),
        ("a digital image of ", "."), ("look, ", "!"), ("a computer graphic of ", "."),
        ("a bright photo of ", "."), ("a low resolution photo of ", "."),
        ("in this image there is ", "."), ("a depiction of ", "."), ("a photo showing ", "."),
        ("", ", in a photo."), ("a render of ", "."), ("the photo shows ", "."),
        ("a pixelated image of ", "."), ("a simple scene: ", "."),
    ].map { Frame(prefix: $0.0, suffix: $0.1) }

    /// The templates for outline sketches.
    static let sketchFrames: [Frame] = [
        ("a sketch of ", "."), ("an outline drawing of ", "."), ("a line drawing of ", "."),
        ("", ", drawn as an outline."), ("a pencil sketch of ", "."), ("a doodle of ", "."),
    ].map { Frame(prefix: $0.0, suffix: $0.1) }

    /// The templates for noisy images.
    static let noiseFrames: [Frame] = [
        ("a noisy photo of ", "."), ("a grainy picture of ", "."), ("", " in a noisy image."),
        ("a corrupted image of ", "."), ("a noisy image showing ", "."),
    ].map { Frame(prefix: $0.0, suffix: $0.1) }

    static func frames(for domain: Domain) -> [Frame] {
        switch domain {
        case .clean, .palette: photoFrames
        case .sketch: sketchFrames
        case .noise: noiseFrames
        }
    }

    // MARK: - Subject

    /// The noun phrase for all the scene's objects, with a position phrase when there is one.
    static func subject(of scene: Scene, _ random: inout RandomGenerator) -> String {
        guard let first = scene.objects.first else { return "nothing" }
        let showsPattern = scene.domain != .sketch
        if scene.isUniform {
            return nounPhrase(
                first, count: scene.count, position: scene.position, showsPattern: showsPattern,
                &random)
        }
        let phrases = scene.objects.map {
            nounPhrase($0, count: 1, position: nil, showsPattern: showsPattern, &random)
        }
        if phrases.count == 2, random.nextUniform() < 0.6 {
            return phrases[0] + " " + relation(of: scene.objects[0], to: scene.objects[1], &random)
                + " " + phrases[1]
        }
        return phrases.dropLast().joined(separator: ", ") + " and " + phrases.last!
    }

    /// "a small striped red circle at the top", "three hearts in blue with a dotted pattern".
    /// Patterns are never mentioned when they are not drawn (`showsPattern` false).
    static func nounPhrase(
        _ object: SceneObject, count: Int, position: Position?, showsPattern: Bool,
        _ random: inout RandomGenerator
    ) -> String {
        var adjectives: [String] = []
        if random.nextUniform() < 0.4 { adjectives.append(sizeWord(object.size, &random)) }
        let patternChance = showsPattern ? (object.pattern == .solid ? 0.15 : 0.6) : 0
        let mentionsPattern = random.nextUniform() < patternChance
        let patternAsAdjective = mentionsPattern && random.nextUniform() < 0.6
        if patternAsAdjective { adjectives.append(object.pattern.word) }
        let colorDraw = random.nextUniform()
        if colorDraw < 0.65 { adjectives.append(object.color.word) }
        var words = adjectives + [object.shape.noun(count: count)]
        if let position, random.nextUniform() < 0.6 { words.append(positionPhrase(position, &random)) }
        if colorDraw >= 0.65 && colorDraw < 0.85 { words += ["in", object.color.word] }
        if mentionsPattern && !patternAsAdjective { words += ["with", "a", object.pattern.phrase] }
        return determiner(count: count, before: words[0], &random) + " " + words.joined(separator: " ")
    }

    /// "a"/"an"/"one"/"a single" for one object, the number word otherwise.
    static func determiner(count: Int, before word: String, _ random: inout RandomGenerator) -> String {
        guard count == 1 else { return CountWord.word(count) }
        let draw = random.nextUniform()
        if draw < 0.3 { return "one" }
        if draw < 0.4 { return "a single" }
        return "aeiou".contains(word.first!) ? "an" : "a"
    }

    /// Mostly the attribute's own word, sometimes a synonym.
    static func sizeWord(_ size: ObjectSize, _ random: inout RandomGenerator) -> String {
        guard random.nextUniform() < 0.25 else { return size.word }
        return size == .small ? "tiny" : "big"
    }

    /// Mostly the canonical phrase; sometimes a longer form that still contains it, rarely
    /// a synonym.
    static func positionPhrase(_ position: Position, _ random: inout RandomGenerator) -> String {
        let draw = random.nextUniform()
        if draw < 0.75 { return position.phrase }
        if position == .center { return draw < 0.9 ? "in the center of the image" : "in the middle" }
        if position == .left || position == .right { return position.phrase + " side" }
        return position.phrase + " of the image"
    }

    /// How `first` relates to `second`: "next to", "to the left of", "above", ...
    static func relation(
        of first: SceneObject, to second: SceneObject, _ random: inout RandomGenerator
    ) -> String {
        if random.nextUniform() < 0.3 { return random.nextUniform() < 0.5 ? "next to" : "beside" }
        let dx = second.x - first.x
        let dy = second.y - first.y
        if abs(dx) >= abs(dy) { return dx > 0 ? "to the left of" : "to the right of" }
        return dy > 0 ? "above" : "below"
    }

    /// A background phrase half the time (never for sketches, whose background is paper).
    static func backgroundPhrase(of scene: Scene, _ random: inout RandomGenerator) -> String? {
        guard scene.domain != .sketch, random.nextUniform() < 0.5 else { return nil }
        let phrases = scene.background.phrases
        return random.nextUniform() < 0.7 ? phrases[0] : SceneSampler.pick(phrases, &random)
    }
}
