// Training augmentation: torchvision RandomResizedCrop's sampling rules and fallback, the flip,
// and reproducibility from a seed.

import Foundation
import Testing
@testable import VLImage
import VLTensor
import VLTestSupport

@Suite("training augmentation")
struct AugmentationTests {
    static let image = try! RGBImage(contentsOf: ImageFixtures.url("rgb_420.jpg"))

    @Test("the same seed gives the same crops; another seed other crops")
    func reproducible() {
        let crop = RandomResizedCrop(size: 224)
        func regions(seed: UInt64) -> [CropRegion] {
            var generator = RandomGenerator(seed: seed)
            return (0..<20).map { _ in crop.region(width: 500, height: 375, using: &generator) }
        }
        #expect(regions(seed: 1) == regions(seed: 1))
        #expect(regions(seed: 1) != regions(seed: 2))
    }

    @Test("sampled crops lie inside the image with area and aspect ratio in range")
    func ranges() {
        let crop = RandomResizedCrop(size: 224)
        var generator = RandomGenerator(seed: 9)
        let (width, height) = (500, 375)
        for _ in 0..<500 {
            let region = crop.region(width: width, height: height, using: &generator)
            #expect(region.left >= 0 && region.top >= 0)
            #expect(region.left + region.width <= width && region.top + region.height <= height)
            // Rounding each side to whole pixels moves area and ratio by at most ~1 pixel.
            let area = Double(region.width * region.height) / Double(width * height)
            #expect(area > 0.08 * 0.95 && area <= 1)
            let ratio = Double(region.width) / Double(region.height)
            #expect(ratio > 0.75 * 0.95 && ratio < 4.0 / 3 * 1.05)
        }
    }

    @Test("when no attempt fits, the largest centered crop within the ratio range is used")
    func fallback() {
        var generator = RandomGenerator(seed: 4)
        // A 1000 × 10 strip: every sampled crop is taller than 10 pixels.
        let wide = RandomResizedCrop(size: 8).region(width: 1000, height: 10, using: &generator)
        #expect(wide == CropRegion(left: 493, top: 0, width: 13, height: 10))  // 10 · 4/3 = 13.3 → 13
        let tall = RandomResizedCrop(size: 8).region(width: 9, height: 900, using: &generator)
        #expect(tall == CropRegion(left: 0, top: 444, width: 9, height: 12))  // 9 / (3/4) = 12
    }

    @Test("a random resized crop is the crop resized with Pillow's bicubic")
    func cropThenResize() {
        let crop = RandomResizedCrop(size: 40)
        var first = RandomGenerator(seed: 12), second = RandomGenerator(seed: 12)
        let output = crop(Self.image, using: &first)
        let region = crop.region(width: Self.image.width, height: Self.image.height, using: &second)
        #expect(output == Self.image.cropped(to: region).resized(width: 40, height: 40))
    }

    @Test("the flip mirrors the crop, drawn after it")
    func flip() {
        var flipping = RandomGenerator(seed: 5), keeping = RandomGenerator(seed: 5)
        let flipped = TrainingAugmentation(size: 32, flipProbability: 1).augmented(Self.image, using: &flipping)
        let kept = TrainingAugmentation(size: 32, flipProbability: 0).augmented(Self.image, using: &keeping)
        #expect(flipped == kept.flippedHorizontally())
        #expect(kept.flippedHorizontally().flippedHorizontally() == kept)
        #expect(kept[0, 3, 1] == kept.flippedHorizontally()[31, 3, 1])
    }

    @Test("about half of the images are flipped")
    func flipRate() {
        // Left half black, right half white; a full-image crop, so only the flip changes it.
        let image = RGBImage(width: 4, height: 4, pixels: (0..<48).map { ($0 / 3) % 4 < 2 ? 0 : 255 })
        var augmentation = TrainingAugmentation(size: 4)
        augmentation.crop = RandomResizedCrop(size: 4, scale: 1...1, aspectRatio: 1...1)
        var generator = RandomGenerator(seed: 8)
        var flips = 0
        for _ in 0..<2000 {
            let output = augmentation.augmented(image, using: &generator)
            #expect(output == image || output == image.flippedHorizontally())
            if output != image { flips += 1 }
        }
        #expect(abs(flips - 1000) < 100)  // 4.5 standard deviations
    }

    @Test("batches have the model's input shape and match single-image augmentation")
    func batch() {
        let augmentation = TrainingAugmentation(size: 24)
        var batchGenerator = RandomGenerator(seed: 3), singleGenerator = RandomGenerator(seed: 3)
        let batch = augmentation.batch([Self.image, Self.image, Self.image], using: &batchGenerator)
        #expect(batch.shape == [3, 3, 24, 24])
        let singles = (0..<3).map { _ in augmentation(Self.image, using: &singleGenerator) }
        expectClose(batch, stackImages(singles), .identical)
    }

    @Test("crops outside the image are zero-filled like PIL's crop")
    func outsideCrop() {
        let image = RGBImage(width: 2, height: 2, pixels: Array(1...12))
        let crop = image.cropped(to: CropRegion(left: -1, top: 1, width: 3, height: 2))
        #expect(crop.pixels == [0, 0, 0, 7, 8, 9, 10, 11, 12] + [UInt8](repeating: 0, count: 9))
    }
}
