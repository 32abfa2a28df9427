// CoOp's per-dataset templates for its zero-shot CLIP baseline (`CUSTOM_TEMPLATES` in
// trainers/zsclip.py; methods-text.md §2.5).

extension TemplateTable {
    /// CoOp's zero-shot baseline templates, keyed by the Dassl dataset name.
    public static let coopZeroShot = TemplateTable(
        name: "CoOp zero-shot",
        templates: [
            "OxfordPets": "a photo of a {}, a type of pet.",
            "OxfordFlowers": "a photo of a {}, a type of flower.",
            "FGVCAircraft": "a photo of a {}, a type of aircraft.",
            "DescribableTextures": "{} texture.",
            "EuroSAT": "a centered satellite photo of {}.",
            "StanfordCars": "a photo of a {}.",
            "Food101": "a photo of {}, a type of food.",
            "SUN397": "a photo of a {}.",
            "Caltech101": "a photo of a {}.",
            "UCF101": "a photo of a person doing {}.",
            "ImageNet": "a photo of a {}.",
            "ImageNetSketch": "a photo of a {}.",
            "ImageNetV2": "a photo of a {}.",
            "ImageNetA": "a photo of a {}.",
            "ImageNetR": "a photo of a {}.",
        ])
}
