// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness: lint the input bytes as the file "fuzz.py" through the
 * whole pipeline (al_run with stdin_bytes: read, decode, parse, extract,
 * index, every rule including the opt-in ones, suppress, sort), on one
 * thread and without any config file, then free everything. A crash, a
 * sanitizer report, a leak or a timeout is a bug. Built by -Dfuzz=true;
 * run with `./dev fuzz lint MINUTES` (fuzz/README.md).
 */
#include <stddef.h>
#include <stdint.h>

#include "cli/run.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const char *const paths[] = {"-"};
  static const char *const select[] = {"ALL"};
  al_run_opts opts = {
      .paths = paths,
      .n_paths = 1,
      .stdin_filename = "fuzz.py",
      // libFuzzer's buffer is exactly size bytes: any read past the end is
      // an ASan report.
      .stdin_bytes = size ? (const char *)data : "",
      .stdin_len = size,
      .threads = 1,
      .config_mode = AL_CONFIG_ISOLATED,
      .select = select,
      .n_select = 1,
  };
  al_run_result result;
  al_run(&result, &opts);
  al_run_free(&result);
  return 0;
}
