// SPDX-License-Identifier: MIT
/*
 * The passes of --fix and --diff. Each pass is a whole al_run (the cache
 * makes unchanged files cheap; files changed by an earlier pass are read
 * from memory through al_run_opts.overlay, so re-linting sees the fixed
 * text and the files that import them see it too). Nothing touches the
 * disk until every pass is done: a failed pass leaves no half-fixed tree.
 * What a fix means is the rules' business; this file only routes text.
 */
#include "cli/fix.h"
#include "cli/fix_p.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/atomic_file.h"
#include "base/map.h"
#include "source/file.h"

#define PROG "asynclint"

// One file the fixes touched.
typedef struct {
  const char *fs_path; // malloc'd; NULL for standard input
  char *path;          // display path, malloc'd
  char *orig;          // bytes before any fix (malloc'd)
  size_t orig_len;
  char *cur; // bytes after the fixes so far (malloc'd), or NULL: as orig
  size_t cur_len;
  bool outside; // reached through a symbolic link out of the linted
                // directories: never fixed nor written
} fixed_file;

struct al_fixer {
  al_vec(fixed_file) files;
  al_map by_path;    // fs_path -> index into files (until finish sorts them)
  uint32_t *by_rule; // fixes applied, per registry index
  uint32_t n_rules;
  uint32_t applied;
  bool stdin_read;  // standard input was slurped into stdin_file
  char *stdin_orig; // standard input as read (malloc'd)
  size_t stdin_len;
  al_vec(char *) bugs; // broken fixes reported (to say each once)
  char **roots;        // the linted directories, real paths (malloc'd)
  uint32_t n_roots;
  bool active; // fixes are applied (--fix, --diff or the config)
  al_fix_policy policy;
};

// The file of fs_path (NULL: standard input) the fixer holds, or NULL.
// Worker threads call it through overlay: the map is only read then.
static fixed_file *find(al_fixer *self, const char *fs_path) {
  if (!fs_path) {
    for (uint32_t i = 0; i < self->files.len; i++)
      if (!self->files.items[i].fs_path)
        return &self->files.items[i];
    return NULL;
  }
  uint32_t i;
  if (!al_map_get(&self->by_path, (al_str){fs_path, strlen(fs_path)}, &i))
    return NULL;
  return &self->files.items[i];
}

static const char *overlay(void *data, const char *fs_path, size_t *len) {
  fixed_file *f = find(data, fs_path);
  if (!f || !f->cur)
    return NULL;
  *len = f->cur_len;
  return f->cur;
}

// The bytes of file i as the last pass linted them (copied into *f's orig
// the first time), or NULL when it cannot be read now.
// Whether the file at fs_path may be written: named on the command line,
// or really inside one of the linted directories (discovery follows
// symbolic links, which may lead out of them).
static bool inside(const al_fixer *self, const al_project_file *pf) {
  if (pf->explicit_)
    return true;
  char *real = realpath(pf->fs_path, NULL);
  bool in = false;
  for (uint32_t i = 0; real && !in && i < self->n_roots; i++) {
    size_t n = strlen(self->roots[i]);
    in = strncmp(real, self->roots[i], n) == 0 &&
         (real[n] == '/' || (n == 1 && self->roots[i][0] == '/'));
  }
  free(real);
  return in;
}

static fixed_file *file_of(al_fixer *self, const al_project_file *pf) {
  fixed_file *f = find(self, pf->fs_path);
  if (f)
    return f->outside ? NULL : f;
  fixed_file nf = {0};
  if (pf->fs_path && !inside(self, pf)) {
    fprintf(stderr,
            PROG ": %s: not fixed: a symbolic link leads out of the linted "
                 "directories\n",
            pf->path);
    nf = (fixed_file){.fs_path = al_xstrdup(pf->fs_path),
                      .path = al_xstrdup(pf->path),
                      .orig = al_xstrdup(""),
                      .outside = true};
    al_map_put(&self->by_path, (al_str){nf.fs_path, strlen(nf.fs_path)},
               self->files.len);
    vec_push(&self->files, nf);
    return NULL;
  }
  if (pf->fs_path) {
    al_arena *tmp = al_arena_new();
    al_source src;
    char *bytes;
    size_t len;
    if (!al_source_read_bytes(&src, tmp, pf->fs_path, pf->path, &bytes, &len)) {
      al_arena_free(tmp);
      return NULL;
    }
    nf.orig = al_xmalloc(len + 1);
    memcpy(nf.orig, bytes, len);
    nf.orig_len = len;
    nf.fs_path = al_xstrdup(pf->fs_path);
    al_arena_free(tmp);
  } else {
    if (!self->stdin_read)
      return NULL;
    nf.orig = al_xmalloc(self->stdin_len + 1);
    memcpy(nf.orig, self->stdin_orig, self->stdin_len);
    nf.orig_len = self->stdin_len;
  }
  nf.orig[nf.orig_len] = '\0';
  nf.path = al_xstrdup(pf->path);
  if (nf.fs_path)
    al_map_put(&self->by_path, (al_str){nf.fs_path, strlen(nf.fs_path)},
               self->files.len);
  vec_push(&self->files, nf);
  return &self->files.items[self->files.len - 1];
}

