// JPEG decoding with libjpeg-turbo, matching Pillow's JpegDecode: ISLOW IDCT, fancy upsampling,
// no EXIF rotation; CMYK/YCCK read as Adobe-inverted CMYK (Pillow's "CMYK;I") then cmyk2rgb.

#include "codecs_internal.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jerror.h>
#include <jpeglib.h>

/// libjpeg's error manager extended with the jump target and a truncation flag.
typedef struct {
    struct jpeg_error_mgr manager;  // first, so the library's pointer casts to this struct
    jmp_buf jump;
    int truncated;
} jpeg_errors;

static void jpeg_error_exit(j_common_ptr info) {
    jpeg_errors *errors = (jpeg_errors *)info->err;
    longjmp(errors->jump, 1);
}

/// Warnings are recoverable corrupt-data notices, which Pillow ignores, except running out of
/// data: Pillow refuses truncated files ("image file is truncated"), so we record it.
static void jpeg_emit_message(j_common_ptr info, int level) {
    jpeg_errors *errors = (jpeg_errors *)info->err;
    if (level < 0 && info->err->msg_code == JWRN_JPEG_EOF) {
        errors->truncated = 1;
    }
}

static void jpeg_silent_output(j_common_ptr info) { (void)info; }

static vl_image_status jpeg_status_for(int message_code) {
    switch (message_code) {
    case JERR_EMPTY_IMAGE:
        return VL_IMAGE_EMPTY;
    case JERR_BAD_PRECISION:
    case JERR_CONVERSION_NOTIMPL:
        return VL_IMAGE_UNSUPPORTED;
    case JERR_OUT_OF_MEMORY:
        return VL_IMAGE_OUT_OF_MEMORY;
    default:
        return VL_IMAGE_CORRUPT;
    }
}

/// Chooses libjpeg's output color space; 0 when the file's layout is one Pillow refuses too.
static J_COLOR_SPACE jpeg_output_space(const struct jpeg_decompress_struct *info, uint32_t channels) {
    switch (info->jpeg_color_space) {
    case JCS_GRAYSCALE:
    case JCS_YCbCr:
    case JCS_RGB:
        return channels == 4 ? JCS_EXT_RGBA : JCS_RGB;  // libjpeg-turbo fills alpha with 0xFF
    case JCS_CMYK:
    case JCS_YCCK:
        return JCS_CMYK;
    default:
        return JCS_UNKNOWN;
    }
}

/// Converts one row of stored (Adobe-inverted) CMYK to RGB or RGBA.
static void jpeg_convert_cmyk_row(const uint8_t *cmyk, uint8_t *out, uint32_t width, uint32_t channels) {
    for (uint32_t x = 0; x < width; x++) {
        const uint8_t inverted[4] = {
            (uint8_t)(255 - cmyk[4 * x]), (uint8_t)(255 - cmyk[4 * x + 1]),
            (uint8_t)(255 - cmyk[4 * x + 2]), (uint8_t)(255 - cmyk[4 * x + 3])};
        vl_cmyk_to_rgb(inverted, out + (size_t)x * channels);
        if (channels == 4) {
            out[(size_t)x * channels + 3] = 255;
        }
    }
}

vl_image_status vl_decode_jpeg(
    const uint8_t *data, size_t size, uint32_t channels, uint64_t max_pixels, vl_image *image) {
    memset(image, 0, sizeof *image);
    if (channels != 3 && channels != 4) {
        return vl_image_fail(image, VL_IMAGE_UNSUPPORTED, "channels must be 3 or 4, not %u", channels);
    }
    struct jpeg_decompress_struct info;
    jpeg_errors errors;
    uint8_t *volatile cmyk_row = NULL;  // volatile: read after a longjmp
    info.err = jpeg_std_error(&errors.manager);
    errors.manager.error_exit = jpeg_error_exit;
    errors.manager.emit_message = jpeg_emit_message;
    errors.manager.output_message = jpeg_silent_output;
    errors.truncated = 0;

    if (setjmp(errors.jump)) {
        char text[JMSG_LENGTH_MAX];
        (*info.err->format_message)((j_common_ptr)&info, text);
        vl_image_status status = jpeg_status_for(info.err->msg_code);
        jpeg_destroy_decompress(&info);
        free(cmyk_row);
        return vl_image_fail(image, status, "%s", text);
    }
    jpeg_create_decompress(&info);
    jpeg_mem_src(&info, data, (unsigned long)size);
    jpeg_read_header(&info, TRUE);

    J_COLOR_SPACE output = jpeg_output_space(&info, channels);
    vl_image_status status = VL_IMAGE_OK;
    if (output == JCS_UNKNOWN) {
        status = vl_image_fail(image, VL_IMAGE_UNSUPPORTED,
                               "JPEG with %d components in an unknown color space",
                               info.num_components);
    } else {
        status = vl_image_allocate(image, info.image_width, info.image_height, channels, max_pixels);
    }
    if (status == VL_IMAGE_OK && output == JCS_CMYK) {
        cmyk_row = malloc((size_t)info.image_width * 4);
        if (!cmyk_row) {
            status = vl_image_fail(image, VL_IMAGE_OUT_OF_MEMORY, "cannot allocate a CMYK row");
        }
    }
    if (status != VL_IMAGE_OK) {
        jpeg_destroy_decompress(&info);
        return status;
    }

    info.out_color_space = output;
    info.dct_method = JDCT_ISLOW;
    info.do_fancy_upsampling = TRUE;
    jpeg_start_decompress(&info);
    size_t stride = (size_t)image->width * channels;
    while (info.output_scanline < info.output_height) {
        uint8_t *out = image->pixels + stride * info.output_scanline;
        JSAMPROW row = output == JCS_CMYK ? cmyk_row : out;
        jpeg_read_scanlines(&info, &row, 1);
        if (output == JCS_CMYK) {
            jpeg_convert_cmyk_row(cmyk_row, out, image->width, channels);
        }
    }
    jpeg_finish_decompress(&info);
    jpeg_destroy_decompress(&info);
    free(cmyk_row);
    if (errors.truncated) {
        return vl_image_fail(image, VL_IMAGE_CORRUPT, "truncated: premature end of JPEG data");
    }
    return VL_IMAGE_OK;
}
