// swift-tools-version:6.1
// VLPrompt: prompt learning and adapters for CLIP-style vision-language models, in Swift.
//
// Layers only import downwards:
//   CBLAS → VLKernels → VLTensor → VLNN → VLCLIP → (data, methods, training, evaluation) → vlprompt
//   VLFormats, VLText, VLImage stand beside the tensor stack and know nothing of it.

import PackageDescription

/// The vector instructions the numeric code is compiled for. On x86-64 that is AVX2 with FMA
/// (Intel Haswell, 2013, AMD Zen and later): eight-lane vectors and fused multiply-adds in the
/// hand-written kernels (attention, softmax, activations). `VLPROMPT_PORTABLE=1 swift build ...`
/// builds for any x86-64 CPU instead; `vlprompt` refuses to start on a CPU its build cannot run
/// on (Sources/vlprompt/CPUFeatures.swift). ARM64 always has fused multiply-adds.
#if arch(x86_64)
    let vectorFlags: [String] =
        Context.environment["VLPROMPT_PORTABLE"] == nil ? ["-target-cpu", "haswell", "-D", "VLPROMPT_FMA"] : []
    let vectorDefines: [SwiftSetting] =
        Context.environment["VLPROMPT_PORTABLE"] == nil ? [.define("VLPROMPT_AVX2_FMA")] : []
#elseif arch(arm64)
    let vectorFlags: [String] = ["-D", "VLPROMPT_FMA"]
    let vectorDefines: [SwiftSetting] = []
#else
    let vectorFlags: [String] = []
    let vectorDefines: [SwiftSetting] = []
#endif

/// Optimized numeric code matters even in tests; exclusivity checks cost a lot in tight loops.
let numericSettings: [SwiftSetting] = [
    .unsafeFlags(["-enforce-exclusivity=unchecked"] + vectorFlags),
]

