// CLIP's evaluation transform against open_clip.image_transform(224, is_train=False) and
// transformers' CLIPImageProcessorPil, on fixture images chosen so the crop roundings differ.

import Foundation
import Testing
@testable import VLImage
import VLTensor
import VLTestSupport

extension Tolerance {
    /// The same Float32 operations in the same order as the reference: bit-identical.
    static let identical = Tolerance(absolute: 0, relative: 0)
}

@Suite("CLIP preprocessing")
struct CLIPPreprocessingTests {
    static let fixture = try! Fixture("images/clip")
    static let cropFiles = ["crop_odd1_41x40.png", "crop_odd3_42x40.png", "crop_portrait_41x67.png"]

    @Test("the full open_clip output is reproduced bit for bit")
    func fullOutput() throws {
        let expected = try Fixture("images/clip_full")["openclip_rgb_420"]
        let actual = try CLIPPreprocessing()(contentsOf: ImageFixtures.url("rgb_420.jpg"))
        expectClose(actual, expected, .identical, "open_clip preprocess of rgb_420.jpg")
    }

    @Test("resize + center crop equals open_clip's", arguments: cropFiles)
    func openCLIPCrop(file: String) throws {
        let image = try RGBImage(contentsOf: ImageFixtures.url(file))
        let key = "crop_openclip_" + file.replacingOccurrences(of: ".png", with: "")
        expectSamePixels(CLIPPreprocessing().resizedAndCropped(image), Self.fixture.image(key), file)
    }

    @Test("resize + center crop equals transformers' (floor offsets)", arguments: cropFiles)
    func huggingFaceCrop(file: String) throws {
        let image = try RGBImage(contentsOf: ImageFixtures.url(file))
        let stem = file.replacingOccurrences(of: ".png", with: "")
        // The generator stores HF's crop only where it differs from open_clip's.
        let key = Self.fixture.has("crop_huggingface_" + stem) ? "crop_huggingface_" + stem : "crop_openclip_" + stem
        expectSamePixels(CLIPPreprocessing(reference: .huggingFace).resizedAndCropped(image), Self.fixture.image(key), file)
    }

    @Test("the two references crop differently when the offset is an odd half")
    func referencesDiffer() throws {
        let image = try RGBImage(contentsOf: ImageFixtures.url("crop_odd3_42x40.png"))
        #expect(CLIPPreprocessing().resizedAndCropped(image)
            != CLIPPreprocessing(reference: .huggingFace).resizedAndCropped(image))
    }

    @Test("normalization tables equal torchvision's and transformers' arithmetic")
    func normalization() {
        let openCLIP = Tensor(PixelNormalization.openCLIP.lookupTable(), shape: [3, 256])
        let huggingFace = Tensor(PixelNormalization.huggingFace.lookupTable(), shape: [3, 256])
        expectClose(openCLIP, Self.fixture["normalize_openclip"], .identical, "ToTensor + Normalize")
        expectClose(huggingFace, Self.fixture["normalize_huggingface"], .identical, "rescale + normalize")
    }

    @Test("crop offsets follow each reference's rounding")
    func cropOffsets() {
        // torchvision: int(round((extent - crop) / 2)) with half to even; pad (crop - extent) // 2.
        // transformers: (extent - crop) // 2 with Python's floor division, padding included.
        let cases: [(extent: Int, halfToEven: Int, floor: Int)] = [
            (224, 0, 0), (225, 0, 0), (226, 1, 1), (227, 2, 1), (229, 2, 2), (231, 4, 3),
            (221, -1, -2), (220, -2, -2),
        ]
        for (extent, halfToEven, floor) in cases {
            #expect(CenterCropRounding.halfToEven.offset(extent: extent, crop: 224) == halfToEven, "extent \(extent)")
            #expect(CenterCropRounding.floor.offset(extent: extent, crop: 224) == floor, "extent \(extent)")
        }
    }

    @Test("the long side is truncated, not rounded")
    func resizedSize() {
        // 224 · 53 / 37 = 320.86… → 320; 224 · 99 / 70 = 316.8 → 316.
        #expect(CLIPPreprocessing.resizedSize(width: 37, height: 53, shortSide: 224) == (224, 320))
        #expect(CLIPPreprocessing.resizedSize(width: 99, height: 70, shortSide: 224) == (316, 224))
        #expect(CLIPPreprocessing.resizedSize(width: 50, height: 50, shortSide: 224) == (224, 224))
    }

    @Test("a batch stacks the single-image outputs")
    func batch() throws {
        let images = try ["rgb_420.jpg", "crop_portrait_41x67.png"].map { try RGBImage(contentsOf: ImageFixtures.url($0)) }
        let preprocessing = CLIPPreprocessing(size: 32)
        let batch = preprocessing.batch(images)
        #expect(batch.shape == [2, 3, 32, 32])
        expectClose(batch, stackImages(images.map { preprocessing($0) }), .identical)
        #expect(Array(batch.scalars[3072..<6144]) == preprocessing(images[1]).array)
    }
}
