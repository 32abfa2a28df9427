// zlib's inflate interface (Debian: zlib1g-dev), used to read gzip-compressed vocabularies.
#include <zlib.h>
