// SPDX-License-Identifier: MIT
/*
 * Config files: reading the TOML values of asynclint's keys into an
 * al_config, with precise errors, and finding the file that applies to a
 * path. The key table below is the one list of keys: the parser, the
 * "did you mean" hint and the README all follow it.
 */
#include "config/config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/glob.h"
#include "base/path.h"
#include "base/vec.h"
#include "config/toml.h"
#include "rules/rule.h"

// Config files are small; a bigger one is a mistake, not a config.
#define MAX_CONFIG_BYTES (16u << 20)

typedef enum {
  KEY_SELECT,
  KEY_IGNORE,
  KEY_EXTEND_SELECT,
  KEY_EXCLUDE,
  KEY_EXTEND_EXCLUDE,
  KEY_PER_FILE_IGNORES,
  KEY_BLOCKING_CALLS,
  KEY_COROUTINE_FUNCTIONS,
  KEY_ASYNC_CONTEXT_MANAGERS,
  KEY_THREADS,
  KEY_RESPECT_GITIGNORE,
  KEY_PYTHON_PATH,
  KEY_FIX,
  KEY_UNSAFE_FIXES,
  KEY_FIXABLE,
  KEY_UNFIXABLE,
  N_KEYS,
} key_id;

const char *const al_config_keys[] = {
    "select",
    "ignore",
    "extend-select",
    "exclude",
    "extend-exclude",
    "per-file-ignores",
    "blocking-calls",
    "coroutine-functions",
    "async-context-managers",
    "threads",
    "respect-gitignore",
    "python-path",
    "fix",
    "unsafe-fixes",
    "fixable",
    "unfixable",
    NULL,
};

typedef struct {
  al_arena *arena;
  const char *path;  // for messages
  const char *where; // " in [tool.asynclint]" or ""
  al_error *err;
} loader;

static bool fail(loader *l, uint32_t line, uint32_t col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static bool fail(loader *l, uint32_t line, uint32_t col, const char *fmt, ...) {
  char msg[400];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return al_error_set(l->err, l->path, line, col, "%s", msg);
}

// Levenshtein distance of two short strings (keys), capped at 32 chars.
static size_t distance(const char *a, const char *b) {
  size_t n = strlen(a), m = strlen(b);
  if (n > 32 || m > 32)
    return 99;
  size_t row[33];
  for (size_t j = 0; j <= m; j++)
    row[j] = j;
  for (size_t i = 1; i <= n; i++) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= m; j++) {
      size_t up = row[j];
      size_t best = diag + (a[i - 1] != b[j - 1]);
      if (up + 1 < best)
        best = up + 1;
      if (row[j - 1] + 1 < best)
        best = row[j - 1] + 1;
      row[j] = best;
      diag = up;
    }
  }
  return row[m];
}

// The known key closest to an unknown one, or NULL when none is close.
static const char *suggest(const char *key) {
  const char *best = NULL;
  size_t best_d = 99;
  for (size_t i = 0; al_config_keys[i]; i++) {
    size_t d = distance(key, al_config_keys[i]);
    if (d < best_d) {
      best_d = d;
      best = al_config_keys[i];
    }
  }
  size_t len = strlen(key);
  return best && (best_d <= 2 || best_d * 3 <= len) ? best : NULL;
}

static bool is_qualified_name(const char *s) {
  size_t n = strlen(s);
  if (n == 0 || s[0] == '.' || s[n - 1] == '.')
    return false;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '_' || c == '.';
    if (!ok || (c == '.' && s[i + 1] == '.'))
      return false;
  }
  return !(s[0] >= '0' && s[0] <= '9');
}

typedef enum { ITEM_ANY, ITEM_SELECTOR, ITEM_NAME } item_check;

