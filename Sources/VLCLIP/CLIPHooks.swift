// The points at which an adaptation method may change what CLIP computes. The model calls
// them; it never learns which method is on the other side (STYLE.md §4.5).

import VLTensor

/// Hook points of the CLIP forward pass. Every requirement has a default that leaves CLIP
/// exactly as published, so a method implements only the points it uses:
///
/// - pixel inputs: visual prompting (pad or patch prompts on the image);
/// - vision embeddings before `ln_pre`: shallow visual prompts (VPT inserts after the class
///   token, MaPLe/IVLP/PromptSRC append at the end); this hook may change the token count, and
///   the class token must stay at index 0;
/// - tokens entering any vision or text block: deep prompts, which replace the tokens at their
///   positions (MaPLe, IVLP, PromptSRC, VPT-deep, TCP). The text hook must keep the shape, so
///   that end-of-text pooling positions stay valid.
///
/// Input token embeddings (CoOp-style context vectors) enter through
/// ``CLIP/encodeText(embeddings:endOfText:hooks:)`` rather than a hook.
public protocol CLIPHooks: Sendable {
    /// Images entering the vision tower, `[images, 3, height, width]`.
    func pixels(_ images: Tensor) -> Tensor
    /// Class token, patch tokens and positional embedding, before `ln_pre`:
    /// `[images, tokens, width]` in, `[images, tokens′, width]` out.
    func visionEmbeddings(_ tokens: Tensor) -> Tensor
    /// Tokens entering vision block `layer` (0-based), `[images, tokens, width]`.
    func vision(_ tokens: Tensor, enteringLayer layer: Int) -> Tensor
    /// Tokens entering text block `layer` (0-based), `[sequences, contextLength, width]`; the
    /// result must keep that shape.
    func text(_ tokens: Tensor, enteringLayer layer: Int) -> Tensor
}

extension CLIPHooks {
    public func pixels(_ images: Tensor) -> Tensor { images }
    public func visionEmbeddings(_ tokens: Tensor) -> Tensor { tokens }
    public func vision(_ tokens: Tensor, enteringLayer layer: Int) -> Tensor { tokens }
    public func text(_ tokens: Tensor, enteringLayer layer: Int) -> Tensor { tokens }
}

/// The published CLIP, unchanged.
public struct NoHooks: CLIPHooks {
    public init() {}
}
