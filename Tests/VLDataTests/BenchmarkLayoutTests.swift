// Each CoOp layout read from a fake folder tree built on the fly: counts, labels, class names,
// renames and paths.

import Foundation
import Testing
@testable import VLData

@Suite("CoOp benchmark layouts")
struct BenchmarkLayoutTests {
    @Test("EuroSAT reads 2750/ and its split file, renaming classes as CoOp does")
    func euroSAT() throws {
        let root = try TemporaryDirectory()
        let train = [("AnnualCrop/AnnualCrop_1.jpg", 0, "AnnualCrop"), ("Forest/Forest_1.jpg", 1, "Forest"),
                     ("SeaLake/SeaLake_1.jpg", 2, "SeaLake"), ("SeaLake/SeaLake_2.jpg", 2, "Sea or Lake")]
        let val = [("Forest/Forest_2.jpg", 1, "Forest")]
        let test = [("AnnualCrop/AnnualCrop_3.jpg", 0, "Annual Crop Land"), ("SeaLake/SeaLake_3.jpg", 2, "SeaLake")]
        try root.images((train + val + test).map(\.0), under: "eurosat/2750")
        try root.splitFile("eurosat/split_zhou_EuroSAT.json", train: train, val: val, test: test)

        let splits = try DatasetName.euroSAT.source(root: root.url).load(LoadOptions())
        #expect(splits.dataset == "EuroSAT")
        #expect(splits.classNames == ["Annual Crop Land", "Forest", "Sea or Lake"])
        #expect((splits.train.count, splits.validation.count, splits.test.count) == (4, 1, 2))
        #expect(splits.train.map(\.label) == [0, 1, 2, 2])
        #expect(splits.test[1].className == "Sea or Lake")
        #expect(splits.train[0].path == "AnnualCrop/AnnualCrop_1.jpg")
        #expect(splits.train[0].url?.path == root.url.path + "/eurosat/2750/AnnualCrop/AnnualCrop_1.jpg")
        #expect(splits.skipped.isEmpty)
        #expect(splits.notes == ["EuroSAT: 3 classes, but CoOp's split has 10"])
    }

    @Test("Caltech101 renames airplanes, Faces, Leopards and Motorbikes")
    func caltech101() throws {
        let root = try TemporaryDirectory()
        let train = [("accordion/image_0001.jpg", 0, "accordion"), ("airplanes/image_0001.jpg", 1, "airplanes"),
                     ("Faces/image_0001.jpg", 2, "Faces"), ("Leopards/image_0001.jpg", 3, "Leopards"),
                     ("Motorbikes/image_0001.jpg", 4, "Motorbikes")]
        try root.images(train.map(\.0), under: "caltech-101/101_ObjectCategories")
        try root.splitFile("caltech-101/split_zhou_Caltech101.json", train: train, val: [], test: train)
        let splits = try Caltech101(root: root.url).load()
        #expect(splits.classNames == ["accordion", "airplane", "face", "leopard", "motorbike"])
        #expect(splits.test.map(\.className) == splits.classNames)
    }

    @Test("OxfordPets keeps lower-case breed names; prompts replace underscores")
    func oxfordPets() throws {
        let root = try TemporaryDirectory()
        let train = [("Abyssinian_1.jpg", 0, "abyssinian"), ("american_bulldog_10.jpg", 1, "american_bulldog"),
                     ("american_bulldog_11.jpg", 1, "american_bulldog")]
        let test = [("Abyssinian_2.jpg", 0, "abyssinian")]
        try root.images((train + test).map(\.0), under: "oxford_pets/images")
        try root.splitFile("oxford_pets/split_zhou_OxfordPets.json", train: train, val: [], test: test)
        let splits = try OxfordPets(root: root.url).load()
        #expect(splits.classNames == ["abyssinian", "american_bulldog"])
        #expect(splits.promptClassNames == ["abyssinian", "american bulldog"])
        #expect(splits.train.count == 3 && splits.test.count == 1 && splits.validation.isEmpty)
    }

