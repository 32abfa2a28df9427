// Helpers shared by the JPEG and PNG wrappers; not part of the module's public header.

#ifndef VL_CODECS_INTERNAL_H
#define VL_CODECS_INTERNAL_H

#include "include/CImageCodecs.h"

/// Writes the message, frees any pixels, and returns `status`.
vl_image_status vl_image_fail(vl_image *image, vl_image_status status, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/// Checks the size against the limits and allocates `image->pixels`.
vl_image_status vl_image_allocate(vl_image *image, uint32_t width, uint32_t height,
                                  uint32_t channels, uint64_t max_pixels);

#endif
