// Shared helpers of the JPEG and PNG wrappers: error messages, release, Pillow's CMYK → RGB.

#include "codecs_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

vl_image_status vl_image_fail(vl_image *image, vl_image_status status, const char *format, ...) {
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(image->message, sizeof image->message, format, arguments);
    va_end(arguments);
    vl_image_release(image);
    return status;
}

void vl_image_release(vl_image *image) {
    free(image->pixels);
    image->pixels = NULL;
}

/// Pillow's MULDIV255: a · b / 255, rounded, without a division.
static inline uint32_t multiply_divide_255(uint32_t a, uint32_t b) {
    uint32_t product = a * b + 128;
    return ((product >> 8) + product) >> 8;
}

void vl_cmyk_to_rgb(const uint8_t cmyk[4], uint8_t rgb[3]) {
    uint32_t not_black = 255 - cmyk[3];
    for (int channel = 0; channel < 3; channel++) {
        // not_black ≥ c · not_black / 255, so the result never leaves [0, 255].
        rgb[channel] = (uint8_t)(not_black - multiply_divide_255(cmyk[channel], not_black));
    }
}

vl_image_status vl_image_allocate(vl_image *image, uint32_t width, uint32_t height,
                                  uint32_t channels, uint64_t max_pixels) {
    if (width == 0 || height == 0) {
        return vl_image_fail(image, VL_IMAGE_EMPTY, "image has zero size (%u x %u)", width, height);
    }
    uint64_t pixels = (uint64_t)width * height;
    if (pixels > max_pixels) {
        return vl_image_fail(image, VL_IMAGE_TOO_LARGE,
                             "%u x %u = %llu pixels exceeds the limit of %llu", width, height,
                             (unsigned long long)pixels, (unsigned long long)max_pixels);
    }
    image->pixels = malloc((size_t)(pixels * channels));
    if (!image->pixels) {
        return vl_image_fail(image, VL_IMAGE_OUT_OF_MEMORY, "cannot allocate %u x %u pixels",
                             width, height);
    }
    image->width = width;
    image->height = height;
    image->channels = channels;
    return VL_IMAGE_OK;
}