    @Test("StanfordCars paths are relative to the dataset folder itself")
    func stanfordCars() throws {
        let root = try TemporaryDirectory()
        let train = [
            ("cars_train/00001.jpg", 0, "2012 Tesla Model S"), ("cars_train/00002.jpg", 1, "2008 Acura TL Type-S"),
        ]
        let test = [("cars_test/00001.jpg", 1, "2008 Acura TL Type-S")]
        try root.images((train + test).map(\.0), under: "stanford_cars")
        try root.splitFile("stanford_cars/split_zhou_StanfordCars.json", train: train, val: [], test: test)
        let splits = try StanfordCars(root: root.url).load()
        #expect(splits.test[0].url?.path == root.url.path + "/stanford_cars/cars_test/00001.jpg")
        #expect(splits.classNames == ["2012 Tesla Model S", "2008 Acura TL Type-S"])
    }

    @Test("SUN397 resolves letter/category paths under SUN397/")
    func sun397() throws {
        let root = try TemporaryDirectory()
        let train = [("a/abbey/sun_aaa.jpg", 0, "abbey"), ("a/apse/indoor/sun_bbb.jpg", 1, "indoor apse"),
                     ("b/bakery/shop/sun_ccc.jpg", 2, "shop bakery")]
        try root.images(train.map(\.0), under: "sun397/SUN397")
        try root.splitFile("sun397/split_zhou_SUN397.json", train: train, val: train, test: train)
        let splits = try SUN397(root: root.url).load()
        #expect(splits.classNames == ["abbey", "indoor apse", "shop bakery"])
        #expect(splits.validation.count == 3)
        #expect(splits.train[1].url?.path == root.url.path + "/sun397/SUN397/a/apse/indoor/sun_bbb.jpg")
    }

    @Test("the other split-file datasets find their image folders", arguments: [
        (DatasetName.oxfordFlowers, "jpg"), (.food101, "images"), (.describableTextures, "images"),
        (.ucf101, "UCF-101-midframes"),
    ])
    func otherSplitDatasets(name: DatasetName, imageFolder: String) throws {
        let root = try TemporaryDirectory()
        let train = [("c0/x.jpg", 0, "first"), ("c1/y.jpg", 1, "second")]
        try root.images(train.map(\.0), under: "\(name.directory)/\(imageFolder)")
        let splitFile = "split_zhou_\(name.rawValue).json"
        try root.splitFile("\(name.directory)/\(splitFile)", train: train, val: [], test: train)
        let splits = try name.source(root: root.url).load(LoadOptions())
        #expect(splits.classNames == ["first", "second"] && splits.test.count == 2)
        #expect(splits.dataset == name.rawValue)
    }

