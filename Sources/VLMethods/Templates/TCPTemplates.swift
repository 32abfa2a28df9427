// TCP's per-dataset prompt tables (htyao89/Textual-based_Class-aware_prompt_tuning trainers/tcp.py:
// CUSTOM_TEMPLATES_ori, the hand-crafted anchors, and CUSTOM_TEMPLATES, the learnable prompts;
// methods-text.md §9.2), kept as data keyed by the Dassl dataset name.

extension TemplateTable {
    /// TCP's hand-crafted anchors (`CUSTOM_TEMPLATES_ori`), whose frozen text features feed the
    /// class-aware tokens and the consistency term. They differ from KgCoOp's for FGVCAircraft
    /// and Food101.
    public static let tcpAnchors = TemplateTable(
        name: "TCP anchors",
        templates: [
            "OxfordPets": "a photo of a {}, a type of pet.",
            "OxfordFlowers": "a photo of a {}, a type of flower.",
            "FGVCAircraft": "a photo of an aircraft {}.",
            "DescribableTextures": "a photo of a {}, a type of texture.",
            "EuroSAT": "a centered satellite photo of {}.",
            "StanfordCars": "a photo of a {}.",
            "Food101": "a photo of a {}, a type of food.",
            "SUN397": "a photo of a {}.",
            "Caltech101": "a photo of a {}.",
            "UCF101": "a photo of a person doing {}.",
            "ImageNet": "a photo of a {}.",
            "ImageNetSketch": "a photo of a {}.",
            "ImageNetV2": "a photo of a {}.",
            "ImageNetA": "a photo of a {}.",
            "ImageNetR": "a photo of a {}.",
        ])

    /// TCP's learnable prompts (`CUSTOM_TEMPLATES`): the first four tokens after the start token
    /// are replaced by the learned context, whatever the words are ("X X X X" or "a photo of a").
    /// StanfordCars has no final period in the official table, kept as is. Datasets not listed
    /// use "X … X {}." with one X per context token (see ``TCP/Options/init(dataset:)``), so only
    /// ``templates`` is read, never the fallback.
    public static let tcpPrompts = TemplateTable(
        name: "TCP prompts",
        templates: [
            "OxfordPets": "X X X X {}, a type of pet.",
            "OxfordFlowers": "X X X X {}, a type of flower.",
            "FGVCAircraft": "X X X X {}, a type of aircraft.",
            "DescribableTextures": "X X X X {} texture.",
            "EuroSAT": "X X X X {}.",
            "StanfordCars": "X X X X {}, a type of car",
            "Food101": "X X X X {}, a type of food.",
            "SUN397": "X X X X {}.",
            "Caltech101": "X X X X {}.",
            "UCF101": "a photo of a person doing {}.",
            "ImageNet": "a photo of a {}.",
            "ImageNetSketch": "a photo of a {}.",
            "ImageNetV2": "a photo of a {}.",
            "ImageNetA": "a photo of a {}.",
            "ImageNetR": "a photo of a {}.",
        ])
}