// Reads an array of strings, checking each item.
static bool read_list(loader *l, const char *key, const al_toml_value *v,
                      item_check check, al_config_list *out) {
  if (v->kind != AL_TOML_ARRAY)
    return fail(l, v->line, v->col, "'%s' must be an array of strings (got %s)",
                key, al_toml_kind_name(v->kind));
  const char **items =
      al_arena_alloc(l->arena, (v->n_items + 1) * sizeof *items);
  uint32_t n = 0;
  uint32_t n_rules;
  al_rules_all(&n_rules);
  bool scratch[512];
  for (const al_toml_value *it = v->first_item; it; it = it->next_item) {
    if (it->kind != AL_TOML_STRING)
      return fail(l, it->line, it->col,
                  "'%s' must be an array of strings (got %s in it)", key,
                  al_toml_kind_name(it->kind));
    if (strlen(it->str) != it->str_len)
      return fail(l, it->line, it->col, "'%s': NUL character in a string", key);
    if (check == ITEM_SELECTOR) {
      al_error e = {0};
      bool *enabled = n_rules <= 512 ? scratch : al_xcalloc(n_rules, 1);
      bool ok = al_rules_select(enabled, &it->str, 1, NULL, 0, &e);
      if (enabled != scratch)
        free(enabled);
      if (!ok)
        return fail(l, it->line, it->col, "%s in '%s'", e.message, key);
    } else if (check == ITEM_NAME && !is_qualified_name(it->str)) {
      return fail(l, it->line, it->col,
                  "'%s': '%s' is not a qualified name (expected a dotted "
                  "Python name such as 'mylib.fetch')",
                  key, it->str);
    }
    items[n++] = it->str;
  }
  *out = (al_config_list){items, n};
  return true;
}

// Exclude globs made ready for discover (see al_config_load).
static al_config_list anchor_globs(loader *l, const char *dir,
                                   al_config_list globs) {
  const char **items =
      al_arena_alloc(l->arena, (2 * globs.len + 1) * sizeof *items);
  uint32_t n = 0;
  for (uint32_t i = 0; i < globs.len; i++) {
    const char *g = globs.items[i];
    if (!strchr(g, '/'))
      items[n++] = g;
    items[n++] = al_path_join(l->arena, dir, g);
  }
  return (al_config_list){items, n};
}

static bool read_per_file_ignores(loader *l, al_config *c,
                                  const al_toml_value *v) {
  const char *key = "per-file-ignores";
  if (v->kind != AL_TOML_TABLE)
    return fail(l, v->line, v->col,
                "'%s' must be a table of glob = [rules] (got %s)", key,
                al_toml_kind_name(v->kind));
  uint32_t n = 0;
  for (const al_toml_entry *e = v->first_entry; e; e = e->next)
    n++;
  al_per_file_ignore *pfi = al_arena_alloc(l->arena, (n + 1) * sizeof *pfi);
  uint32_t i = 0;
  for (const al_toml_entry *e = v->first_entry; e; e = e->next, i++) {
    if (e->value->kind != AL_TOML_ARRAY)
      return fail(l, e->value->line, e->value->col,
                  "'%s' entry '%s' must be an array of rules (got %s)", key,
                  e->key, al_toml_kind_name(e->value->kind));
    if (!*e->key)
      return fail(l, e->line, e->col, "'%s': empty glob", key);
    pfi[i].glob = e->key;
    pfi[i].abs_glob = al_path_join(l->arena, c->dir, e->key);
    if (!read_list(l, key, e->value, ITEM_SELECTOR, &pfi[i].selectors))
      return false;
  }
  c->per_file_ignores = pfi;
  c->n_per_file_ignores = n;
  return true;
}

// python-path = ["DIR", ...]: each joined to the config's directory.
static bool read_python_path(loader *l, al_config *c, const al_toml_entry *e) {
  if (!read_list(l, e->key, e->value, ITEM_ANY, &c->python_path))
    return false;
  const char **items =
      al_arena_alloc(l->arena, (c->python_path.len + 1) * sizeof *items);
  for (uint32_t i = 0; i < c->python_path.len; i++)
    items[i] = al_path_join(l->arena, c->dir, c->python_path.items[i]);
  c->python_path.items = items;
  c->has_python_path = true;
  return true;
}

