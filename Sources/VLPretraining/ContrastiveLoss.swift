// CLIP's symmetric contrastive (InfoNCE) loss (Radford et al. 2021, Figure 3; open_clip's
// ClipLoss): cross-entropy over image→text and text→image logits, averaged.

import VLTensor

/// The largest logit scale CLIP allows, `ln 100`: the temperature is clamped so that logits are
/// multiplied by at most 100 (open_clip clamps the parameter to `[0, ln 100]` after each step).
public let maximumLogitScale = Float(4.605_170_2)

/// The symmetric contrastive loss of a batch of matching pairs (pair `i` is image `i`, text `i`).
///
/// With `L = exp(logitScale) · normalize(image) · normalize(text)ᵀ`, the loss is
/// `½ · (CE(L, diag) + CE(Lᵀ, diag))`, each cross-entropy averaged over the batch.
///
/// - Parameters:
///   - imageFeatures: `[batch, embeddingWidth]`, not normalized.
///   - textFeatures: `[batch, embeddingWidth]`, not normalized.
///   - logitScale: scalar `[]`, the log of the inverse temperature.
/// - Returns: a scalar `[]`.
public func contrastiveLoss(imageFeatures: Tensor, textFeatures: Tensor, logitScale: Tensor) -> Tensor {
    precondition(
        imageFeatures.shape == textFeatures.shape && imageFeatures.rank == 2,
        "contrastive loss needs matching [batch, width] features, got \(imageFeatures.shape) and \(textFeatures.shape)")
    let image = imageFeatures.normalized(alongAxis: -1)
    let text = textFeatures.normalized(alongAxis: -1)
    let logits = image.matmul(text, transposeOther: true) * logitScale.exp()
    let labels = Array(0..<imageFeatures.shape[0])
    let imageToText = Tensor.crossEntropy(logits: logits, labels: labels)
    let textToImage = Tensor.crossEntropy(logits: logits.transposed(), labels: labels)
    return (imageToText + textToImage).scaled(by: 0.5)
}
