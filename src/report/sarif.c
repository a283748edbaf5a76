// SPDX-License-Identifier: MIT
/*
 * SARIF 2.1.0 for GitHub code scanning and other SARIF viewers, built with
 * jansson (keys in a fixed order, so the output is deterministic and can
 * be diffed). One run: the tool with every registered rule once, in code
 * order; one result per diagnostic; one invocation whose notifications are
 * the tool's own problems (files that cannot be read, AL002, and paths that
 * cannot be linted).
 *
 * Locations: a path inside the current directory becomes a URI relative
 * to %SRCROOT% (declared in originalUriBaseIds as the current directory);
 * a path outside it (absolute, or climbing out with "..") becomes an
 * absolute file:// URI without a base. Paths are cleaned lexically (no
 * symlinks resolved) and percent-encoded. Regions are 1-based lines and
 * columns in code points (columnKind "unicodeCodePoints"); endColumn is
 * exclusive as SARIF wants, which is what the end position already is.
 *
 * Fixes: a result whose finding has a fix gets `fixes` (one fix: its
 * description and one artifactChange whose replacements are the edits,
 * deletedRegion in the columns above, insertedContent the new text).
 *
 * Fingerprints: partialFingerprints["asynclintLineHash/v1"] is "HASH:N",
 * HASH the 64-bit FNV-1a of the rule code and the normalised text of the
 * flagged line, N the occurrence of that pair in the file, so inserting or
 * moving unrelated code does not change it. Needs al_report_attach_source;
 * without a line the hash covers the code alone.
 */
#include "report/report.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report/report_p.h"

#define SARIF_SCHEMA                                                           \
  "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/"        \
  "sarif-schema-2.1.0.json"
#define INFORMATION_URI "https://github.com/asynclint/asynclint"
#define FINGERPRINT_KEY "asynclintLineHash/v1"
#define SRCROOT "%SRCROOT%"

// Notification descriptors (tool.driver.notifications), by index.
enum { NOTE_UNREADABLE_FILE, NOTE_PATH_PROBLEM };

// Builder helpers. jansson's *_new functions consume the value even when
// they fail (and fail on a NULL value or container), so a chain needs one
// check at the end; `ok` is sticky.
typedef struct {
  bool ok;
} builder;

static json_t *set(builder *b, json_t *obj, const char *key, json_t *value) {
  if (json_object_set_new(obj, key, value) != 0)
    b->ok = false;
  return obj;
}

static json_t *push(builder *b, json_t *arr, json_t *value) {
  if (json_array_append_new(arr, value) != 0)
    b->ok = false;
  return arr;
}

static json_t *text_object(const char *text) {
  json_t *o = json_object();
  if (o && json_object_set_new(o, "text", al_report__json_string(text)) != 0) {
    json_decref(o);
    return NULL;
  }
  return o;
}

static const char *level(const al_rule *r) {
  switch (r->severity) {
  case AL_SEV_ERROR:
    return "error";
  case AL_SEV_WARNING:
    return "warning";
  case AL_SEV_INFO:
    return "note";
  }
  return "warning";
}

// Paths and URIs -------------------------------------------------------------

typedef struct {
  char *buf;
  size_t len, cap;
} sbuf;

static void sb_putn(sbuf *s, const char *p, size_t n) {
  if (s->len + n + 1 > s->cap) {
    size_t cap = s->cap ? s->cap : 64;
    while (cap < s->len + n + 1)
      cap *= 2;
    char *nb = al_xmalloc(cap);
    if (s->len)
      memcpy(nb, s->buf, s->len);
    free(s->buf);
    s->buf = nb;
    s->cap = cap;
  }
  memcpy(s->buf + s->len, p, n);
  s->len += n;
  s->buf[s->len] = '\0';
}

static void sb_puts(sbuf *s, const char *p) { sb_putn(s, p, strlen(p)); }

