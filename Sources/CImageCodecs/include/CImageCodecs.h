// Memory-buffer JPEG (libjpeg-turbo) and PNG (libpng) decoding to 8-bit RGB or RGBA, the way
// Pillow's Image.open(...).convert("RGB") sees the pixels. Both libraries report errors with
// setjmp/longjmp, which Swift cannot catch; these wrappers catch every error and return a status.

#ifndef VL_IMAGE_CODECS_H
#define VL_IMAGE_CODECS_H

#include <stddef.h>
#include <stdint.h>

/// Outcome of a decode.
typedef enum {
    VL_IMAGE_OK = 0,
    /// Malformed or truncated data (the message says what the library found).
    VL_IMAGE_CORRUPT = 1,
    /// A valid file using a feature we do not decode (e.g. 12-bit JPEG, 2-channel JPEG).
    VL_IMAGE_UNSUPPORTED = 2,
    /// Width × height exceeds the caller's limit.
    VL_IMAGE_TOO_LARGE = 3,
    /// Zero width or height.
    VL_IMAGE_EMPTY = 4,
    /// The pixel buffer could not be allocated.
    VL_IMAGE_OUT_OF_MEMORY = 5,
} vl_image_status;

/// A decoded image: `height` rows of `width` pixels, `channels` (3 or 4) bytes each, row-major,
/// no padding. `pixels` is allocated by the decoder and released with `vl_image_release`.
typedef struct {
    uint32_t width;
    uint32_t height;
    uint32_t channels;
    uint8_t *pixels;
    /// On failure, a NUL-terminated description of the problem.
    char message[256];
} vl_image;

/// Decodes a JPEG. `channels` is 3 (RGB) or 4 (RGB + opaque alpha). Grayscale is replicated,
/// YCbCr and RGB come from libjpeg's ISLOW IDCT with fancy upsampling, CMYK/YCCK are read as
/// Adobe-inverted CMYK and converted with Pillow's cmyk2rgb. Truncated data is an error.
vl_image_status vl_decode_jpeg(
    const uint8_t *data, size_t size, uint32_t channels, uint64_t max_pixels, vl_image *image);

/// Decodes a PNG. `channels` 3 drops any alpha or tRNS without compositing (Pillow's
/// convert("RGB")); `channels` 4 keeps alpha, expanding tRNS and adding opaque alpha where
/// absent (Pillow's convert("RGBA")). 16-bit samples keep their high byte, except 16-bit
/// grayscale, which Pillow opens as mode "I;16" and clips to 255 when converting.
vl_image_status vl_decode_png(
    const uint8_t *data, size_t size, uint32_t channels, uint64_t max_pixels, vl_image *image);

/// Pillow's CMYK → RGB conversion of one pixel (non-inverted CMYK values): each channel is
/// `(255 − k) − (c · (255 − k)) / 255` with Pillow's rounded division by 255.
void vl_cmyk_to_rgb(const uint8_t cmyk[4], uint8_t rgb[3]);

/// Frees the pixels of a decoded image (safe on a failed or already released image).
void vl_image_release(vl_image *image);

#endif
