// Reading CLIP preprocessing from Hugging Face preprocessor_config.json files.

import Foundation
import Testing
import VLImage

@Suite("preprocessor_config.json")
struct HuggingFaceConfigurationTests {
    private func preprocessing(_ json: String) throws -> Result<CLIPPreprocessing, PreprocessorConfigurationError> {
        let url = try temporaryDirectory().appendingPathComponent("preprocessor_config.json")
        try Data(json.utf8).write(to: url)
        do throws(PreprocessorConfigurationError) {
            return .success(try CLIPPreprocessing(huggingFaceConfigurationAt: url))
        } catch {
            #expect(error.file == url.path)
            return .failure(error)
        }
    }

    @Test("the published openai/clip-vit-base-patch32 file is transformers' CLIP preprocessing")
    func published() throws {
        let json = """
            {"crop_size": 224, "do_center_crop": true, "do_normalize": true, "do_resize": true,
             "feature_extractor_type": "CLIPFeatureExtractor",
             "image_mean": [0.48145466, 0.4578275, 0.40821073],
             "image_std": [0.26862954, 0.26130258, 0.27577711], "resample": 3, "size": 224}
            """
        #expect(try preprocessing(json).get() == CLIPPreprocessing(reference: .huggingFace))
    }

    @Test("the newer dictionary style reads the same")
    func dictionaries() throws {
        let json = """
            {"size": {"shortest_edge": 224}, "crop_size": {"height": 224, "width": 224},
             "do_convert_rgb": true, "do_rescale": true, "rescale_factor": 0.00392156862745098,
             "image_processor_type": "CLIPImageProcessor"}
            """
        #expect(try preprocessing(json).get() == CLIPPreprocessing(reference: .huggingFace))
    }

    @Test("sizes, filter and statistics are taken from the file")
    func custom() throws {
        let json = """
            {"size": 256, "crop_size": 240, "resample": 2, "image_mean": [0.5, 0.5, 0.5],
             "image_std": [0.25, 0.25, 0.25], "do_convert_rgb": false}
            """
        let result = try preprocessing(json).get()
        #expect(result.shortSide == 256 && result.cropSize == 240 && result.filter == .bilinear)
        #expect(result.normalization.mean == [0.5, 0.5, 0.5] && result.alpha == .discard)
        let image = RGBImage(width: 300, height: 260, red: 255, green: 0, blue: 128)
        let tensor = result(image)
        #expect(tensor.shape == [3, 240, 240])
        #expect(tensor.scalars[0] == 2 && tensor.scalars[240 * 240] == -2)  // (1 − 0.5) / 0.25, (0 − 0.5) / 0.25
    }

    @Test("unsupported settings name the key", arguments: [
        (#"{"resample": 1}"#, "resample"), (#"{"crop_size": {"height": 224, "width": 200}}"#, "crop_size"),
        (#"{"size": {"height": 224, "width": 224}}"#, "size"), (#"{"do_resize": false}"#, "do_resize"),
        (#"{"image_std": [0.2, 0.2]}"#, "image_std"),
    ])
    func unsupported(json: String, key: String) throws {
        guard case .failure(let error) = try preprocessing(json) else {
            Issue.record("\(json) should be refused")
            return
        }
        #expect(error.key == key)
        #expect(error.description.contains("preprocessor_config.json"))
    }

    @Test("malformed JSON names the file")
    func malformed() throws {
        guard case .failure(let error) = try preprocessing("{\"size\": ") else {
            Issue.record("malformed JSON should be refused")
            return
        }
        #expect(error.key.isEmpty && error.description.contains("unreadable"))
    }
}