// Segments of a path after lexical cleaning: "." and empty segments
// dropped, ".." popping the previous one. *outside is set when ".." climbs
// above the start.
typedef struct {
  al_str seg[256];
  uint32_t n;
  bool overflow; // more than 256 segments: the path is kept as given
} segments;

static void split_clean(segments *s, const char *path, bool *outside) {
  for (const char *p = path; *p;) {
    const char *e = strchr(p, '/');
    size_t len = e ? (size_t)(e - p) : strlen(p);
    if (len == 0 || (len == 1 && p[0] == '.')) {
      // nothing
    } else if (len == 2 && p[0] == '.' && p[1] == '.') {
      if (s->n)
        s->n--;
      else if (outside)
        *outside = true;
    } else if (s->n < sizeof s->seg / sizeof s->seg[0]) {
      s->seg[s->n++] = (al_str){p, len};
    } else {
      s->overflow = true;
    }
    p += len;
    if (*p == '/')
      p++;
  }
}

static bool unreserved(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
}

// Appends the segments percent-encoded and joined with '/' (leading '/'
// when absolute).
static void put_segments(sbuf *s, const segments *sg, uint32_t from,
                         bool absolute) {
  for (uint32_t i = from; i < sg->n; i++) {
    if (absolute || i > from)
      sb_puts(s, "/");
    for (size_t k = 0; k < sg->seg[i].len; k++) {
      unsigned char c = (unsigned char)sg->seg[i].ptr[k];
      char esc[4];
      if (unreserved(c)) {
        sb_putn(s, (const char *)&c, 1);
      } else {
        snprintf(esc, sizeof esc, "%%%02X", c);
        sb_puts(s, esc);
      }
    }
  }
}

// The current directory, malloc'd, or NULL.
static char *current_dir(void) {
  size_t size = 256;
  for (;;) {
    char *buf = al_xmalloc(size);
    if (getcwd(buf, size))
      return buf;
    free(buf);
    if (errno != ERANGE || size > ((size_t)1 << 20))
      return NULL;
    size *= 2;
  }
}

// The artifactLocation of path: {uri, uriBaseId} inside cwd, {uri} with a
// file:// URI outside it.
static json_t *artifact_location(builder *b, const char *path,
                                 const char *cwd) {
  json_t *loc = json_object();
  sbuf uri = {0};
  bool outside = false;
  segments rel = {0};
  if (path[0] != '/')
    split_clean(&rel, path, &outside);
  if (path[0] != '/' && !outside && !rel.overflow) {
    put_segments(&uri, &rel, 0, false);
    if (!uri.len) // "." itself: the root
      sb_puts(&uri, "./");
    set(b, loc, "uri", json_string(uri.buf));
    set(b, loc, "uriBaseId", json_string(SRCROOT));
    free(uri.buf);
    return loc;
  }
  // Absolute: the path itself, or cwd joined with the relative path.
  segments abs = {0};
  if (path[0] != '/' && cwd)
    split_clean(&abs, cwd, NULL);
  split_clean(&abs, path, NULL);
  segments base = {0};
  if (cwd)
    split_clean(&base, cwd, NULL);
  bool under = cwd && abs.n > base.n && !abs.overflow && !base.overflow;
  for (uint32_t i = 0; under && i < base.n; i++)
    under = al_str_eq(abs.seg[i], base.seg[i]);
  if (under) {
    put_segments(&uri, &abs, base.n, false);
    set(b, loc, "uri", json_string(uri.buf));
    set(b, loc, "uriBaseId", json_string(SRCROOT));
  } else {
    sb_puts(&uri, "file://");
    put_segments(&uri, &abs, 0, true);
    if (abs.n == 0)
      sb_puts(&uri, "/");
    set(b, loc, "uri", json_string(uri.buf));
  }
  free(uri.buf);
  return loc;
}

