// SPDX-License-Identifier: MIT
/*
 * The default output format: one `path:line:col: CODE message` line per
 * diagnostic, the exact form of the diagnostic contract. It prints no
 * summary (the CLI writes that to stderr) and no colours.
 */
#include "report/report.h"

#include <inttypes.h>

bool al_report_text(FILE *out, const al_report_input *in) {
  for (uint32_t i = 0; i < in->n_items; i++) {
    const al_report_item *it = &in->items[i];
    if (fprintf(out, "%s:%" PRIu32 ":%" PRIu32 ": %s %s\n", it->path,
                it->start.line, it->start.column, it->rule->code,
                it->message) < 0)
      return false;
  }
  // The lines may still sit in the buffer: flush so that a full disk or a
  // closed pipe shows up here rather than being lost at exit.
  return fflush(out) == 0 && !ferror(out);
}
