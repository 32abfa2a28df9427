// The training-recipe overrides `train` accepts: epochs, learning rate and augmentation, each
// defaulting to the method's official value (TrainingRecipe.swift).

import ArgumentParser
import VLMethods

/// Changes to a method's official recipe.
struct RecipeOptions: ParsableArguments {
    /// The training transform, by name.
    enum Augmentation: String, CaseIterable, ExpressibleByArgument {
        /// Dassl's random resized crop (8–100% of the area) and flip.
        case dassl
        /// The test transform: the same pixels every epoch.
        case none
    }

    @Option(help: "Epochs (default: the method's official value for the shot count).") var epochs: Int?
    @Option(help: "Learning rate where the cosine decay starts (default: the method's official value).")
    var learningRate: Double?
    @Option(help: "Training transform: dassl (random resized crop and flip, the official one) or none.")
    var augmentation: Augmentation?

    func validate() throws {
        if let epochs, epochs < 0 { throw ValidationError("--epochs must be ≥ 0, got \(epochs)") }
        if let learningRate, !(learningRate > 0 && learningRate.isFinite) {
            throw ValidationError("--learning-rate must be positive, got \(learningRate)")
        }
    }

    /// `recipe` with the overrides given.
    func applied(to recipe: TrainingRecipe) -> TrainingRecipe {
        var recipe = recipe
        if let epochs { recipe.epochs = epochs }
        if let learningRate { recipe.learningRate = learningRate }
        if let augmentation {
            recipe.augmentation = augmentation == .dassl ? TrainingRecipe.Augmentation.dassl : .none
        }
        return recipe
    }
}
