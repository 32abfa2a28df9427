// ProGrad's teacher templates (BeierZhu/Prompt-align trainers/prograd.py; methods-text.md §7.2):
// the dataset's phrase first, the class slot last, "a photo of a {}." for datasets not listed.

extension TemplateTable {
    /// ProGrad's zero-shot teacher templates, keyed by the Dassl dataset name.
    public static let prograd = TemplateTable(
        name: "ProGrad",
        templates: [
            "OxfordPets": "a type of pet, a photo of a {}.",
            "OxfordFlowers": "a type of flower, a photo of a {}.",
            "FGVCAircraft": "a type of aircraft, a photo of a {}.",
            "DescribableTextures": "a texture of {}.",
            "EuroSAT": "a centered satellite photo of {}.",
            "Food101": "a type of food, a photo of {}.",
            "UCF101": "a photo of a person doing {}.",
        ])
}