static json_t *srcroot(builder *b, const char *cwd) {
  sbuf uri = {0};
  segments sg = {0};
  split_clean(&sg, cwd, NULL);
  sb_puts(&uri, "file://");
  put_segments(&uri, &sg, 0, true);
  sb_puts(&uri, "/");
  json_t *root = json_object(), *loc = json_object();
  set(b, loc, "uri", json_string(uri.buf));
  set(b, root, SRCROOT, loc);
  free(uri.buf);
  return root;
}

// Rules ----------------------------------------------------------------------

// The "What it does" paragraph of a rule's doc, lines joined, or NULL.
static char *what_it_does(const char *doc) {
  const char *p = doc ? strstr(doc, "What it does\n") : NULL;
  if (!p)
    return NULL;
  p += strlen("What it does\n");
  const char *end = strstr(p, "\n\n");
  if (!end)
    end = p + strlen(p);
  sbuf s = {0};
  bool space = false;
  for (; p < end; p++) {
    if (*p == ' ' || *p == '\n' || *p == '\t') {
      space = s.len > 0;
      continue;
    }
    if (space)
      sb_puts(&s, " ");
    space = false;
    sb_putn(&s, p, 1);
  }
  return s.buf;
}

static const char *family_tag(const char *code) {
  switch (code[2]) {
  case '0':
    return "parse";
  case '1':
    return "coroutine";
  case '2':
    return "blocking";
  case '3':
    return "protocol";
  case '4':
    return "event-loop";
  default:
    return "async";
  }
}

static json_t *rule_object(builder *b, const al_rule *r) {
  json_t *o = json_object();
  set(b, o, "id", json_string(r->code));
  set(b, o, "name", json_string(r->name));
  const char *summary = r->summary ? r->summary : r->name;
  set(b, o, "shortDescription", text_object(summary));
  char *full = what_it_does(r->doc);
  set(b, o, "fullDescription", text_object(full ? full : summary));
  free(full);
  set(b, o, "help", text_object(r->doc ? r->doc : summary));
  char uri[128];
  char lower[16];
  size_t i = 0;
  for (; r->code[i] && i + 1 < sizeof lower; i++)
    lower[i] =
        (char)(r->code[i] >= 'A' && r->code[i] <= 'Z' ? r->code[i] - 'A' + 'a'
                                                      : r->code[i]);
  lower[i] = '\0';
  snprintf(uri, sizeof uri, "%s#%s", INFORMATION_URI, lower);
  set(b, o, "helpUri", json_string(uri));
  json_t *conf = json_object();
  set(b, conf, "enabled", json_boolean(r->default_on));
  set(b, conf, "level", json_string(r->default_on ? level(r) : "note"));
  set(b, o, "defaultConfiguration", conf);
  json_t *props = json_object(), *tags = json_array();
  push(b, tags, json_string(family_tag(r->code)));
  if (!r->default_on)
    push(b, tags, json_string("opt-in"));
  set(b, props, "tags", tags);
  set(b, o, "properties", props);
  return o;
}

static json_t *notification_descriptor(builder *b, const char *id,
                                       const char *text) {
  json_t *o = json_object();
  set(b, o, "id", json_string(id));
  set(b, o, "shortDescription", text_object(text));
  return o;
}

static json_t *driver(builder *b, const al_report_input *in) {
  json_t *d = json_object();
  set(b, d, "name", json_string("asynclint"));
  const char *version = in->version ? in->version : "unknown";
  set(b, d, "version", al_report__json_string(version));
  // semanticVersion must be SemVer: only set it for a version that starts
  // like one (a hand build says "unknown").
  if (version[0] >= '0' && version[0] <= '9')
    set(b, d, "semanticVersion", al_report__json_string(version));
  set(b, d, "informationUri", json_string(INFORMATION_URI));
  json_t *rules = json_array();
  uint32_t n;
  const al_rule *const *all = al_rules_all(&n);
  for (uint32_t i = 0; i < n; i++)
    push(b, rules, rule_object(b, all[i]));
  set(b, d, "rules", rules);
  json_t *notes = json_array();
  push(b, notes,
       notification_descriptor(b, "AL002", "a file cannot be read or decoded"));
  push(b, notes,
       notification_descriptor(b, "path-problem",
                               "a path cannot be searched or does not exist"));
  set(b, d, "notifications", notes);
  return d;
}