static bool read_key(loader *l, al_config *c, const al_toml_entry *e) {
  key_id id = N_KEYS;
  for (size_t i = 0; al_config_keys[i]; i++)
    if (strcmp(e->key, al_config_keys[i]) == 0)
      id = (key_id)i;
  const al_toml_value *v = e->value;
  switch (id) {
  case KEY_SELECT:
    c->has_select = true;
    return read_list(l, e->key, v, ITEM_SELECTOR, &c->select);
  case KEY_IGNORE:
    return read_list(l, e->key, v, ITEM_SELECTOR, &c->ignore);
  case KEY_EXTEND_SELECT:
    return read_list(l, e->key, v, ITEM_SELECTOR, &c->extend_select);
  case KEY_EXCLUDE:
    c->has_exclude = true;
    if (!read_list(l, e->key, v, ITEM_ANY, &c->exclude))
      return false;
    c->exclude = anchor_globs(l, c->dir, c->exclude);
    return true;
  case KEY_EXTEND_EXCLUDE:
    if (!read_list(l, e->key, v, ITEM_ANY, &c->extend_exclude))
      return false;
    c->extend_exclude = anchor_globs(l, c->dir, c->extend_exclude);
    return true;
  case KEY_PER_FILE_IGNORES:
    return read_per_file_ignores(l, c, v);
  case KEY_BLOCKING_CALLS:
    return read_list(l, e->key, v, ITEM_NAME, &c->blocking_calls);
  case KEY_COROUTINE_FUNCTIONS:
    return read_list(l, e->key, v, ITEM_NAME, &c->coroutine_functions);
  case KEY_ASYNC_CONTEXT_MANAGERS:
    return read_list(l, e->key, v, ITEM_NAME, &c->async_context_managers);
  case KEY_THREADS:
    if (v->kind != AL_TOML_INTEGER || v->integer < 1 ||
        v->integer > AL_MAX_THREADS) {
      if (v->kind == AL_TOML_INTEGER)
        return fail(l, v->line, v->col,
                    "'threads' must be an integer from 1 to %d (got %lld)",
                    AL_MAX_THREADS, (long long)v->integer);
      return fail(l, v->line, v->col,
                  "'threads' must be an integer from 1 to %d (got %s)",
                  AL_MAX_THREADS, al_toml_kind_name(v->kind));
    }
    c->threads = (uint32_t)v->integer;
    return true;
  case KEY_RESPECT_GITIGNORE:
    if (v->kind != AL_TOML_BOOLEAN)
      return fail(l, v->line, v->col,
                  "'respect-gitignore' must be a boolean (got %s)",
                  al_toml_kind_name(v->kind));
    c->has_respect_gitignore = true;
    c->respect_gitignore = v->boolean;
    return true;
  case KEY_PYTHON_PATH:
    return read_python_path(l, c, e);
  case KEY_FIX:
  case KEY_UNSAFE_FIXES:
    if (v->kind != AL_TOML_BOOLEAN)
      return fail(l, v->line, v->col, "'%s' must be a boolean (got %s)", e->key,
                  al_toml_kind_name(v->kind));
    *(id == KEY_FIX ? &c->fix : &c->unsafe_fixes) = v->boolean;
    return true;
  case KEY_FIXABLE:
    c->has_fixable = true;
    return read_list(l, e->key, v, ITEM_SELECTOR, &c->fixable);
  case KEY_UNFIXABLE:
    return read_list(l, e->key, v, ITEM_SELECTOR, &c->unfixable);
  case N_KEYS:
    break;
  }
  const char *hint = suggest(e->key);
  if (hint)
    return fail(l, e->line, e->col, "unknown key '%s'%s (did you mean '%s'?)",
                e->key, l->where, hint);
  return fail(l, e->line, e->col, "unknown key '%s'%s", e->key, l->where);
}

static bool is_pyproject(const char *path) {
  const char *slash = strrchr(path, '/');
  return strcmp(slash ? slash + 1 : path, "pyproject.toml") == 0;
}

// Reads a whole file into malloc'd memory (NUL-terminated).
static char *read_file(const char *path, uint32_t *len, int *error) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    *error = errno;
    return NULL;
  }
  size_t cap = 4096, n = 0;
  char *buf = al_xmalloc(cap);
  for (;;) {
    if (n + 1 >= cap) {
      if (cap > MAX_CONFIG_BYTES) {
        free(buf);
        fclose(f);
        *error = EFBIG;
        return NULL;
      }
      cap *= 2;
      buf = al_xrealloc(buf, cap);
    }
    size_t got = fread(buf + n, 1, cap - n - 1, f);
    if (got == 0)
      break;
    n += got;
  }
  if (ferror(f)) {
    *error = errno ? errno : EIO;
    free(buf);
    fclose(f);
    return NULL;
  }
  fclose(f);
  buf[n] = '\0';
  *len = (uint32_t)n;
  return buf;
}

