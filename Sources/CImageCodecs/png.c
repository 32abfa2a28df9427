// PNG decoding with libpng, matching what Pillow's PngImagePlugin + convert() produce:
// palettes and low bit depths expanded, 16-bit samples reduced to their high byte (16-bit
// grayscale clipped to 255, Pillow's "I;16" → "L"), no gamma or color management applied.

#include "codecs_internal.h"

#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/// Where libpng reads from, and the error text its error callback leaves behind.
typedef struct {
    const uint8_t *data;
    size_t size;
    size_t offset;
    char message[200];
} png_source;

static void png_read_memory(png_structp png, png_bytep out, png_size_t length) {
    png_source *source = png_get_io_ptr(png);
    if (source->size - source->offset < length) {
        png_error(png, "truncated: unexpected end of PNG data");
    }
    memcpy(out, source->data + source->offset, length);
    source->offset += length;
}

static void png_record_error(png_structp png, png_const_charp message) {
    png_source *source = png_get_error_ptr(png);
    snprintf(source->message, sizeof source->message, "%s", message);
    png_longjmp(png, 1);
}

static void png_ignore_warning(png_structp png, png_const_charp message) {
    (void)png;
    (void)message;
}

static uint32_t png_read_be32(const uint8_t *bytes) {
    return (uint32_t)bytes[0] << 24 | (uint32_t)bytes[1] << 16 | (uint32_t)bytes[2] << 8 | bytes[3];
}

/// Asks libpng for 8-bit RGBA whatever the file holds (tRNS becomes alpha).
static void png_request_rgba(png_structp png, png_infop info, int bit_depth, int color_type) {
    int has_transparency = png_get_valid(png, info, PNG_INFO_tRNS) != 0;
    if (color_type == PNG_COLOR_TYPE_PALETTE) {
        png_set_palette_to_rgb(png);
    }
    if (color_type == PNG_COLOR_TYPE_GRAY && bit_depth < 8) {
        png_set_expand_gray_1_2_4_to_8(png);
    }
    if (has_transparency) {
        png_set_tRNS_to_alpha(png);
    }
    if (bit_depth == 16) {
        png_set_strip_16(png);  // keeps the high byte, as Pillow's ";16B" unpackers do
    }
    if (color_type == PNG_COLOR_TYPE_GRAY || color_type == PNG_COLOR_TYPE_GRAY_ALPHA) {
        png_set_gray_to_rgb(png);
    }
    if (!(color_type & PNG_COLOR_MASK_ALPHA) && !has_transparency) {
        png_set_add_alpha(png, 0xFF, PNG_FILLER_AFTER);
    }
}

/// 16-bit grayscale to RGBA: Pillow clips each sample to 255. A tRNS gray value, when present,
/// makes matching samples transparent.
static void png_convert_gray16(const uint8_t *samples, vl_image *image, int has_key, uint32_t key) {
    size_t count = (size_t)image->width * image->height;
    for (size_t i = 0; i < count; i++) {
        uint32_t value = (uint32_t)samples[2 * i] << 8 | samples[2 * i + 1];
        uint8_t gray = value > 255 ? 255 : (uint8_t)value;
        uint8_t *pixel = image->pixels + 4 * i;
        pixel[0] = pixel[1] = pixel[2] = gray;
        pixel[3] = has_key && value == key ? 0 : 255;
    }
}

/// Drops the alpha bytes in place (RGBA → RGB) and shrinks the buffer.
static void png_drop_alpha(vl_image *image) {
    size_t count = (size_t)image->width * image->height;
    for (size_t i = 0; i < count; i++) {
        memmove(image->pixels + 3 * i, image->pixels + 4 * i, 3);
    }
    uint8_t *shrunk = realloc(image->pixels, count * 3);
    if (shrunk) {
        image->pixels = shrunk;
    }
    image->channels = 3;
}

