// `vlprompt zeroshot` and `vlprompt linear-probe` end to end on a small random CLIP and an image
// folder the test writes: the JSON summary's keys, one predictions line per image with the path
// as the split gives it, the 80-template ensemble against a direct computation, unreadable
// images reported by name or skipped and counted, the feature cache, and zero-shot and
// linear-probe run folders that `report` aggregates side by side.

import Foundation
import Synchronization
import Testing
import VLCLIP
import VLData
import VLEvaluation
import VLImage
import VLMethods
import VLTensor
import VLTestSupport
import VLText
import VLWorld

@testable import vlprompt

@Suite("vlprompt zeroshot and linear-probe", .serialized)
struct DatasetCommandsTests {
    static let classes = ["cat", "dog", "sea_lion"]

    /// A random CLIP file and `folder/{train,val,test}/<class>/<k>.png`.
    static func workspace(corruptTest: Bool = false, corruptTrain: Bool = false) throws -> (directory: URL, model: String, data: String) {
        let directory = try PromptCommandsTests.workspace()
        let data = directory.appendingPathComponent("pets")
        for (split, perClass) in [("train", 3), ("val", 2), ("test", 3)] {
            for (label, name) in classes.enumerated() {
                let folder = data.appendingPathComponent("\(split)/\(name)")
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                for k in 0..<perClass {
                    let (width, height) = (36 + k, 33 + label)
                    let pixels = (0..<(width * height * 3)).map {
                        UInt8(truncatingIfNeeded: ($0 % 3 == label ? 180 : 40) + ($0 &* 7 &+ k &* 13) % 50)
                    }
                    try PNGWriter.write(
                        pixels: pixels, width: width, height: height, to: folder.appendingPathComponent("\(k).png").path)
                }
            }
        }
        if corruptTest {
            try Data([0x89, 0x50, 0x4E, 0x47, 0, 1, 2]).write(to: data.appendingPathComponent("test/dog/1.png"))
        }
        if corruptTrain {
            try Data("not an image".utf8).write(to: data.appendingPathComponent("train/cat/2.png"))
        }
        return (directory, directory.appendingPathComponent("model.safetensors").path, data.path)
    }

    /// Runs `zeroshot` with `arguments`, returning standard output and error lines.
    static func zeroshot(_ arguments: [String]) throws -> (output: [String], errors: [String]) {
        let output = Mutex<[String]>([]), errors = Mutex<[String]>([])
        let console = Console(
            output: { line in output.withLock { $0.append(line) } },
            errors: { line in errors.withLock { $0.append(line) } })
        try ZeroShotCommand.parse(arguments).execute(console: console)
        return (output.withLock { $0 }, errors.withLock { $0 })
    }