// Says once per distinct message that a rule's fix broke the file.
static void report_bug(al_fixer *self, const char *path, const al_diag *d) {
  char msg[512];
  snprintf(msg, sizeof msg,
           PROG ": bug: %s: the %s fix at %u:%u would add a syntax error; "
                "not applied (please report it)\n",
           path, d->rule->code, d->range.start_row + 1, d->range.start_col + 1);
  for (uint32_t i = 0; i < self->bugs.len; i++)
    if (strcmp(self->bugs.items[i], msg) == 0)
      return;
  fputs(msg, stderr);
  vec_push(&self->bugs, al_xstrdup(msg));
}

// The text of f the fixes apply to, its encoding and BOM and newline. For
// a UTF-8 file that is its bytes after the BOM (lone CRs kept: decoding
// turns them into LFs of the same length, so offsets agree); for another
// encoding the decoded text (then a lone CR could not be put back: such a
// file is left alone). Returns false when the bytes no longer match facts.
typedef struct {
  const char *text;
  uint32_t len;
  const char *encoding;
  bool bom;
  const char *newline;
} file_text;

static bool text_of(const fixed_file *f, al_arena *arena, const al_facts *facts,
                    file_text *out) {
  const char *bytes = f->cur ? f->cur : f->orig;
  size_t len = f->cur ? f->cur_len : f->orig_len;
  al_source src;
  if (!al_source_from_bytes(&src, arena, f->path, bytes, len) ||
      src.len != facts->text_len)
    return false;
  out->bom = len >= 3 && memcmp(bytes, "\xEF\xBB\xBF", 3) == 0;
  out->encoding = src.encoding;
  if (src.encoding) {
    for (size_t i = 0; i < len; i++)
      if (bytes[i] == '\r' && (i + 1 == len || bytes[i + 1] != '\n'))
        return false;
    out->text = src.text;
  } else {
    out->text = bytes + (out->bom ? 3 : 0);
  }
  out->len = src.len;
  const char *nl = memchr(out->text, '\n', out->len);
  out->newline = nl && nl > out->text && nl[-1] == '\r' ? "\r\n" : "\n";
  return true;
}

static uint32_t fix_file(al_fixer *self, const al_project_file *pf,
                         const al_diag *const *diags, uint32_t n);

bool al_fixer__text(al_fixer *self, const al_project_file *pf, al_arena *arena,
                    const char **text, uint32_t *len) {
  const al_facts *facts = pf->facts;
  if (!facts || facts->unreadable || facts->syntax_error)
    return false;
  fixed_file *f = file_of(self, pf);
  file_text ft;
  if (!f || !text_of(f, arena, facts, &ft))
    return false;
  *text = ft.text;
  *len = ft.len;
  return true;
}

uint32_t al_fixer__apply(al_fixer *self, const al_project_file *pf,
                         const al_diag *const *diags, uint32_t n) {
  return fix_file(self, pf, diags, n);
}

// Applies the fixes of diags[0..n) (all of file pf, sorted by position) to
// the file's text. Returns the number applied.
static uint32_t fix_file(al_fixer *self, const al_project_file *pf,
                         const al_diag *const *diags, uint32_t n) {
  const al_facts *facts = pf->facts;
  if (!facts || facts->unreadable || facts->syntax_error)
    return 0;
  fixed_file *f = file_of(self, pf);
  if (!f)
    return 0;
  al_arena *arena = al_arena_new();
  file_text ft;
  uint32_t applied = 0;
  if (text_of(f, arena, facts, &ft)) {
    const al_fix **fixes = al_xcalloc(n, sizeof *fixes);
    al_fix_outcome *outcome = al_xcalloc(n, sizeof *outcome);
    for (uint32_t i = 0; i < n; i++)
      fixes[i] = diags[i]->fix;
    uint32_t new_len;
    char *text =
        al_fix_apply(ft.text, ft.len, fixes, n, ft.newline, outcome, &new_len);
    size_t bytes_len = 0;
    char *bytes =
        text ? al_fix_encode(text, new_len, ft.encoding, ft.bom, &bytes_len)
             : NULL;
    // The bytes must read back as the text the fixes made (an encoding
    // that cannot hold a character, or an iconv that names it otherwise).
    al_source back;
    if (bytes &&
        (!al_source_from_bytes(&back, arena, f->path, bytes, bytes_len) ||
         back.len != new_len || memcmp(back.text, text, new_len))) {
      fprintf(stderr,
              PROG ": %s: fixes not applied: the result cannot be "
                   "written in the file's encoding (%s)\n",
              f->path, ft.encoding ? ft.encoding : "UTF-8");
      free(bytes);
      bytes = NULL;
    }
    for (uint32_t i = 0; i < n; i++) {
      if (outcome[i] == AL_FIX_BROKEN)
        report_bug(self, f->path, diags[i]);
      if (bytes && outcome[i] == AL_FIX_APPLIED) {
        applied++;
        self->by_rule[al_rule_index(diags[i]->rule)]++;
      }
    }
    if (bytes) {
      free(f->cur);
      f->cur = bytes;
      f->cur_len = bytes_len;
    }
    free(text);
    free(outcome);
    free(fixes);
  }
  al_arena_free(arena);
  return applied;
}

