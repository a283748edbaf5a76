// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness for the config reader: the input bytes are read as a
 * pyproject.toml ([tool.asynclint] table) and as an asynclint.toml (keys at
 * the top level) with al_config_load_text, which runs the TOML parser
 * (toml.c) and the key checks (config.c); per-file-ignores globs that come
 * back are matched against a path, so the glob code sees fuzzed patterns
 * too. Errors are expected; crashes, sanitizer reports and leaks are bugs.
 * Built by -Dfuzz=true; run with `./dev fuzz config MINUTES`.
 */
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/error.h"
#include "config/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void load(const char *path, const uint8_t *data, size_t size) {
  al_arena *arena = al_arena_new();
  al_config config;
  bool found = false;
  al_error err;
  if (al_config_load_text(&config, &found, arena, path,
                          size ? (const char *)data : "", (uint32_t)size,
                          &err) &&
      found) {
    for (uint32_t i = 0; i < config.n_per_file_ignores; i++)
      (void)al_per_file_ignore_matches(&config.per_file_ignores[i],
                                       "/fuzz/pkg/sub/module_test.py");
  }
  al_arena_free(arena);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > (16u << 20)) // the file reader's limit (MAX_CONFIG_BYTES)
    return 0;
  load("/fuzz/pyproject.toml", data, size);
  load("/fuzz/asynclint.toml", data, size);
  return 0;
}
