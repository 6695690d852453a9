#ifndef CCRYPT_SHIM_H
#define CCRYPT_SHIM_H
/* libxcrypt (Debian's libcrypt-dev): crypt_r for verifying bcrypt ($2y$, $2b$, $2a$) hashes. */
#include <crypt.h>
#endif
