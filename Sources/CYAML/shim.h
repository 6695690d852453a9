#ifndef CYAML_SHIM_H
#define CYAML_SHIM_H
/* libyaml (Debian libyaml-dev at build time, libyaml-0-2 at run time): the event parser only.
   Its API is plain functions and structs, so nothing needs wrapping. */
#include <yaml.h>
#endif
