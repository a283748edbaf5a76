// SPDX-License-Identifier: MIT
/*
 * GitHub Actions workflow commands: one annotation per diagnostic,
 *   ::error file=PATH,line=L,col=C,endLine=EL,endColumn=EC,title=AL100
 *   (unawaited-coroutine)::message
 * (error for E rules, warning for W, notice for I), escaped the way the
 * Actions runner unescapes: `%`, CR and LF in the message, and also `:` and
 * `,` in property values. Columns are 1-based code points, as everywhere.
 * No summary or grouping commands.
 */
#include "report/report.h"

#include <inttypes.h>

// The workflow command of a severity: GitHub's name for info is notice.
static const char *command(al_severity sev) {
  return sev == AL_SEV_ERROR  ? "error"
         : sev == AL_SEV_INFO ? "notice"
                              : "warning";
}

// Writes s escaped; property values (in_property) also escape ':' and ','.
static bool put_escaped(FILE *out, const char *s, bool in_property) {
  for (; s && *s; s++) {
    const char *esc = NULL;
    switch (*s) {
    case '%':
      esc = "%25";
      break;
    case '\r':
      esc = "%0D";
      break;
    case '\n':
      esc = "%0A";
      break;
    case ':':
      esc = in_property ? "%3A" : NULL;
      break;
    case ',':
      esc = in_property ? "%2C" : NULL;
      break;
    default:
      break;
    }
    if (esc ? fputs(esc, out) == EOF : putc(*s, out) == EOF)
      return false;
  }
  return true;
}

static bool annotation(FILE *out, const al_report_item *it) {
  bool ok = fprintf(out, "::%s file=", command(it->rule->severity)) >= 0;
  ok = ok && put_escaped(out, it->path, true);
  ok = ok && fprintf(out,
                     ",line=%" PRIu32 ",col=%" PRIu32 ",endLine=%" PRIu32
                     ",endColumn=%" PRIu32 ",title=",
                     it->start.line, it->start.column, it->end.line,
                     it->end.column) >= 0;
  ok = ok && put_escaped(out, it->rule->code, true);
  ok = ok && fputs(" (", out) != EOF;
  ok = ok && put_escaped(out, it->rule->name, true);
  ok = ok && fputs(")::", out) != EOF;
  ok = ok && put_escaped(out, it->message, false);
  return ok && putc('\n', out) != EOF;
}

bool al_report_github(FILE *out, const al_report_input *in) {
  for (uint32_t i = 0; i < in->n_items; i++)
    if (!annotation(out, &in->items[i]))
      return false;
  return fflush(out) == 0 && !ferror(out);
}
