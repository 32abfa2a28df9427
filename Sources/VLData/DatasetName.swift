// The CoOp benchmark datasets by name: raw values as CoOp's registry spells them
// (`DATASET.NAME`), lowercase aliases as its `configs/datasets/*.yaml` files are named.

import Foundation

/// A CoOp benchmark dataset.
public enum DatasetName: String, Sendable, CaseIterable, Codable {
    case imageNet = "ImageNet"
    case caltech101 = "Caltech101"
    case oxfordPets = "OxfordPets"
    case stanfordCars = "StanfordCars"
    case oxfordFlowers = "OxfordFlowers"
    case food101 = "Food101"
    case fgvcAircraft = "FGVCAircraft"
    case sun397 = "SUN397"
    case describableTextures = "DescribableTextures"
    case euroSAT = "EuroSAT"
    case ucf101 = "UCF101"
    case imageNetV2 = "ImageNetV2"
    case imageNetSketch = "ImageNetSketch"
    case imageNetA = "ImageNetA"
    case imageNetR = "ImageNetR"

    /// The lowercase command-line spelling (CoOp's config file name), e.g. `oxford_pets`.
    public var alias: String {
        switch self {
        case .imageNet: "imagenet"
        case .caltech101: "caltech101"
        case .oxfordPets: "oxford_pets"
        case .stanfordCars: "stanford_cars"
        case .oxfordFlowers: "oxford_flowers"
        case .food101: "food101"
        case .fgvcAircraft: "fgvc_aircraft"
        case .sun397: "sun397"
        case .describableTextures: "dtd"
        case .euroSAT: "eurosat"
        case .ucf101: "ucf101"
        case .imageNetV2: "imagenet_v2"
        case .imageNetSketch: "imagenet_sketch"
        case .imageNetA: "imagenet_a"
        case .imageNetR: "imagenet_r"
        }
    }

    /// The folder under the data root, as CoOp's `dataset_dir`, e.g. `caltech-101`.
    public var directory: String {
        switch self {
        case .imageNet: ImageNet.directory
        case .caltech101: Caltech101.directory
        case .oxfordPets: OxfordPets.directory
        case .stanfordCars: StanfordCars.directory
        case .oxfordFlowers: OxfordFlowers.directory
        case .food101: Food101.directory
        case .fgvcAircraft: FGVCAircraft.directory
        case .sun397: SUN397.directory
        case .describableTextures: DescribableTextures.directory
        case .euroSAT: EuroSAT.directory
        case .ucf101: UCF101.directory
        case .imageNetV2: ImageNetV2.directory
        case .imageNetSketch: ImageNetSketch.directory
        case .imageNetA: ImageNetA.directory
        case .imageNetR: ImageNetR.directory
        }
    }

    /// The loader for this dataset under the data root `root` (which holds `<directory>/`).
    public func source(root: URL) -> any DatasetSource {
        switch self {
        case .imageNet: ImageNet(root: root)
        case .caltech101: Caltech101(root: root)
        case .oxfordPets: OxfordPets(root: root)
        case .stanfordCars: StanfordCars(root: root)
        case .oxfordFlowers: OxfordFlowers(root: root)
        case .food101: Food101(root: root)
        case .fgvcAircraft: FGVCAircraft(root: root)
        case .sun397: SUN397(root: root)
        case .describableTextures: DescribableTextures(root: root)
        case .euroSAT: EuroSAT(root: root)
        case .ucf101: UCF101(root: root)
        case .imageNetV2: ImageNetV2(root: root)
        case .imageNetSketch: ImageNetSketch(root: root)
        case .imageNetA: ImageNetA(root: root)
        case .imageNetR: ImageNetR(root: root)
        }
    }

    /// Whether the dataset has only a test split (the ImageNet domain-shift targets).
    public var isTestOnly: Bool {
        [.imageNetV2, .imageNetSketch, .imageNetA, .imageNetR].contains(self)
    }

    /// Parses a raw value (`EuroSAT`) or an alias (`eurosat`), exactly; anything else throws
    /// an error listing every valid spelling.
    public init(parsing text: String) throws {
        if let name = DatasetName(rawValue: text) ?? Self.allCases.first(where: { $0.alias == text }) {
            self = name
        } else {
            throw DataError.unknownDataset(text, valid: Self.validSpellings)
        }
    }

    /// Every accepted spelling: `EuroSAT (eurosat)`, ….
    public static var validSpellings: [String] {
        allCases.map { "\($0.rawValue) (\($0.alias))" }
    }
}