bool al_config_load(al_config *out, bool *found, al_arena *arena,
                    const char *path, al_error *err) {
  memset(out, 0, sizeof *out);
  *found = false;
  struct stat st;
  if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
    return al_error_set(err, path, 0, 0, "cannot read config file: %s",
                        strerror(EISDIR));
  int error = 0;
  uint32_t len = 0;
  char *text = read_file(path, &len, &error);
  if (!text)
    return al_error_set(err, path, 0, 0, "cannot read config file: %s",
                        strerror(error));
  bool ok = al_config_load_text(out, found, arena, path, text, len, err);
  free(text);
  return ok;
}

bool al_config_load_text(al_config *out, bool *found, al_arena *arena,
                         const char *path, const char *text, uint32_t len,
                         al_error *err) {
  memset(out, 0, sizeof *out);
  *found = false;
  bool pyproject = is_pyproject(path);
  loader l = {arena, al_arena_strndup(arena, path, strlen(path)),
              pyproject ? " in [tool.asynclint]" : "", err};
  out->path = l.path;
  out->dir = al_path_parent(arena, al_path_absolute(arena, path));
  const al_toml_value *root = al_toml_parse(arena, l.path, text, len, err);
  if (!root)
    return false;
  const al_toml_value *table = root;
  if (pyproject) {
    const al_toml_entry *tool = al_toml_find(root, "tool");
    const al_toml_entry *mine =
        tool ? al_toml_find(tool->value, "asynclint") : NULL;
    if (!mine)
      return true; // not a config: *found stays false
    if (mine->value->kind != AL_TOML_TABLE)
      return fail(&l, mine->value->line, mine->value->col,
                  "'tool.asynclint' must be a table (got %s)",
                  al_toml_kind_name(mine->value->kind));
    table = mine->value;
  }
  *found = true;
  for (const al_toml_entry *e = table->first_entry; e; e = e->next)
    if (!read_key(&l, out, e))
      return false;
  return true;
}

bool al_per_file_ignore_matches(const al_per_file_ignore *self,
                                const char *abs_path) {
  const char *slash = strrchr(abs_path, '/');
  const char *base = slash ? slash + 1 : abs_path;
  return al_glob_match(self->abs_glob, abs_path, 0) ||
         al_glob_match(self->glob, base, 0);
}

// Discovery ------------------------------------------------------------------

typedef struct {
  const char *file;        // absolute path of a candidate file
  const al_config *config; // NULL: a pyproject.toml without the table
} cached;

struct al_config_cache {
  al_arena *arena;
  al_vec(cached) files;
};

al_config_cache *al_config_cache_new(al_arena *arena) {
  al_config_cache *self = al_xcalloc(1, sizeof *self);
  self->arena = arena;
  return self;
}

void al_config_cache_free(al_config_cache *self) {
  if (!self)
    return;
  vec_free(&self->files);
  free(self);
}

// Loads (or finds in the cache) the candidate file abs. false on error.
static bool candidate(al_config_cache *cache, const char *abs,
                      const al_config **out, al_error *err) {
  for (uint32_t i = 0; i < cache->files.len; i++)
    if (strcmp(cache->files.items[i].file, abs) == 0) {
      *out = cache->files.items[i].config;
      return true;
    }
  al_config *c = al_arena_alloc(cache->arena, sizeof *c);
  bool found;
  const char *shown = al_path_display(cache->arena, abs);
  if (!al_config_load(c, &found, cache->arena, shown, err))
    return false;
  // Globs were anchored at the directory of `shown`, which is abs's.
  *out = found ? c : NULL;
  vec_push(&cache->files,
           ((cached){al_arena_strndup(cache->arena, abs, strlen(abs)), *out}));
  return true;
}

static bool is_file(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && !S_ISDIR(st.st_mode);
}

bool al_config_discover(al_config_cache *cache, const char *path,
                        const al_config **out, al_error *err) {
  *out = NULL;
  al_arena *a = cache->arena;
  const char *dir = al_path_absolute(a, *path ? path : ".");
  struct stat st;
  if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
    dir = al_path_parent(a, dir);
  for (;;) {
    const char *toml = al_path_join(a, dir, "asynclint.toml");
    if (is_file(toml))
      return candidate(cache, toml, out, err);
    const char *py = al_path_join(a, dir, "pyproject.toml");
    if (is_file(py)) {
      if (!candidate(cache, py, out, err))
        return false;
      if (*out)
        return true;
    }
    if (strcmp(dir, "/") == 0)
      return true;
    dir = al_path_parent(a, dir);
  }
}