// Results --------------------------------------------------------------------

// Position of rule in al_rules_all, or -1 for a rule that is not
// registered (unit tests use such descriptors).
static json_int_t rule_index(const al_rule *r) {
  uint32_t n;
  const al_rule *const *all = al_rules_all(&n);
  for (uint32_t i = 0; i < n; i++)
    if (all[i] == r)
      return (json_int_t)i;
  return -1;
}

static json_t *region(builder *b, const al_report_item *it) {
  json_t *r = json_object();
  set(b, r, "startLine", json_integer(it->start.line));
  set(b, r, "startColumn", json_integer(it->start.column));
  set(b, r, "endLine", json_integer(it->end.line));
  set(b, r, "endColumn", json_integer(it->end.column));
  return r;
}

static json_t *location(builder *b, const char *path, const al_report_item *it,
                        const char *cwd) {
  json_t *loc = json_object(), *phys = json_object();
  set(b, phys, "artifactLocation", artifact_location(b, path, cwd));
  if (it)
    set(b, phys, "region", region(b, it));
  set(b, loc, "physicalLocation", phys);
  return loc;
}

static uint64_t fnv1a(uint64_t h, const char *s, size_t len) {
  for (size_t i = 0; i < len; i++) {
    h ^= (unsigned char)s[i];
    h *= 1099511628211ull;
  }
  return h;
}

static json_t *fingerprints(builder *b, const al_report_item *it) {
  uint64_t h = 1469598103934665603ull;
  h = fnv1a(h, it->rule->code, strlen(it->rule->code) + 1); // with the NUL
  const char *key = it->key ? it->key : "";
  h = fnv1a(h, key, strlen(key));
  char value[48];
  snprintf(value, sizeof value, "%016" PRIx64 ":%" PRIu32, h,
           it->occurrence + 1);
  json_t *fp = json_object();
  set(b, fp, FINGERPRINT_KEY, json_string(value));
  return fp;
}

static json_t *region_of(builder *b, al_position start, al_position end) {
  json_t *r = json_object();
  set(b, r, "startLine", json_integer(start.line));
  set(b, r, "startColumn", json_integer(start.column));
  set(b, r, "endLine", json_integer(end.line));
  set(b, r, "endColumn", json_integer(end.column));
  return r;
}

// fixes: the finding's fix as one artifactChange of its file, each edit a
// replacement (deletedRegion in the same columns as the rest of the log,
// empty for an insertion; insertedContent, empty for a deletion).
static json_t *fixes(builder *b, const al_report_item *it, const char *cwd) {
  const al_fix *f = it->fix;
  json_t *fix = json_object(), *changes = json_array(), *change = json_object(),
         *repls = json_array();
  set(b, fix, "description", text_object(f->message));
  set(b, change, "artifactLocation", artifact_location(b, it->path, cwd));
  for (uint32_t i = 0; i < f->n_edits; i++) {
    const al_edit *e = &f->edits[i];
    json_t *r = json_object();
    set(b, r, "deletedRegion",
        region_of(b, al_position_of_byte(it->lines, e->start),
                  al_position_of_byte(it->lines, e->end)));
    set(b, r, "insertedContent", text_object(e->content));
    push(b, repls, r);
  }
  set(b, change, "replacements", repls);
  push(b, changes, change);
  set(b, fix, "artifactChanges", changes);
  json_t *list = json_array();
  push(b, list, fix);
  return list;
}

