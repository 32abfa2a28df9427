// `vlprompt demo` end to end on the small random CLIP of PromptCommandsTests, one shot and one
// epoch: the JSON keys, the report folder, and the JSON numbers equal to the written table.

import Foundation
import Testing

@testable import vlprompt

@Suite("vlprompt demo", .serialized)
struct DemoCommandTests {
    @Test("demo writes runs, table.md, table.csv and plot.svg; its JSON equals the table")
    func demo() throws {
        let directory = try PromptCommandsTests.workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = directory.appendingPathComponent("demo")
        let arguments = [
            "--model", directory.appendingPathComponent("model.safetensors").path, "--shots", "1", "--epochs", "1",
            "--out", out.path, "--quiet", "--json",
        ]
        let result = try PromptCommandsTests.object(try DemoCommand.parse(arguments).execute())
        #expect(Set(result.keys) == ["chance", "zeroshot", "coop", "cocoop", "kgcoop"])
        #expect(result["chance"] as? Double == 5.56, "18 base classes")

        for name in ["table.md", "table.csv", "plot.svg"] + ["zeroshot", "coop", "cocoop", "kgcoop"].map({ $0 + "/run.json" }) {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(name).path), "\(name)")
        }
        let csv = try String(contentsOf: out.appendingPathComponent("table.csv"), encoding: .utf8)
        let lines = csv.split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
        #expect(lines.first == ["method", "base", "novel", "hm"])
        #expect(lines.map { $0[0] } == ["method", "zeroshot", "coop", "cocoop", "kgcoop", "chance"])
        for line in lines.dropFirst().dropLast() {
            let scores = try #require(result[line[0]] as? [String: Double], "\(line[0])")
            #expect(Set(scores.keys) == ["base", "novel", "hm"])
            #expect([scores["base"], scores["novel"], scores["hm"]].map { $0.map { String(format: "%.2f", $0) } }
                == line[1...].map { Optional($0) }, "\(line[0])")
            #expect(abs(scores["hm"]! - harmonic(scores["base"]!, scores["novel"]!)) < 0.011)
        }
        let markdown = try String(contentsOf: out.appendingPathComponent("table.md"), encoding: .utf8)
        let coop = try #require(result["coop"] as? [String: Double])
        #expect(markdown.contains(String(format: "| CoOp | %.2f | %.2f | %.2f |", coop["base"]!, coop["novel"]!, coop["hm"]!)))
        #expect(try String(contentsOf: out.appendingPathComponent("plot.svg"), encoding: .utf8).contains("KgCoOp"))
    }

    @Test("the method list is checked and kept in order; without --json the table is printed")
    func methodsAndTable() throws {
        #expect(throws: (any Error).self) { try DemoCommand.parse(["--methods", "coop,maple"]) }
        let directory = try PromptCommandsTests.workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        let printed = try DemoCommand.parse([
            "--model", directory.appendingPathComponent("model.safetensors").path, "--shots", "1", "--epochs", "1",
            "--methods", "coop,zeroshot", "--out", directory.appendingPathComponent("demo").path, "--quiet",
        ]).execute()
        let rows = printed.split(separator: "\n").filter { $0.hasPrefix("| ") && !$0.contains("---") }.map { $0.split(separator: "|")[0] }
        #expect(rows.map { $0.trimmingCharacters(in: .whitespaces) } == ["Method", "CoOp", "Zero-shot CLIP", "Chance"])
    }

    private func harmonic(_ a: Double, _ b: Double) -> Double { a + b == 0 ? 0 : 2 * a * b / (a + b) }
}
