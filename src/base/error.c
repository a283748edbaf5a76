// SPDX-License-Identifier: MIT
/* Assertion failure and al_error filling. */
#include "base/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void al__assert_fail(const char *expr, const char *file, int line) {
  fprintf(stderr, "asynclint: internal error: assertion '%s' failed at %s:%d\n",
          expr, file, line);
  abort();
}

_Bool al_error_set(al_error *err, const char *path, uint32_t line,
                   uint32_t column, const char *fmt, ...) {
  if (!err)
    return 0;
  snprintf(err->path, sizeof err->path, "%s", path ? path : "");
  err->line = line;
  err->column = column;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err->message, sizeof err->message, fmt, ap);
  va_end(ap);
  return 0;
}