static json_t *result(builder *b, const al_report_item *it, const char *cwd) {
  json_t *r = json_object();
  set(b, r, "ruleId", json_string(it->rule->code));
  json_int_t index = rule_index(it->rule);
  if (index >= 0)
    set(b, r, "ruleIndex", json_integer(index));
  set(b, r, "level", json_string(level(it->rule)));
  set(b, r, "message", text_object(it->message));
  json_t *locs = json_array();
  push(b, locs, location(b, it->path, it, cwd));
  set(b, r, "locations", locs);
  set(b, r, "partialFingerprints", fingerprints(b, it));
  if (it->fix)
    set(b, r, "fixes", fixes(b, it, cwd));
  return r;
}

// Invocation -----------------------------------------------------------------

static json_t *notification(builder *b, const char *id, int index,
                            const char *lvl, const char *message, json_t *loc) {
  json_t *n = json_object(), *desc = json_object();
  set(b, desc, "id", json_string(id));
  set(b, desc, "index", json_integer(index));
  set(b, n, "descriptor", desc);
  set(b, n, "level", json_string(lvl));
  set(b, n, "message", text_object(message));
  json_t *locs = json_array();
  push(b, locs, loc);
  set(b, n, "locations", locs);
  return n;
}

static json_t *invocation(builder *b, const al_report_input *in,
                          const char *cwd) {
  json_t *inv = json_object(), *notes = json_array();
  set(b, inv, "executionSuccessful", json_boolean(!in->execution_failed));
  for (uint32_t i = 0; i < in->n_problems; i++) {
    const al_report_problem *p = &in->problems[i];
    push(b, notes,
         notification(b, "path-problem", NOTE_PATH_PROBLEM,
                      p->fatal ? "error" : "warning", p->message,
                      location(b, p->path, NULL, cwd)));
  }
  for (uint32_t i = 0; i < in->n_items; i++) {
    const al_report_item *it = &in->items[i];
    if (strcmp(it->rule->code, "AL002") != 0)
      continue;
    push(b, notes,
         notification(b, "AL002", NOTE_UNREADABLE_FILE, "error", it->message,
                      location(b, it->path, it, cwd)));
  }
  set(b, inv, "toolExecutionNotifications", notes);
  return inv;
}

static json_t *document(builder *b, const al_report_input *in,
                        const char *cwd) {
  json_t *root = json_object(), *run = json_object(), *tool = json_object();
  set(b, root, "$schema", json_string(SARIF_SCHEMA));
  set(b, root, "version", json_string("2.1.0"));
  set(b, tool, "driver", driver(b, in));
  set(b, run, "tool", tool);
  json_t *invs = json_array();
  push(b, invs, invocation(b, in, cwd));
  set(b, run, "invocations", invs);
  set(b, run, "originalUriBaseIds", srcroot(b, cwd ? cwd : "/"));
  set(b, run, "columnKind", json_string("unicodeCodePoints"));
  json_t *results = json_array();
  for (uint32_t i = 0; i < in->n_items; i++)
    push(b, results, result(b, &in->items[i], cwd));
  set(b, run, "results", results);
  if (in->n_python_path) { // the environment's site directories read
    json_t *props = json_object(), *dirs = json_array();
    for (uint32_t i = 0; i < in->n_python_path; i++)
      push(b, dirs, json_string(in->python_path[i]));
    set(b, props, "pythonPath", dirs);
    set(b, run, "properties", props);
  }
  json_t *runs = json_array();
  push(b, runs, run);
  set(b, root, "runs", runs);
  return root;
}

bool al_report_sarif(FILE *out, const al_report_input *in) {
  builder b = {true};
  char *cwd = current_dir();
  json_t *root = document(&b, in, cwd);
  free(cwd);
  bool ok = b.ok && root &&
            json_dumpf(root, out, JSON_PRESERVE_ORDER | JSON_INDENT(2)) == 0 &&
            fputc('\n', out) != EOF;
  json_decref(root);
  return ok && fflush(out) == 0 && !ferror(out);
}
