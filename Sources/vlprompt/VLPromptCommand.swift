// The `vlprompt` command line: one subcommand per workflow.

import ArgumentParser
import VLKernels

@main
struct VLPromptCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vlprompt",
        abstract: "Prompt learning and adapters for CLIP-style vision-language models.",
        subcommands: [Bench.self, WorldCommand.self, Tokenize.self, ReportCommand.self, TrainCommand.self, EvalCommand.self, PredictCommand.self, InterpretCommand.self, MethodsCommand.self, Pretrain.self, Embed.self, Classify.self, ZeroShotCommand.self, LinearProbeCommand.self, DemoCommand.self])

    /// Checks the CPU before any numeric code runs, then parses and runs the subcommand.
    static func main() {
        CPUFeatures.requireSupported()
        main(nil)
    }
}
