// The procedural world's class-set datasets (`world:NAME`) as VLData sources and VLTraining
// image sources: items are generated, their pixels rendered on demand.

import VLData
import VLImage
import VLTraining
import VLWorld

/// `world:NAME` as a dataset: train, validation and test items of the world's default seed.
struct WorldDatasetSource: DatasetSource {
    let dataset: WorldDataset

    /// The dataset named `name` (the part after `world:`).
    init(name: String, world: World = World()) throws {
        dataset = try world.dataset(named: WorldDatasetName.prefix + name)
    }

    var identifier: String { dataset.name }

    func load(_ options: LoadOptions) throws -> DatasetSplits {
        func items(_ split: WorldSplit) -> [LabeledItem] {
            (0..<dataset.count(split: split)).map { index in
                let label = dataset.label(split: split, index: index)
                return LabeledItem(
                    path: "\(split.rawValue)/\(index)", location: .generated(index: index), label: label,
                    className: dataset.classNames[label])
            }
        }
        return DatasetSplits(
            dataset: identifier, classNames: dataset.classNames, train: items(.train),
            validation: items(.validation), test: items(.test))
    }
}

/// Renders world items, whose paths are `SPLIT/INDEX`.
struct WorldImages: ImageSource {
    let dataset: WorldDataset

    func image(for item: LabeledItem) throws -> RGBImage {
        let parts = item.path.split(separator: "/")
        guard parts.count == 2, let split = WorldSplit(rawValue: String(parts[0])), let index = Int(parts[1]),
            (0..<dataset.count(split: split)).contains(index)
        else {
            throw TrainingError.noImageFile(item: item.path)
        }
        let size = dataset.size
        return RGBImage(width: size, height: size, pixels: dataset.example(split: split, index: index).pixels)
    }
}