    static func lines(_ path: String) throws -> [[String: Any]] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map {
            try PromptCommandsTests.object(String($0))
        }
    }

    @Test("zeroshot prints the metrics and writes one line per image, path as the split gives it")
    func zeroshotJSON() throws {
        let (directory, model, data) = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        let predictions = directory.appendingPathComponent("predictions.jsonl").path
        let (output, _) = try Self.zeroshot([
            "--model", model, "--dataset", "folder:" + data, "--json", "--predictions-out", predictions, "--no-cache",
        ])
        #expect(output.count == 1)
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(output[0].utf8)) as? [String: Any])
        #expect(Set(summary.keys) == ["accuracy", "top5", "count", "mean_per_class_accuracy", "macro_f1", "skipped"])
        #expect(summary["count"] as? Int == 9 && summary["skipped"] as? Int == 0)
        #expect(summary["top5"] is NSNull, "3 classes: no top-5")

        let expected = try ImageFolderDataset(directory: URL(fileURLWithPath: data)).load().items(.test)
        let written = try Self.lines(predictions)
        #expect(written.map { $0["path"] as? String } == expected.map(\.path))
        #expect(written.map { $0["label"] as? Int } == expected.map(\.label))
        var correct = 0
        for line in written {
            let logits = try #require(line["logits"] as? [Double])
            #expect(logits.count == 3)
            let prediction = try #require(line["prediction"] as? Int)
            #expect(logits[prediction] == logits.max())
            if prediction == line["label"] as? Int { correct += 1 }
        }
        let accuracy = try #require(summary["accuracy"] as? Double)
        #expect(abs(accuracy - 100 * Double(correct) / 9) < 1e-9)
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(!files.contains { $0.hasSuffix(".tmp") }, "the predictions file is renamed into place")
    }

    @Test("--ensemble is the renormalized mean of the 80 templates' normalized text features")
    func ensemble() throws {
        let (directory, model, data) = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        let predictions = directory.appendingPathComponent("ensemble.jsonl").path
        _ = try Self.zeroshot([
            "--model", model, "--dataset", "folder:" + data, "--ensemble", "--json", "--predictions-out", predictions,
            "--no-cache",
        ])
        let clip = try CLIP.load(from: URL(fileURLWithPath: model))
        let tokenizer = try BPETokenizer()
        var sum = Tensor.zeros([3, clip.configuration.embeddingWidth])
        let names = Self.classes.map { $0.replacingOccurrences(of: "_", with: " ") }
        for template in ImageNetTemplates.all {
            let ids = try tokenizer.tokenize(
                names.map { template.replacingOccurrences(of: "{}", with: $0) }, contextLength: 77)
            sum = sum + clip.encodeText(ids).normalized(alongAxis: -1)
        }
        let classifier = (sum / 80).normalized(alongAxis: -1)
        let written = try Self.lines(predictions)
        let paths = written.map { data + "/" + ($0["path"] as! String) }
        let pixels = stackImages(try paths.map { try CLIPPreprocessing(size: 32)(contentsOf: URL(fileURLWithPath: $0)) })
        let image = clip.encodeImage(pixels).normalized(alongAxis: -1)
        let direct = image.matmul(classifier, transposeOther: true) * clip.logitScale.exp()
        let fromFile = Tensor(written.flatMap { ($0["logits"] as! [Double]).map(Float.init) }, shape: [9, 3])
        expectClose(fromFile, direct, .exactShortcut, "ensemble logits")
        #expect(ImageNetTemplates.all.count == 80 && Set(ImageNetTemplates.all).count == 80)
        #expect(ImageNetTemplates.select.count == 7 && ImageNetTemplates.select.allSatisfy(ImageNetTemplates.all.contains))
    }

    @Test("an unreadable image is an error naming it, or with --skip-bad-images one counted warning")
    func badImages() throws {
        let (directory, model, data) = try Self.workspace(corruptTest: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let arguments = ["--model", model, "--dataset", "folder:" + data, "--json", "--no-cache"]
        do {
            _ = try Self.zeroshot(arguments)
            Issue.record("a corrupt image was accepted")
        } catch {
            #expect("\(error)".contains("test/dog/1.png"))
        }
        let (output, errors) = try Self.zeroshot(arguments + ["--skip-bad-images"])
        let summary = try PromptCommandsTests.object(output[0])
        #expect(summary["skipped"] as? Int == 1 && summary["count"] as? Int == 8)
        #expect(errors.count == 1 && errors[0].contains("skipped 1 unreadable image") && errors[0].contains("dog/1.png"))
    }

    @Test("the feature cache gives the same result and is filled once per image")
    func cache() throws {
        let (directory, model, data) = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        let cache = directory.appendingPathComponent("cache").path
        let arguments = ["--model", model, "--dataset", "folder:" + data, "--json", "--cache", cache]
        let cold = try Self.zeroshot(arguments).output
        let entries = FileManager.default.enumerator(atPath: cache)!.allObjects.compactMap { $0 as? String }
            .filter { $0.hasSuffix(".features") }
        #expect(entries.count == 9)
        #expect(try Self.zeroshot(arguments).output == cold)
        #expect(try Self.zeroshot(["--model", model, "--dataset", "folder:" + data, "--json", "--no-cache"]).output == cold)
    }

    @Test("zeroshot --out writes a run folder that report tabulates beside a linear probe")
    func zeroshotRunFolder() throws {
        let (directory, model, data) = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        let runs = directory.appendingPathComponent("runs")
        let out = runs.appendingPathComponent("zeroshot").path
        let (output, _) = try Self.zeroshot([
            "--model", model, "--dataset", "folder:" + data, "--json", "--no-cache", "--out", out,
        ])
        let summary = try PromptCommandsTests.object(output[0])
        let record = try RunDirectory(URL(fileURLWithPath: out)).read()
        #expect(record.method == "zeroshot" && record.shots == nil && record.finishedAt != nil)
        #expect(record.evaluations["test"]?.top1 == summary["accuracy"] as? Double)
        #expect(record.evaluations["test"]?.count == 9)
        guard case .object(let options) = record.options, case .array(let templates)? = options["templates"] else {
            Issue.record("run.json options lack the templates: \(record.options)")
            return
        }
        #expect(templates.count == 1)
        let metrics = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/metrics.json")))
        #expect((metrics as? [String: Any])?["test"] != nil)
        let csv = try String(contentsOfFile: out + "/predictions.csv", encoding: .utf8).split(separator: "\n")
        let expected = try ImageFolderDataset(directory: URL(fileURLWithPath: data)).load().items(.test)
        #expect(csv.count == 10 && csv.dropFirst().map { String($0.split(separator: ",")[1]) } == expected.map(\.path))

        _ = try LinearProbeCommand.parse([
            "--model", model, "--dataset", "folder:" + data, "--shots", "2", "--out", runs.appendingPathComponent("lp").path,
            "--json", "--no-cache",
        ]).execute()
        let report = try Report(runs: try LoadedRun.load(from: [runs]), metric: .top1)
        let table = try #require(report.fewShot.first)
        #expect(table.shots == [0, 2], "zero-shot is the no-shots column")
        #expect(Set(table.rows.map(\.method)) == ["zeroshot", "linear-probe"])
        let zeroShotRow = try #require(table.rows.first { $0.method == "zeroshot" })
        #expect(zeroShotRow.cells[0]?.mean == summary["accuracy"] as? Double && zeroShotRow.cells[1] == nil)
        #expect(report.markdown().contains("zeroshot"))
        #expect(throws: (any Error).self) {
            _ = try ZeroShotCommand.parse(["--dataset", "folder:" + data, "--split", "val", "--out", out])
        }
    }

    @Test("train with a corrupt few-shot image and a corrupt test image: named error, or skipped and counted")
    func trainBadImages() throws {
        let (directory, model, data) = try Self.workspace(corruptTest: true, corruptTrain: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = directory.appendingPathComponent("run").path
        let arguments = [
            "--model", model, "--dataset", "folder:" + data, "--shots", "3", "--epochs", "1", "--out", out,
            "--options", directory.appendingPathComponent("options.json").path, "--json", "--no-cache",
        ]
        do {
            _ = try TrainCommand.parse(arguments).execute()
            Issue.record("a corrupt training image was accepted")
        } catch {
            #expect("\(error)".contains("train/cat/2.png"))
        }
        try FileManager.default.removeItem(atPath: out)
        let result = try PromptCommandsTests.object(try TrainCommand.parse(arguments + ["--skip-bad-images"]).execute())
        #expect((0...100).contains(try #require(result["accuracy"] as? Double)))
        let record = try RunDirectory(URL(fileURLWithPath: out)).read()
        #expect(record.evaluations["test"]?.count == 8, "the corrupt test image is left out")
        let subset = try FewShotSubset(contentsOf: URL(fileURLWithPath: out + "/subset.json"))
        #expect(subset.train.map(\.path).contains("train/cat/2.png"), "the corrupt image is in the few-shot subset")
    }

    @Test("linear-probe runs end to end and writes a run folder report reads")
    func linearProbe() throws {
        let (directory, model, data) = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = directory.appendingPathComponent("runs/lp").path
        let line = try LinearProbeCommand.parse([
            "--model", model, "--dataset", "folder:" + data, "--shots", "2", "--seed", "1", "--out", out, "--json",
            "--no-cache",
        ]).execute()
        let result = try PromptCommandsTests.object(line)
        #expect(result["method"] as? String == "linear-probe" && result["shots"] as? Int == 2)
        let accuracy = try #require(result["accuracy"] as? Double)
        #expect((0...100).contains(accuracy))
        let record = try RunDirectory(URL(fileURLWithPath: out)).read()
        #expect(record.method == "linear-probe" && record.evaluations["test"]?.count == 9)
        #expect(record.evaluations["test"]?.top1 == accuracy)
        let subset = try FewShotSubset(contentsOf: URL(fileURLWithPath: out + "/subset.json"))
        #expect(subset.train.count == 6 && subset.validation.count == 6)
        let csv = try String(contentsOfFile: out + "/predictions.csv", encoding: .utf8)
        #expect(csv.split(separator: "\n").count == 10)
        let report = try Report(runs: try LoadedRun.load(from: [directory.appendingPathComponent("runs")]), metric: .top1)
        #expect(report.markdown().contains("linear-probe"))
    }
}