    @Test("ImageNet labels sorted wnid folders, names them from classnames.txt, tests on val")
    func imageNet() throws {
        let root = try TemporaryDirectory()
        try root.write("imagenet/classnames.txt", "n01440764 tench\nn01443537 goldfish\nn01484850 great white shark\n")
        try root.images(["n01484850/a.JPEG", "n01440764/b.JPEG", "n01440764/a.JPEG", "n01443537/c.JPEG"],
                        under: "imagenet/images/train")
        try root.images(["n01440764/v1.JPEG", "n01484850/v2.JPEG"], under: "imagenet/images/val")
        let splits = try ImageNet(root: root.url).load()
        #expect(splits.classNames == ["tench", "goldfish", "great white shark"])
        #expect(splits.train.map(\.path) == ["train/n01440764/a.JPEG", "train/n01440764/b.JPEG",
                                             "train/n01443537/c.JPEG", "train/n01484850/a.JPEG"])
        #expect(splits.train.map(\.label) == [0, 0, 1, 2])
        #expect(splits.test.map(\.label) == [0, 2])
        #expect(splits.validationIsTest && splits.validation == splits.test)
    }

    @Test("ImageNet-A keeps only its class folders (scored over those), ignoring README.txt")
    func imageNetA() throws {
        let root = try TemporaryDirectory()
        try root.write("imagenet-adversarial/classnames.txt",
                       "n01440764 tench\nn01443537 goldfish\nn01498041 stingray\nn01531178 goldfinch\n")
        try root.write("imagenet-adversarial/imagenet-a/README.txt", "readme")
        try root.images(["n01531178/0.jpg", "n01498041/1.jpg", "n01498041/2.jpg"],
                        under: "imagenet-adversarial/imagenet-a")
        let splits = try ImageNetA(root: root.url).load()
        #expect(splits.classNames == ["stingray", "goldfinch"])
        #expect(splits.isTestOnly && splits.train.isEmpty)
        #expect(splits.test.map(\.label) == [0, 0, 1])
        #expect(splits.notes == ["ImageNetA: 2 class folders in \(root.url.path)/imagenet-adversarial/imagenet-a, "
            + "but the published dataset has 200"])
    }

    @Test("ImageNet-R and -Sketch read their own folders")
    func imageNetRAndSketch() throws {
        let root = try TemporaryDirectory()
        let names = "n01443537 goldfish\nn01440764 tench\n"
        try root.write("imagenet-rendition/classnames.txt", names)
        try root.images(["n01443537/r.jpg"], under: "imagenet-rendition/imagenet-r")
        try root.write("imagenet-sketch/classnames.txt", names)
        try root.images(["n01443537/s.JPEG", "n01440764/t.JPEG"], under: "imagenet-sketch/images")
        #expect(try ImageNetR(root: root.url).load().classNames == ["goldfish"])
        let sketch = try ImageNetSketch(root: root.url).load()
        #expect(sketch.classNames == ["tench", "goldfish"])
        #expect(sketch.test.map(\.path) == ["n01440764/t.JPEG", "n01443537/s.JPEG"])
    }

    @Test("ImageNetV2 labels folders by number, not by string order")
    func imageNetV2() throws {
        let root = try TemporaryDirectory()
        let names = (0..<12).map { "n\(1000 + $0) class \($0)" }.joined(separator: "\n")
        try root.write("imagenetv2/classnames.txt", names)
        try root.images((0..<12).map { "\($0)/img.jpeg" }, under: "imagenetv2/imagenetv2-matched-frequency-format-val")
        let splits = try ImageNetV2(root: root.url).load()
        #expect(splits.test.map(\.label) == Array(0..<12))
        let ten = try #require(splits.test.first { $0.path == "10/img.jpeg" })
        #expect(ten.label == 10 && ten.className == "class 10")
    }

    @Test("FGVCAircraft reads variants.txt and the official lists")
    func fgvcAircraft() throws {
        let root = try TemporaryDirectory()
        try root.write("fgvc_aircraft/variants.txt", "707-320\nA300B4\nDC-10\n")
        try root.write("fgvc_aircraft/images_variant_train.txt", "1025794 707-320\n1340192 DC-10\n0056978 A300B4\n")
        try root.write("fgvc_aircraft/images_variant_val.txt", "0062765 DC-10\n")
        try root.write("fgvc_aircraft/images_variant_test.txt", "1514522 A300B4\n")
        try root.images(["1025794.jpg", "1340192.jpg", "0056978.jpg", "0062765.jpg", "1514522.jpg"],
                        under: "fgvc_aircraft/images")
        let splits = try FGVCAircraft(root: root.url).load()
        #expect(splits.classNames == ["707-320", "A300B4", "DC-10"])
        #expect(splits.train.map(\.label) == [0, 2, 1])
        #expect(splits.train.map(\.path) == ["1025794.jpg", "1340192.jpg", "0056978.jpg"])
        #expect(splits.validation.map(\.label) == [2] && splits.test.map(\.className) == ["A300B4"])
    }
}
