// TCP's per-dataset prompt tables (htyao89/Textual-based_Class-aware_prompt_tuning trainers/tcp.py:
// CUSTOM_TEMPLATES_ori, the hand-crafted anchors, and CUSTOM_TEMPLATES, the learnable prompts;
// methods-text.md §9.2), kept as data keyed by the Dassl dataset name.

/// TCP's two template tables. `{}` is the class name (underscores become spaces).
public enum TCPTemplates {
    /// The hand-crafted prompt whose frozen text features feed the class-aware tokens and the
    /// consistency term (`CUSTOM_TEMPLATES_ori`). It differs from KgCoOp's for FGVCAircraft and
    /// Food101.
    public static let anchors: [String: String] = [
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
    ]

    /// The learnable prompt (`CUSTOM_TEMPLATES`): its first four tokens after the start token
    /// are replaced by the learned context, whatever the words are ("X X X X" or "a photo of a").
    /// StanfordCars has no final period in the official table, kept as is.
    public static let prompts: [String: String] = [
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
    ]

    /// The anchor for datasets the official code does not list.
    public static let fallbackAnchor = "a photo of a {}."

    /// The anchor template for `dataset` (a Dassl name such as `OxfordPets`), else the fallback.
    public static func anchor(forDataset dataset: String) -> String {
        anchors[dataset] ?? fallbackAnchor
    }

    /// The learnable prompt for `dataset`, or `nil` (then TCP uses "X … X {}." with one X per
    /// context token) for datasets the official code does not list.
    public static func prompt(forDataset dataset: String) -> String? {
        prompts[dataset]
    }
}