// One pass over res: the wanted fixes of each linted file.
static uint32_t fix_pass(al_fixer *self, const al_run_result *res,
                         const al_fix_policy *policy) {
  uint32_t applied = 0, n = res->diags.len;
  const al_diag **batch = al_xcalloc(n ? n : 1, sizeof *batch);
  for (uint32_t i = 0; i < n;) {
    uint32_t file = res->diags.items[i].file, k = 0;
    for (; i < n && res->diags.items[i].file == file; i++)
      if (al_fix_wanted(&res->diags.items[i], policy))
        batch[k++] = &res->diags.items[i];
    if (k && file < res->project.n_linted)
      applied += fix_file(self, &res->project.files.items[file], batch, k);
  }
  free(batch);
  return applied;
}

al_fixer *al_fixer_run(al_run_result *res, al_run_opts *opts,
                       al_fixes_wanted wanted, bool unsafe) {
  al_fixer *self = al_xcalloc(1, sizeof *self);
  al_rules_all(&self->n_rules);
  self->by_rule =
      al_xcalloc(self->n_rules ? self->n_rules : 1, sizeof *self->by_rule);
  opts->overlay = overlay;
  opts->overlay_data = self;
  for (uint32_t pass = 0;; pass++) {
    al_run(res, opts);
    if (res->config_failed)
      break;
    if (pass == 0) {
      // The first path's config may turn fixes on; a later pass reads "-"
      // from the fixer's copy (the first one read it).
      self->active = wanted == AL_FIXES_ON ||
                     (wanted == AL_FIXES_FROM_CONFIG && res->config_fix);
      self->policy = (al_fix_policy){unsafe || res->config_unsafe_fixes, NULL};
      self->roots = al_xcalloc(res->project.roots.len + 1, sizeof(char *));
      for (uint32_t i = 0; i < res->project.roots.len; i++)
        self->roots[self->n_roots++] = al_xstrdup(res->project.roots.items[i]);
      if (res->stdin_bytes) {
        self->stdin_orig = al_xmalloc(res->stdin_len + 1);
        memcpy(self->stdin_orig, res->stdin_bytes, res->stdin_len);
        self->stdin_len = res->stdin_len;
        self->stdin_read = true;
      }
    }
    if (!self->active || pass == AL_FIX_MAX_PASSES)
      break;
    self->policy.fixable = res->fixable;
    uint32_t applied = fix_pass(self, res, &self->policy);
    if (!applied)
      break;
    self->applied += applied;
    fixed_file *in = find(self, NULL);
    opts->stdin_bytes = in && in->cur ? in->cur : self->stdin_orig;
    opts->stdin_len = in && in->cur ? in->cur_len : self->stdin_len;
    al_run_free(res);
  }
  self->policy.fixable = NULL; // res's: the caller may free it first
  return self;
}

bool al_fixer_active(const al_fixer *self) { return self->active; }

al_fix_policy al_fixer_policy(const al_fixer *self, const al_run_result *res) {
  al_fix_policy p = self->policy;
  p.fixable = res->fixable;
  return p;
}

uint32_t al_fixer_count(const al_fixer *self, const uint32_t **by_rule) {
  if (by_rule)
    *by_rule = self->by_rule;
  return self->applied;
}

uint32_t al_fixer_changed_files(const al_fixer *self) {
  uint32_t n = 0;
  for (uint32_t i = 0; i < self->files.len; i++) {
    const fixed_file *f = &self->files.items[i];
    n += f->cur && (f->cur_len != f->orig_len ||
                    memcmp(f->cur, f->orig, f->orig_len) != 0);
  }
  return n;
}

