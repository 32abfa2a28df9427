import Testing
import VLTensor
@testable import VLWorld

@Suite("class sets: names, base/novel halves, splits, and examples that satisfy their class")
struct ClassSetTests {
    static let world = World(seed: 11)

    @Test("class names are unique and class definitions distinct", arguments: WorldTask.allCases)
    func uniqueClasses(task: WorldTask) {
        let classes = task.classes
        #expect(Set(classes.map(\.name)).count == classes.count)
        #expect(Set(classes).count == classes.count)
    }

    @Test("the expected class sets", arguments: [
        (WorldTask.shapes, 36), (.patterns, 6), (.counts, 24), (.positions, 30),
    ])
    func classCounts(task: WorldTask, count: Int) {
        #expect(task.classes.count == count)
    }

    @Test("base and novel halves are disjoint, and each novel word also names a base class",
          arguments: WorldTask.allCases.filter(\.isCompositional))
    func novelClassesComposeBaseWords(task: WorldTask) {
        let dataset = ClassSetTests.world.dataset(datasetName(of: task))
        let base = Array(dataset.classes.prefix(dataset.baseClassCount))
        let novel = Array(dataset.classes.dropFirst(dataset.baseClassCount))
        #expect(base.count == (dataset.classes.count + 1) / 2)
        #expect(Set(base.map(\.name)).isDisjoint(with: novel.map(\.name)))
        let baseWords = Set(base.flatMap(\.words))
        for worldClass in novel {
            let unseen = worldClass.words.filter { !baseWords.contains($0) }
            #expect(unseen.isEmpty, "novel class '\(worldClass.name)' uses words \(unseen) no base class uses")
        }
        // Every attribute value of a novel class also occurs in a base class; the checkerboard
        // sets (all but counts, whose "one" row is all base) use every value in both halves.
        let attributes: [(WorldClass) -> String?] = [
            { $0.shape?.rawValue }, { $0.color?.rawValue }, { $0.count.map(String.init) },
            { $0.position?.rawValue },
        ]
        for attribute in attributes {
            let baseValues = Set(base.compactMap(attribute))
            let novelValues = Set(novel.compactMap(attribute))
            #expect(novelValues.isSubset(of: baseValues))
            if task != .counts { #expect(novelValues == baseValues) }
        }
    }

    @Test("the patterns set splits its six textures three and three")
    func patternHalves() {
        let dataset = ClassSetTests.world.dataset(.patterns)
        #expect(dataset.baseClassCount == 3)
        #expect(Set(dataset.classes.compactMap(\.pattern)) == Set(Pattern.allCases))
    }

    @Test("domain variants keep the class names and labels of world:shapes")
    func variantsShareClasses() {
        let shapes = ClassSetTests.world.dataset(.shapes)
        for name in [WorldDatasetName.shapesSketch, .shapesNoise, .shapesPalette] {
            let variant = ClassSetTests.world.dataset(name)
            #expect(variant.classNames == shapes.classNames)
            let scene = variant.scene(split: .test, index: 9)
            var plain = shapes.scene(split: .test, index: 9)
            #expect(scene.domain == name.domain)
            plain.domain = name.domain
            #expect(scene == plain, "\(name) draws the same scene as world:shapes, restyled")
        }
    }

    @Test("every example satisfies its own class and no other", arguments: WorldDatasetName.allCases)
    func examplesSatisfyExactlyTheirClass(name: WorldDatasetName) {
        let dataset = ClassSetTests.world.dataset(name, splitSizes: SplitSizes(train: 24, validation: 4, test: 8))
        for split in WorldSplit.allCases {
            for index in 0..<dataset.count(split: split) {
                let scene = dataset.scene(split: split, index: index)
                let label = dataset.label(split: split, index: index)
                let satisfied = dataset.classes.indices.filter { dataset.classes[$0].isSatisfied(by: scene) }
                #expect(satisfied == [label], "\(name) \(split) \(index): label \(label), satisfies \(satisfied)")
                #expect(scene.domain == name.domain)
                #expect(!scene.objects.contains { scene.background.hides($0.color) })
            }
        }
    }

    @Test("nuisance attributes vary within a class")
    func nuisanceVaries() {
        let dataset = ClassSetTests.world.dataset(.shapes)
        let scenes = (0..<64).map { dataset.scene(split: .train, index: $0 * dataset.classes.count) }
        #expect(Set(scenes.map(\.count)).count >= 3)
        #expect(Set(scenes.map(\.background)).count >= 5)
        #expect(Set(scenes.compactMap { $0.objects.first?.pattern }).count >= 5)
        #expect(Set(scenes.compactMap { $0.objects.first?.size }).count == 2)
        #expect(Set(scenes.compactMap(\.position)).count == Position.allCases.count)
    }

    @Test("splits are class-balanced and use distinct scene seeds")
    func splitsAreDisjoint() {
        let world = ClassSetTests.world
        let dataset = world.dataset(.positions)
        var seeds = Set<UInt64>()
        var total = 0
        for split in WorldSplit.allCases {
            let count = dataset.count(split: split)
            #expect(count == dataset.classes.count * dataset.splitSizes.perClass(split))
            var perClass = [Int](repeating: 0, count: dataset.classes.count)
            for index in 0..<count {
                perClass[dataset.label(split: split, index: index)] += 1
                seeds.insert(dataset.scene(split: split, index: index).textureSeed)
            }
            #expect(Set(perClass) == [dataset.splitSizes.perClass(split)])
            total += count
        }
        #expect(seeds.count == total, "some examples share a scene across or within splits")
    }

    @Test("split sizes are configurable")
    func customSplitSizes() {
        let dataset = ClassSetTests.world.dataset(.counts, splitSizes: SplitSizes(train: 2, validation: 1, test: 3))
        #expect(dataset.count(split: .train) == 48)
        #expect(dataset.count(split: .validation) == 24)
        #expect(dataset.count(split: .test) == 72)
        let standard = ClassSetTests.world.dataset(.shapes)
        #expect(standard.count(split: .train) == 36 * 64)
        #expect(standard.count(split: .validation) == 36 * 16)
        #expect(standard.count(split: .test) == 36 * 32)
    }

    @Test("dataset names parse only with the world: prefix")
    func nameParsing() throws {
        #expect(try WorldDatasetName(parsing: "world:shapes-sketch") == .shapesSketch)
        #expect(try World().dataset(named: "world:counts").name == "world:counts")
        #expect(throws: WorldError.self) { try WorldDatasetName(parsing: "shapes") }
        do {
            _ = try World().dataset(named: "world:colours")
            Issue.record("an unknown name was accepted")
        } catch let error as WorldError {
            #expect(error.description.contains("world:colours"))
            #expect(error.description.contains("world:shapes-palette"))
        }
        #expect(try WorldSplit(parsing: "val") == .validation)
        #expect(throws: WorldError.unknownSplit("validate")) { try WorldSplit(parsing: "validate") }
    }

    private func datasetName(of task: WorldTask) -> WorldDatasetName {
        WorldDatasetName.allCases.first { $0.task == task && $0.domain == .clean }!
    }
}
