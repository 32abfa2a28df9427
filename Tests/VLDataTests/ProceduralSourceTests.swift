// A procedural source plugs into the catalog by scheme, as `world:NAME` will.

import Foundation
import Testing
import VLData

/// A stand-in for a generated dataset: `count` items per class, rendered on demand.
private struct CountingSource: DatasetSource {
    var name: String
    var identifier: String { "world:" + name }

    func load(_ options: LoadOptions) throws -> DatasetSplits {
        let items = (0..<6).map { index in
            LabeledItem(path: "\(name)/\(index)", location: .generated(index: index), label: index % 2,
                        className: index % 2 == 0 ? "circle" : "square")
        }
        return DatasetSplits(dataset: identifier, classNames: ["circle", "square"], train: Array(items[..<4]),
                             validation: [], test: Array(items[4...]))
    }
}

@Test("procedural sources resolve by scheme and yield generated items")
func proceduralSource() throws {
    let catalog = DatasetCatalog(providers: ["world": { CountingSource(name: $0) }])
    let source = try catalog.source(named: "world:shapes", root: nil)
    let splits = try source.load(LoadOptions())
    #expect(source.identifier == "world:shapes")
    #expect(splits.train[3].location == .generated(index: 3) && splits.train[3].url == nil)
    #expect(catalog.validSpellings.contains("world:NAME"))
    let subset = try FewShotSampler.sample(splits, shots: 1, seed: 1)
    #expect(subset.train.count == 2)
}
