// Non-overlapping image patches (im2col for a convolution whose stride equals its kernel), the
// rearrangement behind ViT's patch embedding (Dosovitskiy et al. 2021; CLIP's `conv1`).

/// Extents of a patch rearrangement: images `[batch, channels, height, width]` cut into
/// `size × size` patches, in row-major patch order. Pixels past the last whole patch are
/// ignored, as a PyTorch convolution with `stride = kernel_size` ignores them.
public struct PatchGeometry: Sendable, Equatable {
    /// Images.
    public var batch: Int
    /// Channels per image.
    public var channels: Int
    /// Image height in pixels.
    public var height: Int
    /// Image width in pixels.
    public var width: Int
    /// Patch side in pixels (kernel size and stride).
    public var size: Int

    /// The geometry of `batch` images of `channels × height × width` cut into `size²` patches.
    public init(batch: Int, channels: Int, height: Int, width: Int, size: Int) {
        self.batch = batch
        self.channels = channels
        self.height = height
        self.width = width
        self.size = size
    }

    /// Patch rows in the grid.
    public var rows: Int { height / size }
    /// Patch columns in the grid.
    public var columns: Int { width / size }
    /// Patches per image.
    public var patches: Int { rows * columns }
    /// Values per patch, ordered `(channel, y, x)` like a flattened convolution kernel.
    public var patchLength: Int { channels * size * size }
}

extension Kernels {
    /// Copies the patches of `images` `[batch, channels, height, width]` into rows of
    /// `patches` `[batch, patches, channels · size · size]`.
    public static func extractPatches(
        _ images: UnsafePointer<Float>, into patches: UnsafeMutablePointer<Float>,
        geometry g: PatchGeometry
    ) {
        forEachPatchRun(g) { pixel, patch, count in
            (patches + patch).update(from: images + pixel, count: count)
        }
    }

    /// The inverse scatter: writes each patch value back to its pixel of `images`
    /// `[batch, channels, height, width]`, and zeros to pixels no patch covers.
    public static func scatterPatches(
        _ patches: UnsafePointer<Float>, into images: UnsafeMutablePointer<Float>,
        geometry g: PatchGeometry
    ) {
        if g.rows * g.size != g.height || g.columns * g.size != g.width {
            images.update(repeating: 0, count: g.batch * g.channels * g.height * g.width)
        }
        forEachPatchRun(g) { pixel, patch, count in
            (images + pixel).update(from: patches + patch, count: count)
        }
    }

    /// Calls `body(pixelOffset, patchOffset, size)` for every run of `size` contiguous values
    /// shared by an image row and a patch row, parallel over (image, patch row) pairs.
    @inline(__always)
    static func forEachPatchRun(_ g: PatchGeometry, _ body: (Int, Int, Int) -> Void) {
        let size = g.size
        let length = g.patchLength
        parallelChunks(g.batch * g.rows, minimumPerChunk: max(1, 4096 / max(1, g.columns * length))) {
            start, end in
            for item in start..<end {
                let b = item / g.rows
                let gridY = item % g.rows
                for gridX in 0..<g.columns {
                    let patch = (b * g.patches + gridY * g.columns + gridX) * length
                    for c in 0..<g.channels {
                        for y in 0..<size {
                            let pixel =
                                ((b * g.channels + c) * g.height + gridY * size + y) * g.width
                                + gridX * size
                            body(pixel, patch + (c * size + y) * size, size)
                        }
                    }
                }
            }
        }
    }
}
