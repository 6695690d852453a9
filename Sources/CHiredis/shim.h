#ifndef CHIREDIS_SHIM_H
#define CHIREDIS_SHIM_H
/* pkgConfig is deliberately not set on this target: hiredis.pc carries -D_FILE_OFFSET_BITS=64,
   which SwiftPM rejects with a warning on every build; the include path below is enough. */
#include <hiredis/hiredis.h>
#include <hiredis/read.h>

/* Function-like macros are not imported by Swift; wrap the ones we use. */
static inline const char *chiredis_reader_error(redisReader *r) { return r->errstr; }
#endif
