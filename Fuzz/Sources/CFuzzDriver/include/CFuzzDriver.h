#ifndef CFUZZDRIVER_H
#define CFUZZDRIVER_H
#include <stddef.h>
#include <stdint.h>
/* libFuzzer's entry point for programs that keep their own main (provided by -sanitize=fuzzer).
   SwiftPM names every executable's entry point <Target>_main and aliases main to it, so the
   targets cannot rely on libFuzzer's own main; they call this from main.swift instead. */
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
#endif
