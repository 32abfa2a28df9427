// `vlprompt methods`: the methods this build knows, with their papers, default options and
// official training recipes.

import ArgumentParser
import Foundation
import VLMethods

struct MethodsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "methods", abstract: "List the adaptation methods with their default options.")

    @Flag(help: "Print JSON.") var json = false

    struct Entry: Encodable {
        var name: String
        var paper: String
        var options: MethodConfiguration
        var recipe16Shots: TrainingRecipe

        enum CodingKeys: String, CodingKey {
            case name, paper, options
            case recipe16Shots = "recipe_16_shots"
        }
    }

    func run() throws { print(try execute(), terminator: "") }

    /// The listing, as text or one JSON line.
    func execute() throws -> String {
        let entries = MethodKind.allCases.map { kind in
            Entry(
                name: kind.rawValue, paper: kind.paper, options: MethodConfiguration(kind: kind),
                recipe16Shots: kind.officialRecipe(shots: 16, dataset: ""))
        }
        if json { return try jsonLine(entries) + "\n" }
        return try entries.map { entry in
            let options = String(decoding: try entry.options.optionsJSON(), as: UTF8.self)
            return "\(entry.name): \(entry.paper)\n  options \(options)\n"
                + "  16 shots: \(entry.recipe16Shots.epochs) epochs, batch \(entry.recipe16Shots.batchSize)\n"
        }.joined()
    }
}
