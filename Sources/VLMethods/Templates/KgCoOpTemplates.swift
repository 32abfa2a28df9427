// KgCoOp's anchor templates (`CUSTOM_TEMPLATES` of htyao89/KgCoOp trainers/kgcoop.py;
// methods-text.md §6.2). They differ from CoOp's zero-shot table for DescribableTextures.

extension TemplateTable {
    /// KgCoOp's hand-crafted anchor templates, keyed by the Dassl dataset name.
    public static let kgcoop = TemplateTable(
        name: "KgCoOp",
        templates: [
            "OxfordPets": "a photo of a {}, a type of pet.",
            "OxfordFlowers": "a photo of a {}, a type of flower.",
            "FGVCAircraft": "a photo of a {}, a type of aircraft.",
            "DescribableTextures": "a photo of a {}, a type of texture.",
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