let package = Package(
    name: "VLPrompt",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "vlprompt", targets: ["vlprompt"]),
        .library(name: "VLPrompt", targets: ["VLKernels", "VLTensor", "VLText"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // MARK: - System libraries
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),

        // MARK: - Numeric stack
        .target(name: "VLKernels", dependencies: ["CBLAS"], swiftSettings: numericSettings),
        .target(name: "VLTensor", dependencies: ["VLKernels"], swiftSettings: numericSettings),
        .target(
            name: "VLOptim", dependencies: ["VLKernels", "VLTensor"], swiftSettings: numericSettings),
        .target(name: "VLNN", dependencies: ["VLTensor", "VLFormats"], swiftSettings: numericSettings),
        .target(name: "VLCLIP", dependencies: ["VLKernels", "VLNN", "VLFormats", "VLTensor"], swiftSettings: numericSettings),

        // MARK: - File formats
        .target(name: "VLFormats"),

        // MARK: - Images
        .target(
            name: "CImageCodecs",
            linkerSettings: [.linkedLibrary("jpeg"), .linkedLibrary("png")]),
        .target(
            name: "VLImage", dependencies: ["CImageCodecs", "VLTensor"],
            swiftSettings: numericSettings),

        // MARK: - Procedural world (built-in pretraining data and benchmark datasets)
        .target(name: "VLWorld", dependencies: ["VLTensor"], swiftSettings: numericSettings),

        // MARK: - Text
        .target(
            name: "VLText", dependencies: ["CZlib"],
            resources: [
                .copy("Resources/bpe_simple_vocab_16e6.txt.gz"),
                .copy("Resources/LICENSE-bpe_simple_vocab_16e6.txt"),
            ]),

        // MARK: - Pretraining (the built-in world CLIP)
        .target(
            name: "VLPretraining",
            dependencies: ["VLCLIP", "VLWorld", "VLText", "VLOptim", "VLFormats", "VLImage", "VLNN", "VLTensor"],
            swiftSettings: numericSettings),

        // MARK: - The shipped model (Models/world-clip links to its resource folder)
        .target(
            name: "VLEmbedded", dependencies: ["VLCLIP"],
            resources: [.copy("Resources/world-clip")]),

        // MARK: - Data and evaluation
        .target(name: "VLProgress"),
        .target(name: "VLData", dependencies: ["VLTensor", "VLFormats"]),
        .target(
            name: "VLEvaluation", dependencies: ["VLData", "VLKernels", "VLFormats"],
            swiftSettings: numericSettings),

        // MARK: - Methods and training
        .target(
            name: "VLMethods", dependencies: ["VLCLIP", "VLNN", "VLOptim", "VLTensor", "VLText", "VLFormats"],
            swiftSettings: numericSettings),
        .target(
            name: "VLTraining",
            dependencies: [
                "VLMethods", "VLCLIP", "VLOptim", "VLTensor", "VLText", "VLImage", "VLData", "VLEvaluation",
                "VLFormats", "VLNN", "VLKernels",
            ],
            swiftSettings: numericSettings),

        // MARK: - Support and command line
        .target(name: "VLTestSupport", dependencies: ["VLTensor", "VLNN", "VLFormats", "VLText"]),
        .target(
            name: "VLMethodsTestSupport", dependencies: ["VLMethods", "VLCLIP", "VLTensor", "VLTestSupport"]),
        .executableTarget(
            name: "vlprompt",
            dependencies: [
                "VLTensor",
                "VLWorld",
                "VLText",
                "VLProgress",
                "VLData",
                "VLEvaluation",
                "VLFormats",
                "VLCLIP",
                "VLMethods",
                "VLTraining",
                "VLOptim",
                "VLImage",
                "VLNN",
                "VLPretraining",
                "VLEmbedded",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: vectorDefines),

        // MARK: - Tests
        .testTarget(name: "VLKernelsTests", dependencies: ["VLKernels"]),
        .testTarget(name: "VLTensorTests", dependencies: ["VLTensor", "VLKernels", "VLTestSupport"]),
        .testTarget(name: "VLOptimTests", dependencies: ["VLOptim", "VLTestSupport"]),
        .testTarget(name: "VLFormatsTests", dependencies: ["VLFormats", "VLTestSupport"]),
        .testTarget(name: "VLNNTests", dependencies: ["VLNN", "VLFormats", "VLTestSupport"]),
        .testTarget(name: "VLCLIPTests", dependencies: ["VLCLIP", "VLNN", "VLFormats", "VLTestSupport"]),
        .testTarget(
            name: "VLImageTests", dependencies: ["VLImage", "CImageCodecs", "VLTestSupport"]),
        .testTarget(name: "VLWorldTests", dependencies: ["VLWorld", "VLTensor"]),
        .testTarget(
            name: "VLPretrainingTests",
            dependencies: ["VLPretraining", "VLCLIP", "VLWorld", "VLText", "VLTensor", "VLNN", "VLTestSupport"]),
        .testTarget(
            name: "VLEmbeddedTests", dependencies: ["VLEmbedded", "VLPretraining", "VLCLIP", "VLText", "VLWorld"]),
        .testTarget(name: "VLTextTests", dependencies: ["VLText"]),
        .testTarget(name: "VLProgressTests", dependencies: ["VLProgress"]),
        .testTarget(
            name: "vlpromptTests",
            dependencies: [
                "vlprompt", "VLText", "VLCLIP", "VLMethods", "VLImage", "VLNN", "VLTensor", "VLWorld", "VLTestSupport",
                "VLData", "VLEvaluation",
            ],
            swiftSettings: vectorDefines),
        .testTarget(
            name: "VLMethodsTests",
            dependencies: [
                "VLMethods", "VLCLIP", "VLOptim", "VLTensor", "VLText", "VLFormats", "VLTestSupport",
                "VLMethodsTestSupport",
            ]),
        .testTarget(
            name: "VLTrainingTests",
            dependencies: [
                "VLTraining", "VLMethods", "VLCLIP", "VLOptim", "VLTensor", "VLData", "VLImage", "VLTestSupport",
                "VLMethodsTestSupport",
                "VLWorld", "VLFormats",
            ]),
        .testTarget(name: "VLDataTests", dependencies: ["VLData", "VLTestSupport"]),
        .testTarget(name: "VLEvaluationTests", dependencies: ["VLEvaluation", "VLData", "VLTestSupport"]),
    ]
)