/// Reads every row (all interlace passes) into `buffer`, `stride` bytes per row.
static void read_all_rows(png_structp png, uint8_t *buffer, size_t stride, uint32_t height,
                          png_bytep *rows) {
    for (uint32_t y = 0; y < height; y++) {
        rows[y] = buffer + stride * y;
    }
    png_read_image(png, rows);
}

vl_image_status vl_decode_png(
    const uint8_t *data, size_t size, uint32_t channels, uint64_t max_pixels, vl_image *image) {
    memset(image, 0, sizeof *image);
    if (channels != 3 && channels != 4) {
        return vl_image_fail(image, VL_IMAGE_UNSUPPORTED, "channels must be 3 or 4, not %u", channels);
    }
    if (size < 8 || png_sig_cmp(data, 0, 8) != 0) {
        return vl_image_fail(image, VL_IMAGE_CORRUPT, "missing PNG signature");
    }
    // libpng rejects a zero dimension as a generic IHDR error; name it precisely first.
    if (size >= 24 && memcmp(data + 12, "IHDR", 4) == 0 &&
        (png_read_be32(data + 16) == 0 || png_read_be32(data + 20) == 0)) {
        return vl_image_fail(image, VL_IMAGE_EMPTY, "image has zero size (%u x %u)",
                             png_read_be32(data + 16), png_read_be32(data + 20));
    }
    png_source source = {data, size, 0, ""};
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &source, png_record_error,
                                             png_ignore_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!info) {
        png_destroy_read_struct(&png, NULL, NULL);
        return vl_image_fail(image, VL_IMAGE_OUT_OF_MEMORY, "cannot create a PNG reader");
    }
    uint8_t *volatile gray16 = NULL;  // volatile: freed after a longjmp
    png_bytep *volatile rows = NULL;
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &info, NULL);
        free(gray16);
        free(rows);
        return vl_image_fail(image, VL_IMAGE_CORRUPT, "%s", source.message);
    }
    png_set_read_fn(png, &source, png_read_memory);
    png_read_info(png, info);
    png_uint_32 width, height;
    int bit_depth, color_type;
    png_get_IHDR(png, info, &width, &height, &bit_depth, &color_type, NULL, NULL, NULL);
    int is_gray16 = bit_depth == 16 && color_type == PNG_COLOR_TYPE_GRAY;
    if (!is_gray16) {
        png_request_rgba(png, info, bit_depth, color_type);
    }
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    size_t stride = (size_t)width * (is_gray16 ? 2 : 4);

    vl_image_status status = vl_image_allocate(image, width, height, 4, max_pixels);
    if (status == VL_IMAGE_OK && png_get_rowbytes(png, info) != stride) {
        status = vl_image_fail(image, VL_IMAGE_UNSUPPORTED, "unexpected PNG layout (%d-bit, type %d)",
                               bit_depth, color_type);
    }
    if (status == VL_IMAGE_OK) {
        rows = malloc(sizeof(png_bytep) * height);
        gray16 = is_gray16 ? malloc(stride * height) : NULL;
        if (!rows || (is_gray16 && !gray16)) {
            status = vl_image_fail(image, VL_IMAGE_OUT_OF_MEMORY, "cannot allocate PNG rows");
        }
    }
    if (status != VL_IMAGE_OK) {
        png_destroy_read_struct(&png, &info, NULL);
        free(gray16);
        free(rows);
        return status;
    }
    read_all_rows(png, is_gray16 ? gray16 : image->pixels, stride, height, rows);
    if (is_gray16) {
        png_color_16p key = NULL;
        int has_key = png_get_tRNS(png, info, NULL, NULL, &key) != 0 && key != NULL;
        png_convert_gray16(gray16, image, has_key, has_key ? key->gray : 0);
    }
    png_destroy_read_struct(&png, &info, NULL);
    free(gray16);
    free(rows);
    if (channels == 3) {
        png_drop_alpha(image);
    }
    return VL_IMAGE_OK;
}