// path as the diff names it: relative to the current directory.
static const char *diff_path(const char *path, char *buf, size_t size) {
  if (path[0] == '/') {
    char cwd[4096];
    if (getcwd(cwd, sizeof cwd)) {
      size_t n = strlen(cwd);
      if (strncmp(path, cwd, n) == 0 && path[n] == '/')
        path += n + 1;
    }
  }
  while (path[0] == '.' && path[1] == '/')
    path += 2;
  snprintf(buf, size, "%s", path);
  return buf;
}

// Whether the file at path still holds bytes[0..len) (it may have been
// edited while the passes ran: then it is not overwritten).
static bool unchanged(const char *path, const char *bytes, size_t len) {
  al_arena *tmp = al_arena_new();
  al_source src;
  char *now;
  size_t now_len;
  bool same = al_source_read_bytes(&src, tmp, path, path, &now, &now_len) &&
              now_len == len && memcmp(now, bytes, len) == 0;
  al_arena_free(tmp);
  return same;
}

// Writes f's new bytes over its file, atomically, keeping its mode. A
// symbolic link stays one: its target is rewritten.
static bool write_to(const fixed_file *f, const char *target) {
  struct stat st;
  if (stat(target, &st) != 0) {
    fprintf(stderr, PROG ": %s: not written: %s\n", f->path, strerror(errno));
    return false;
  }
  if (!S_ISREG(st.st_mode) || !unchanged(target, f->orig, f->orig_len)) {
    fprintf(stderr, PROG ": %s: not written: %s\n", f->path,
            S_ISREG(st.st_mode) ? "changed while it was being fixed"
                                : "not a regular file");
    return false;
  }
  al_atomic_file af;
  if (!al_atomic_open(&af, target)) {
    fprintf(stderr, PROG ": cannot write %s: %s\n", f->path, strerror(errno));
    return false;
  }
  bool ok = fwrite(f->cur, 1, f->cur_len, af.fp) == f->cur_len &&
            fflush(af.fp) == 0 &&
            fchmod(fileno(af.fp), st.st_mode & 07777) == 0;
  int e = errno;
  if (!al_atomic_commit(&af, ok) || !ok) {
    fprintf(stderr, PROG ": cannot write %s: %s\n", f->path,
            strerror(ok  ? errno
                     : e ? e
                         : EIO));
    return false;
  }
  return true;
}

static bool write_file(const fixed_file *f) {
  char *target = realpath(f->fs_path, NULL);
  if (!target) {
    fprintf(stderr, PROG ": %s: not written: %s\n", f->path, strerror(errno));
    return false;
  }
  bool ok = write_to(f, target);
  free(target);
  return ok;
}

static int cmp_fixed(const void *a, const void *b) {
  const fixed_file *x = a, *y = b;
  return strcmp(x->path, y->path);
}

bool al_fixer_finish(al_fixer *self, bool diff, FILE *out) {
  bool ok = true;
  al_map_free(&self->by_path); // the indices change: no lookup after this
  self->by_path = AL_MAP_INIT;
  if (self->files.len > 1)
    qsort(self->files.items, self->files.len, sizeof(fixed_file), cmp_fixed);
  bool stdin_done = false;
  for (uint32_t i = 0; i < self->files.len; i++) {
    const fixed_file *f = &self->files.items[i];
    if (!f->cur)
      continue;
    if (diff) {
      char buf[4096];
      ok &= al_fix_diff(out, diff_path(f->path, buf, sizeof buf), f->orig,
                        f->orig_len, f->cur, f->cur_len);
    } else if (!f->fs_path) {
      ok &= fwrite(f->cur, 1, f->cur_len, out) == f->cur_len;
      stdin_done = true;
    } else {
      ok &= write_file(f);
    }
  }
  // `asynclint --fix -` is a filter: the source comes out even unfixed.
  if (!diff && !stdin_done && self->stdin_read)
    ok &= fwrite(self->stdin_orig, 1, self->stdin_len, out) == self->stdin_len;
  return ok;
}

void al_fixer_free(al_fixer *self) {
  if (!self)
    return;
  for (uint32_t i = 0; i < self->files.len; i++) {
    fixed_file *f = &self->files.items[i];
    free((char *)f->fs_path);
    free(f->path);
    free(f->orig);
    free(f->cur);
  }
  vec_free(&self->files);
  al_map_free(&self->by_path);
  for (uint32_t i = 0; i < self->n_roots; i++)
    free(self->roots[i]);
  free(self->roots);
  for (uint32_t i = 0; i < self->bugs.len; i++)
    free(self->bugs.items[i]);
  vec_free(&self->bugs);
  free(self->by_rule);
  free(self->stdin_orig);
  free(self);
}
