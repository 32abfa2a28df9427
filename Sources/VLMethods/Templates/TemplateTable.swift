// A per-dataset table of hand-written prompt templates, as the CoOp family keeps them
// (`CUSTOM_TEMPLATES` in each official trainer): the Dassl dataset name selects a template,
// datasets the table does not list take its fallback (methods-text.md §2.5).

/// Prompt templates by dataset, with a fallback; `{}` in a template is the class name.
public struct TemplateTable: Sendable, Equatable {
    /// Which method's table this is (for messages and documentation).
    public let name: String
    /// Templates keyed by the Dassl dataset name (`OxfordPets`, `EuroSAT`, …).
    public let templates: [String: String]
    /// The template of every dataset not listed.
    public let fallback: String
    /// The template of the procedural world's datasets (`world:NAME`): the caption form
    /// `world-clip` was pretrained and probed with.
    public let world: String

    /// The caption form of the world's pretraining probe.
    public static let worldTemplate = "a photo of a {}."

    /// A table; `fallback` and `world` default to "a photo of a {}.".
    public init(
        name: String, templates: [String: String], fallback: String = "a photo of a {}.",
        world: String = TemplateTable.worldTemplate
    ) {
        self.name = name
        self.templates = templates
        self.fallback = fallback
        self.world = world
    }

    /// The template for `dataset`: the listed one, the world's for `world:NAME`, else the fallback.
    public func template(forDataset dataset: String) -> String {
        if let template = templates[dataset] { return template }
        return dataset.hasPrefix("world:") ? world : fallback
    }
}
