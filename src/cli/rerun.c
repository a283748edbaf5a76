// SPDX-License-Identifier: MIT
/*
 * Re-runs (rerun.h): the run key, the stat check of every file against the
 * saved state, the restore of a run where nothing changed, the files a
 * partial run must check again, and saving the state of a run. The state's
 * bytes are rerun_state.c's; the directory is the facts cache's
 * (al_cache_read_blob / al_cache_write_blob).
 */
#include "cli/rerun.h"
#include "cli/rerun_p.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/hash.h"
#include "base/map.h"
#include "fix/fix.h"
#include "model/deps.h"
#include "model/index.h"
#include "report/report.h"
#include "source/file.h"

// meson defines it for the core library; a hand build still compiles.
#ifndef AL_VERSION
#define AL_VERSION "unknown"
#endif

typedef enum {
  ST_UNKNOWN,   // not known yet (no state, or could not be read)
  ST_UNCHANGED, // same content as in the state (key known)
  ST_CHANGED,   // new, or its content differs (key known)
} file_status;

struct al_rerun {
  al_cache_key run_key;
  char name[33]; // the state's file name
  bool have;     // state loaded
  al_rerun_state old;
  uint64_t machine;
  int64_t start_sec;
  uint32_t n; // linted files of this run
  const al_project *project;
  al_cache *cache;   // the facts cache (old facts of changed files)
  al_rerun_stat *st; // by file: stat taken before reading
  bool *stat_ok;     // st is valid
  al_cache_key *key; // by file: content key when has_key
  bool *has_key;
  file_status *status;
  uint32_t *old_index;    // by file: its entry in old.files, or AL_NONE
  bool refreshed;         // stat data differ from the state's somewhere
  const char **names_now; // by file: its names in the index (save, affected)
  al_arena *arena;        // names_now
  const bool *checked;    // by file: re-checked this run (NULL: all)
  uint32_t trusted, read; // statistics
  const char *const *env_dirs;
  uint32_t n_env_dirs;
  int env_same;          // environment_same: 0 not known yet, 1 yes, 2 no
  al_cache_key *lib_key; // by library file (file - n): its content key
  bool *lib_has_key;     //
  uint32_t lib_cap;      // entries of both
  uint64_t lib_needs;    // al_libs_tree_needs of this run, 0: none
  al_map old_libs;       // old.libs by path (read-only once made)
  const char **listed;   // the package directories the loader listed
  uint32_t n_listed;     //
  bool loaded;           // the loader ran: save listed, not old.dirs'
};

static void hash_str(uint64_t *h, const char *s) {
  size_t n = s ? strlen(s) : 0;
  *h = al_hash64(s ? s : "", n, *h ^ (n + 0x9E37u));
}

static void hash_list(uint64_t *h, const char *const *items, uint32_t n) {
  hash_str(h, "list");
  for (uint32_t i = 0; i < n; i++)
    hash_str(h, items[i]);
}

// Bytes of a small file hashed into *h ("" when it cannot be read).
static void hash_file(uint64_t *h, const char *path) {
  size_t len = 0;
  FILE *fp = fopen(path, "rb");
  char *data = fp ? al_source_slurp_fd(fileno(fp), &len) : NULL;
  if (fp)
    fclose(fp);
  *h = al_hash64(data ? data : "", data ? len : 0, *h + 1);
  free(data);
}

uint64_t al_rerun_config_hash(const al_settings *const *each, uint32_t n,
                              const al_settings *extra) {
  uint64_t h = 0xC0F16;
  for (uint32_t i = 0; i <= n; i++) {
    const al_settings *s = i < n ? each[i] : extra;
    if (!s || !s->config) {
      hash_str(&h, "(none)");
      continue;
    }
    hash_str(&h, s->config->path);
    hash_file(&h, s->config->path);
  }
  return h;
}

// The run key: the binary (through the facts cache's key of a fixed
// string), and every option that can change findings or module names.
static al_cache_key run_key(const al_run_opts *o, uint64_t config_hash,
                            const char *const *env_dirs, uint32_t n_env) {
  uint64_t h = config_hash;
  char num[64];
  hash_str(&h, AL_VERSION);
  hash_list(&h, o->paths, o->n_paths);
  const al_discover_opts *d = &o->discover;
  hash_str(&h, d->exclude ? "exclude" : "default");
  hash_list(&h, d->exclude, d->n_exclude);
  hash_list(&h, d->extend_exclude, d->n_extend_exclude);
  hash_list(&h, o->select, o->n_select);
  hash_list(&h, o->ignore, o->n_ignore);
  hash_list(&h, o->extend_select, o->n_extend_select);
  uint32_t n_rules;
  al_rules_all(&n_rules);
  if (o->enabled)
    h = al_hash64(o->enabled, n_rules, h);
  snprintf(num, sizeof num, "%d %d %d %d %u", (int)o->config_mode,
           (int)d->respect_gitignore, (int)o->environment,
           (int)o->python_path_given, AL_RERUN_STATE_VERSION);
  hash_str(&h, num);
  hash_str(&h, o->config_file);
  hash_str(&h, o->stdin_filename);
  hash_list(&h, o->python_path, o->n_python_path);
  hash_list(&h, env_dirs, n_env);
  snprintf(num, sizeof num, "state %016llx", (unsigned long long)h);
  return al_cache_key_of(num, strlen(num));
}

// Where stat data may be trusted: this machine since its boot, in this
// working directory (a restored CI cache or another checkout is not).
static uint64_t machine_id(void) {
  uint64_t h = 0x3AC41;
  char host[256] = "";
  gethostname(host, sizeof host - 1);
  hash_str(&h, host);
  hash_file(&h, "/proc/sys/kernel/random/boot_id");
  char *cwd = getcwd(NULL, 0);
  hash_str(&h, cwd);
  free(cwd);
  return h;
}

static bool stat_of(const char *path, al_rerun_stat *out) {
  struct stat sb;
  if (stat(path, &sb) != 0)
    return false;
  *out = (al_rerun_stat){(uint64_t)sb.st_size, (int64_t)sb.st_mtim.tv_sec,
                         (int64_t)sb.st_mtim.tv_nsec, (uint64_t)sb.st_ino,
                         (uint64_t)sb.st_dev};
  return true;
}

static bool stat_eq(const al_rerun_stat *a, const al_rerun_stat *b) {
  return a->size == b->size && a->mtime_sec == b->mtime_sec &&
         a->mtime_nsec == b->mtime_nsec && a->ino == b->ino && a->dev == b->dev;
}

// Whether the saved stat of f still says its content is the one saved:
// same machine, same stat, and not modified in or after the second the
// saved run began (the racy case: a change in the same second as the
// read may leave the stat data as they were).
static bool stat_trusted(const al_rerun *self, const al_rerun_file *f,
                         const al_rerun_stat *now) {
  return self->old.machine == self->machine && stat_eq(&f->st, now) &&
         now->mtime_sec < self->old.start_sec;
}

static int cmp_old_path(const void *key, const void *elem) {
  return strcmp(key, ((const al_rerun_file *)elem)->path);
}

static uint32_t find_old(const al_rerun *self, const char *path) {
  if (!self->have || !self->old.files.len)
    return AL_NONE;
  const al_rerun_file *f =
      bsearch(path, self->old.files.items, self->old.files.len,
              sizeof *self->old.files.items, cmp_old_path);
  return f ? (uint32_t)(f - self->old.files.items) : AL_NONE;
}

// Phase one for file i: stat it, trust the saved entry or read and hash.
static void check_file(al_rerun *self, uint32_t i) {
  const al_project_file *pf = &self->project->files.items[i];
  self->old_index[i] = find_old(self, pf->path);
  if (!pf->fs_path || pf->facts) // a discovery problem: always re-checked
    return;
  self->stat_ok[i] = stat_of(pf->fs_path, &self->st[i]);
  if (!self->stat_ok[i])
    return;
  const al_rerun_file *old = self->old_index[i] != AL_NONE
                                 ? &self->old.files.items[self->old_index[i]]
                                 : NULL;
  if (!old || !old->has_key)
    return; // new: extraction reads it (al_rerun_set_key)
  if (stat_trusted(self, old, &self->st[i])) {
    self->key[i] = old->key;
    self->has_key[i] = true;
    self->status[i] = ST_UNCHANGED;
    self->trusted++;
    return;
  }
  al_arena *tmp = al_arena_new();
  al_source src;
  char *bytes;
  size_t len;
  if (al_source_read_bytes(&src, tmp, pf->fs_path, pf->path, &bytes, &len)) {
    self->key[i] = al_cache_key_of(bytes, len);
    self->has_key[i] = true;
    self->read++;
    bool same = old->key.h[0] == self->key[i].h[0] &&
                old->key.h[1] == self->key[i].h[1];
    self->status[i] = same ? ST_UNCHANGED : ST_CHANGED;
    self->refreshed = true;
  }
  al_arena_free(tmp);
}

al_rerun *al_rerun_begin(al_cache *cache, const al_run_opts *opts,
                         const al_project *project, uint64_t config_hash,
                         const char *const *env_dirs, uint32_t n_env_dirs) {
  al_rerun *self = al_xcalloc(1, sizeof *self);
  self->arena = al_arena_new();
  self->run_key = run_key(opts, config_hash, env_dirs, n_env_dirs);
  snprintf(self->name, sizeof self->name, "%016llx%016llx",
           (unsigned long long)self->run_key.h[0],
           (unsigned long long)self->run_key.h[1]);
  self->machine = machine_id();
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  self->start_sec = (int64_t)now.tv_sec;
  self->project = project;
  self->cache = cache;
  self->env_dirs = env_dirs;
  self->n_env_dirs = n_env_dirs;
  size_t len = 0;
  unsigned char *data = al_cache_read_blob(cache, self->name, &len);
  self->have = data && al_rerun__decode(&self->old, data, len, &self->run_key);
  free(data);
  uint32_t n = self->n = project->n_linted;
  size_t m = n ? n : 1;
  self->st = al_xcalloc(m, sizeof *self->st);
  self->stat_ok = al_xcalloc(m, sizeof *self->stat_ok);
  self->key = al_xcalloc(m, sizeof *self->key);
  self->has_key = al_xcalloc(m, sizeof *self->has_key);
  self->status = al_xcalloc(m, sizeof *self->status);
  self->old_index = al_xcalloc(m, sizeof *self->old_index);
  for (uint32_t i = 0; i < n; i++) {
    self->status[i] = self->have ? ST_CHANGED : ST_UNKNOWN;
    check_file(self, i);
  }
  return self;
}

void al_rerun_set_key(al_rerun *self, uint32_t file, const al_cache_key *key) {
  if (self && file >= self->n && file - self->n < self->lib_cap) {
    self->lib_key[file - self->n] = *key;
    self->lib_has_key[file - self->n] = true;
  }
  if (!self || file >= self->n)
    return;
  self->key[file] = *key;
  self->has_key[file] = true;
}

const al_cache_key *al_rerun_key(const al_rerun *self, uint32_t file) {
  if (self && file >= self->n)
    return file - self->n < self->lib_cap && self->lib_has_key[file - self->n]
               ? &self->lib_key[file - self->n]
               : NULL;
  return self && file < self->n && self->has_key[file] ? &self->key[file]
                                                       : NULL;
}

// Whether every library file and site directory of the saved run is as
// it was (trusted by stat only: anything else runs the stages).
static bool environment_same(al_rerun *self) {
  if (self->env_same)
    return self->env_same == 1;
  self->env_same = 2;
  // The site directories, then the package directories the lookups
  // listed (a module added or removed below them changes one).
  if (self->old.dirs.len < self->n_env_dirs)
    return false;
  for (uint32_t i = 0; i < self->old.dirs.len; i++) {
    const al_rerun_file *d = &self->old.dirs.items[i];
    al_rerun_stat now;
    if ((i < self->n_env_dirs && strcmp(d->path, self->env_dirs[i]) != 0) ||
        !stat_of(d->path, &now) || !stat_trusted(self, d, &now))
      return false;
  }
  for (uint32_t i = 0; i < self->old.libs.len; i++) {
    const al_rerun_file *f = &self->old.libs.items[i];
    al_rerun_stat now;
    if (!stat_of(f->path, &now) || !stat_trusted(self, f, &now))
      return false;
  }
  self->env_same = 1;
  return true;
}

static bool nothing_changed(al_rerun *self) {
  if (!self->have || self->old.files.len != self->n)
    return false;
  for (uint32_t i = 0; i < self->n; i++)
    if (self->status[i] != ST_UNCHANGED || self->old_index[i] != i)
      return false;
  return environment_same(self);
}

// A deep copy of a saved finding into arena, as one of file `file`.
static al_diag copy_diag(const al_diag *d, uint32_t file, al_arena *arena) {
  al_diag out = *d;
  out.file = file;
  out.message = al_arena_strndup(arena, d->message, strlen(d->message));
  out.fix = al_fix_copy(arena, d->fix);
  return out;
}

void al_rerun_restore_file(const al_rerun *self, uint32_t file,
                           al_diag_list *into, al_arena *arena) {
  uint32_t o = self->old_index[file];
  const al_rerun_file *f = &self->old.files.items[o];
  for (uint32_t d = 0; d < f->n_diags; d++)
    vec_push(into,
             copy_diag(&self->old.diags.items[f->first_diag + d], file, arena));
}

// A saved finding must fit its file's text (the facts read back).
static bool diag_fits(const al_diag *d, const al_facts *facts) {
  if (d->range.start_byte > d->range.end_byte ||
      d->range.end_byte > facts->text_len)
    return false;
  for (uint32_t i = 0; d->fix && i < d->fix->n_edits; i++)
    if (d->fix->edits[i].end > facts->text_len)
      return false;
  return true;
}

bool al_rerun_restore(al_rerun *self, al_cache *cache, al_run_result *out) {
  if (!nothing_changed(self))
    return false;
  al_project *proj = &out->project;
  // The report needs the facts of files with findings (line maps, the
  // text's hash for source lines); a miss in the facts cache runs the
  // stages instead.
  for (uint32_t i = 0; i < self->n; i++) {
    const al_rerun_file *f = &self->old.files.items[i];
    al_project_file *pf = &proj->files.items[i];
    if (!f->n_diags || pf->facts)
      continue;
    pf->facts = al_cache_get(cache, &self->key[i]);
    if (!pf->facts)
      return false;
    for (uint32_t d = 0; d < f->n_diags; d++)
      if (!diag_fits(&self->old.diags.items[f->first_diag + d], pf->facts))
        return false;
  }
  for (uint32_t i = 0; i < self->n; i++) {
    const al_rerun_file *f = &self->old.files.items[i];
    if (f->n_diags)
      out->files_with_problems++;
    for (uint32_t d = 0; d < f->n_diags; d++)
      vec_push(&out->diags, copy_diag(&self->old.diags.items[f->first_diag + d],
                                      i, out->arena));
  }
  uint32_t n = out->diags.len;
  al_report_sort(out->diags.items, &n, proj);
  out->diags.len = n;
  out->files_checked = 0; // the named paths' files, not the context ones
  for (uint32_t i = 0; i < self->n; i++)
    out->files_checked += !proj->files.items[i].context;
  out->restored = true;
  out->library_files = self->old.lib_count;
  out->library_bytes = self->old.lib_bytes;
  if (self->old.budget_note[0])
    out->budget_note = al_arena_strndup(out->arena, self->old.budget_note,
                                        strlen(self->old.budget_note));
  if (self->refreshed)
    al_rerun_save(self, cache, out, NULL);
  return true;
}

// ---------------------------------------------------------------------------
// Which files a partial run checks again.

// The sets al_rerun_affected matches names in. Keys live in arena.
typedef struct {
  al_arena *arena;
  al_map known;  // every module name of the tree and its packages
  al_map exact;  // names a changed module may be imported by
  al_map within; // packages a changed module is inside of
} dep_sets;

static void put(al_map *map, al_arena *arena, const char *s, size_t n) {
  al_map_put(map, (al_str){al_arena_strndup(arena, s, n), n}, 1);
}

static bool has(const al_map *map, const char *s, size_t n) {
  uint32_t v;
  return al_map_get(map, (al_str){s, n}, &v);
}

// Each name of a '\n'-separated list, and every package above it, into
// map.
static void add_known(al_map *map, al_arena *arena, const char *names) {
  for (const char *p = names; p && *p;) {
    const char *e = strchr(p, '\n');
    size_t len = e ? (size_t)(e - p) : strlen(p);
    for (size_t j = 1; j <= len; j++)
      if (j == len || p[j] == '.')
        put(map, arena, p, j);
    p = e ? e + 1 : NULL;
  }
}

// A changed (or re-checked) module known by the '\n'-separated names (its
// module name and the aliases the index gave it): its importers are those
// of any of the names, and those reaching into a package above one.
static void add_changed(dep_sets *d, const char *names) {
  for (const char *p = names; p && *p;) {
    const char *e = strchr(p, '\n');
    size_t len = e ? (size_t)(e - p) : strlen(p);
    put(&d->exact, d->arena, p, len);
    for (size_t j = 1; j < len; j++)
      if (p[j] == '.')
        put(&d->within, d->arena, p, j);
    p = e ? e + 1 : NULL;
  }
}

// What one file's imports name: exact modules or attributes (exact), and
// packages it may reach any submodule of by attribute (reach).
typedef struct {
  al_str *exact;
  uint32_t n_exact;
  al_str *reach;
  uint32_t n_reach;
  bool all; // cannot tell: depends on anything
} deps;

static bool is_init(const char *path) {
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  return strcmp(base, "__init__.py") == 0 || strcmp(base, "__init__.pyi") == 0;
}

// The absolute module a relative import names, from the importing file's
// module name, in arena; NULL when it cannot be told.
static const char *absolute(const al_import *im, const char *self_name,
                            bool self_init, al_arena *arena) {
  size_t pkg = strlen(self_name);
  if (!self_init) { // a module's package is its name's parent
    const char *dot = strrchr(self_name, '.');
    if (!dot)
      return NULL;
    pkg = (size_t)(dot - self_name);
  }
  for (uint32_t l = 1; l < im->level; l++) { // each dot more: the parent
    if (pkg == 0)
      return NULL;
    pkg--;
    while (pkg > 0 && self_name[pkg] != '.')
      pkg--;
  }
  if (pkg == 0)
    return NULL;
  return im->module.len
             ? al_arena_printf(arena, "%.*s.%.*s", (int)pkg, self_name,
                               (int)im->module.len, im->module.ptr)
             : al_arena_strndup(arena, self_name, pkg);
}

static al_str *keys_of(al_map *m, uint32_t *n, al_arena *arena) {
  al_str *out = al_arena_alloc(arena, (m->len ? m->len : 1) * sizeof *out);
  *n = 0;
  for (uint32_t i = 0; i < m->cap; i++)
    if (m->slots[i].used)
      out[(*n)++] = m->slots[i].key;
  al_map_free(m);
  return out;
}

static void file_deps(deps *out, const al_project_file *pf,
                      const char *self_name, dep_sets *d) {
  const al_facts *f = pf->facts;
  if (!f) {
    out->all = true;
    return;
  }
  al_arena *arena = d->arena;
  al_map exact = AL_MAP_INIT, reach = AL_MAP_INIT;
  bool init = is_init(pf->path);
  for (uint32_t i = 0; i < f->imports.len && !out->all; i++) {
    const al_import *im = &f->imports.items[i];
    const char *m =
        im->level ? absolute(im, self_name, init, arena)
                  : al_arena_strndup(arena, im->module.ptr, im->module.len);
    if (!m) {
      out->all = true;
      break;
    }
    size_t n = strlen(m);
    if (n)
      put(&exact, arena, m, n);
    // Not a module of the tree: it may be an attribute of a package's
    // __init__, or a library's; the packages above it count too.
    if (!has(&d->known, m, n))
      for (size_t j = 1; j < n; j++)
        if (m[j] == '.')
          put(&exact, arena, m, j);
    bool from = im->flags & AL_IMPORT_FROM;
    if (!from) {
      // `import a.b` binds a (any a.x by attribute); `import a.b as c`, a.b.
      const char *dot = strchr(m, '.');
      size_t top =
          (im->flags & AL_IMPORT_ALIASED) || !dot ? n : (size_t)(dot - m);
      put(&reach, arena, m, top);
    } else if (im->name.len == 1 && im->name.ptr[0] == '*') {
      put(&reach, arena, m, n);
    } else if (im->name.len) {
      const char *full =
          n ? al_arena_printf(arena, "%s.%.*s", m, (int)im->name.len,
                              im->name.ptr)
            : al_arena_strndup(arena, im->name.ptr, im->name.len);
      put(&exact, arena, full, strlen(full));
      put(&reach, arena, full, strlen(full));
    }
  }
  out->exact = keys_of(&exact, &out->n_exact, arena);
  out->reach = keys_of(&reach, &out->n_reach, arena);
}

static bool deps_hit(const deps *dp, const dep_sets *d) {
  if (dp->all)
    return true;
  for (uint32_t i = 0; i < dp->n_exact; i++)
    if (has(&d->exact, dp->exact[i].ptr, dp->exact[i].len))
      return true;
  for (uint32_t i = 0; i < dp->n_reach; i++)
    if (has(&d->within, dp->reach[i].ptr, dp->reach[i].len) ||
        has(&d->exact, dp->reach[i].ptr, dp->reach[i].len))
      return true;
  return false;
}

static const char *module_of(const al_run_result *out, uint32_t i) {
  const char *m = out->index ? al_index_module_name(out->index, i) : NULL;
  return m ? m : "";
}

// A changed file: its names now and before (a file without a name no
// import can spell changes no importer's view).
static void file_changed(dep_sets *d, const char *now, const char *before) {
  add_changed(d, now);
  add_changed(d, before);
}

// Each linted file's names in the module table, '\n'-separated, in the
// order the index gave them (arena).
static const char **names_of(const al_index *ix, uint32_t n, al_arena *arena) {
  const char **out = al_arena_alloc(arena, (n ? n : 1) * sizeof *out);
  size_t *len = al_xcalloc(n ? n : 1, sizeof *len);
  uint32_t m = 0;
  const al_index_name *all = ix ? al_index_names(ix, &m) : NULL;
  for (uint32_t k = 0; k < m; k++)
    if (all[k].file < n)
      len[all[k].file] += strlen(all[k].name) + 1;
  char **buf = al_xcalloc(n ? n : 1, sizeof *buf);
  for (uint32_t i = 0; i < n; i++) {
    buf[i] = al_arena_alloc(arena, len[i] + 1);
    buf[i][0] = '\0';
    len[i] = 0;
  }
  for (uint32_t k = 0; k < m; k++) {
    uint32_t f = all[k].file;
    if (f >= n)
      continue;
    size_t l = strlen(all[k].name);
    if (len[f])
      buf[f][len[f]++] = '\n';
    memcpy(buf[f] + len[f], all[k].name, l + 1);
    len[f] += l;
  }
  for (uint32_t i = 0; i < n; i++)
    out[i] = buf[i];
  free(buf);
  free(len);
  return out;
}

// Whether the saved dependencies describe this run's files: the same
// files under the same module names (a name that appears or goes may
// change look-ups that missed, which no dependency records).
static bool exact_applies(const al_rerun *self) {
  if (!self->old.has_deps || self->old.files.len != self->n)
    return false;
  for (uint32_t i = 0; i < self->n; i++)
    if (self->old_index[i] != i ||
        strcmp(self->old.files.items[i].module, self->names_now[i]) != 0)
      return false;
  return true;
}

// How many calls of file f each watched name has (counts by name slot).
static void count_calls(const al_facts *f, const al_map *names, uint32_t *count,
                        int sign) {
  for (uint32_t k = 0; f && k < f->calls.len; k++) {
    al_str last = al_deps_call_name(&f->calls.items[k]);
    uint32_t slot;
    if (last.len && al_map_get(names, last, &slot))
      count[slot] += (uint32_t)sign;
  }
}

// A changed file with more calls of a watched name than before (a new
// call site: a removed one is an edge of the saved dependencies): the
// files watching that name are changed too. Without the file's old facts
// (not in the cache any more), every call counts as new.
static void watched_calls(al_rerun *self, const al_run_result *out,
                          const al_deps *rec, bool *root) {
  al_map names = AL_MAP_INIT; // name -> its slot
  uint32_t nw, n_names = 0;
  const al_deps_watch_entry *w = al_deps_watches(rec, &nw);
  for (uint32_t i = 0; i < nw + self->old.watches.len; i++) {
    al_str name =
        i < nw ? w[i].name : al_str_from(self->old.watches.items[i - nw].name);
    if (!al_map_get(&names, name, NULL))
      al_map_put(&names, name, n_names++);
  }
  uint32_t *count = al_xcalloc(n_names ? n_names : 1, sizeof *count);
  bool *fires = al_xcalloc(n_names ? n_names : 1, sizeof *fires);
  for (uint32_t i = 0; i < self->n && n_names; i++) {
    if (!root[i] || self->status[i] != ST_CHANGED)
      continue;
    memset(count, 0, n_names * sizeof *count);
    count_calls(out->project.files.items[i].facts, &names, count, 1);
    uint32_t o = self->old_index[i];
    al_facts *before =
        o != AL_NONE && self->old.files.items[o].has_key
            ? al_cache_get(self->cache, &self->old.files.items[o].key)
            : NULL;
    count_calls(before, &names, count, -1);
    al_facts_free(before);
    for (uint32_t k = 0; k < n_names; k++)
      fires[k] |= (int32_t)count[k] > 0;
  }
  for (uint32_t i = 0; i < nw + self->old.watches.len; i++) {
    al_str name =
        i < nw ? w[i].name : al_str_from(self->old.watches.items[i - nw].name);
    uint32_t file = i < nw ? w[i].file : self->old.watches.items[i - nw].file;
    uint32_t slot;
    if (file < self->n && al_map_get(&names, name, &slot) && fires[slot])
      root[file] = true;
  }
  free(count);
  free(fires);
  al_map_free(&names);
}

// The files to check from the saved dependencies: the changed ones and
// every file depending on one, transitively.
static bool *affected_exact(al_rerun *self, const al_run_result *out,
                            const al_deps *rec) {
  uint32_t n = self->n;
  bool *check = al_xcalloc(n ? n : 1, sizeof *check);
  for (uint32_t i = 0; i < n; i++)
    check[i] = self->status[i] != ST_UNCHANGED;
  watched_calls(self, out, rec, check);
  al_deps_mark_dependants(n, self->old.dep_first.items, self->old.deps.items,
                          check);
  return check;
}

bool *al_rerun_affected(al_rerun *self, const al_run_result *out,
                        const al_deps *rec) {
  if (!self->names_now)
    self->names_now = names_of(out->index, self->n, self->arena);
  if (!self->have || out->project.n_linted != self->n)
    return NULL;
  // A library or a site directory changed: all of them.
  if (!environment_same(self))
    return NULL;
  if (rec && exact_applies(self))
    return (bool *)(self->checked = affected_exact(self, out, rec));
  uint32_t n = self->n;
  bool *check = al_xcalloc(n ? n : 1, sizeof *check);
  dep_sets d = {.arena = al_arena_new(),
                .known = AL_MAP_INIT,
                .exact = AL_MAP_INIT,
                .within = AL_MAP_INIT};
  al_map present = AL_MAP_INIT;
  const char **now = self->names_now;
  for (uint32_t i = 0; i < n; i++) {
    const al_project_file *pf = &out->project.files.items[i];
    al_map_put(&present, al_str_from(pf->path), 1);
    add_known(&d.known, d.arena, now[i]);
    uint32_t o = self->old_index[i];
    const al_rerun_file *old = o != AL_NONE ? &self->old.files.items[o] : NULL;
    if (old && self->status[i] == ST_UNCHANGED &&
        strcmp(old->module, now[i]) == 0)
      continue;
    check[i] = true;
    file_changed(&d, now[i], old ? old->module : NULL);
  }
  // Removed files.
  for (uint32_t o = 0; o < self->old.files.len; o++) {
    const al_rerun_file *f = &self->old.files.items[o];
    uint32_t v;
    if (!al_map_get(&present, al_str_from(f->path), &v))
      file_changed(&d, f->module, NULL);
  }
  // Importers of what changed, to a fixed point.
  deps *fd = al_xcalloc(n ? n : 1, sizeof *fd);
  for (uint32_t i = 0; i < n; i++)
    if (!check[i])
      file_deps(&fd[i], &out->project.files.items[i], module_of(out, i), &d);
  for (bool grew = true; grew;) {
    grew = false;
    for (uint32_t i = 0; i < n; i++) {
      if (check[i] || !deps_hit(&fd[i], &d))
        continue;
      check[i] = grew = true;
      file_changed(&d, now[i], NULL);
    }
  }
  free(fd);
  al_map_free(&d.known);
  al_map_free(&d.exact);
  al_map_free(&d.within);
  al_map_free(&present);
  al_arena_free(d.arena);
  self->checked = check;
  return check;
}

// ---------------------------------------------------------------------------
// Saving.

// Old file o's saved dependencies, as this run's indices, into out.
static bool old_deps(const al_rerun *self, uint32_t o, const uint32_t *now_of,
                     al_rerun_state *s) {
  if (o == AL_NONE || !self->old.has_deps)
    return false;
  const al_rerun_state *old = &self->old;
  for (uint32_t d = old->dep_first.items[o]; d < old->dep_first.items[o + 1];
       d++) {
    uint32_t to = now_of[old->deps.items[d]];
    if (to != AL_NONE)
      vec_push(&s->deps, to);
  }
  return true;
}

static int cmp_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return x < y ? -1 : x > y;
}

// Each linted file's dependencies: what this run recorded, and for a file
// whose findings were restored, also what the run that checked it did
// (its rules' reads). A restored run (deps NULL) keeps the saved ones.
static void save_deps(const al_rerun *self, al_deps *rec, al_rerun_state *s) {
  uint32_t n = self->n, n_old = self->old.files.len;
  uint32_t *now_of = al_xmalloc((n_old ? n_old : 1) * sizeof *now_of);
  memset(now_of, 0xff, (n_old ? n_old : 1) * sizeof *now_of);
  for (uint32_t i = 0; i < n; i++)
    if (self->old_index[i] != AL_NONE)
      now_of[self->old_index[i]] = i;
  s->has_deps = true;
  vec_push(&s->dep_first, 0);
  for (uint32_t i = 0; i < n && s->has_deps; i++) {
    uint32_t k, from = s->deps.len;
    const uint32_t *now = al_deps_of(rec, i, n, &k);
    for (uint32_t d = 0; d < k; d++)
      vec_push(&s->deps, now[d]);
    bool restored = !rec || (self->checked && !self->checked[i]);
    if (restored && !old_deps(self, self->old_index[i], now_of, s))
      s->has_deps = false; // its rules' reads are unknown
    uint32_t m = s->deps.len - from;
    if (m > 1) { // sorted, without repeats or itself
      qsort(s->deps.items + from, m, sizeof(uint32_t), cmp_u32);
      uint32_t w = from;
      for (uint32_t d = from; d < s->deps.len; d++)
        if (s->deps.items[d] != i &&
            (w == from || s->deps.items[w - 1] != s->deps.items[d]))
          s->deps.items[w++] = s->deps.items[d];
      s->deps.len = w;
    }
    vec_push(&s->dep_first, s->deps.len);
  }
  uint32_t nw;
  const al_deps_watch_entry *w = al_deps_watches(rec, &nw);
  for (uint32_t i = 0; i < nw && s->has_deps; i++)
    if (w[i].file < n)
      vec_push(&s->watches,
               ((al_rerun_watch){
                   al_arena_strndup(s->arena, w[i].name.ptr, w[i].name.len),
                   w[i].file}));
  for (uint32_t i = 0; !rec && i < self->old.watches.len; i++) {
    uint32_t f = now_of[self->old.watches.items[i].file];
    if (f != AL_NONE)
      vec_push(&s->watches,
               ((al_rerun_watch){self->old.watches.items[i].name, f}));
  }
  if (!s->has_deps) {
    s->dep_first.len = s->deps.len = s->watches.len = 0;
  }
  free(now_of);
}

static void save_libs(al_rerun *self, const al_project *proj,
                      al_rerun_state *s);
static void save_listed(const al_rerun *self, al_rerun_state *s);

void al_rerun_save(al_rerun *self, al_cache *cache, const al_run_result *out,
                   al_deps *rec) {
  al_rerun_state s = {.arena = al_arena_new()};
  s.machine = self->machine;
  s.start_sec = self->start_sec;
  s.lib_count = out->library_files;
  s.lib_bytes = out->library_bytes;
  s.budget_note = out->budget_note ? out->budget_note : "";
  const al_project *proj = &out->project;
  vec_reserve(&s.files, self->n);
  for (uint32_t i = 0; i < self->n; i++) {
    const al_project_file *pf = &proj->files.items[i];
    al_rerun_file f = {.path = pf->path,
                       .st = self->st[i],
                       .key = self->key[i],
                       .has_key = self->has_key[i] && self->stat_ok[i],
                       .module = NULL};
    if (out->index) {
      if (!self->names_now)
        self->names_now = names_of(out->index, self->n, self->arena);
      f.module = self->names_now[i];
    } else { // restored: the saved names still hold
      uint32_t o = self->old_index[i];
      f.module = o != AL_NONE ? self->old.files.items[o].module : "";
    }
    vec_push(&s.files, f);
  }
  // out->diags are sorted by path, so each file's findings are contiguous.
  for (uint32_t d = 0; d < out->diags.len; d++) {
    const al_diag *dg = &out->diags.items[d];
    if (dg->file >= self->n)
      goto done; // not a linted file's: do not save what cannot be restored
    al_rerun_file *f = &s.files.items[dg->file];
    if (f->n_diags == 0)
      f->first_diag = s.diags.len;
    else if (f->first_diag + f->n_diags != s.diags.len)
      goto done;
    f->n_diags++;
    vec_push(&s.diags, *dg);
  }
  for (uint32_t i = 0, next = 0; i < self->n; i++) {
    if (!s.files.items[i].n_diags)
      s.files.items[i].first_diag = next;
    next = s.files.items[i].first_diag + s.files.items[i].n_diags;
  }
  for (uint32_t i = 0; i < self->n_env_dirs; i++) {
    al_rerun_file d = {.path = self->env_dirs[i], .module = ""};
    stat_of(d.path, &d.st);
    vec_push(&s.dirs, d);
  }
  save_listed(self, &s);
  if (!out->index) {
    for (uint32_t i = 0; i < self->old.libs.len; i++)
      vec_push(&s.libs, self->old.libs.items[i]);
    s.lib_needs = self->old.lib_needs;
  } else {
    save_libs(self, proj, &s);
  }
  save_deps(self, rec, &s);
  size_t len;
  unsigned char *data = al_rerun__encode(&s, &self->run_key, &len);
  al_cache_write_blob(cache, self->name, data, len);
  free(data);
done:
  vec_free(&s.files);
  vec_free(&s.libs);
  vec_free(&s.dirs);
  vec_free(&s.diags);
  vec_free(&s.dep_first);
  vec_free(&s.deps);
  vec_free(&s.watches);
  al_arena_free(s.arena);
}

// ---------------------------------------------------------------------------
// Library files (issue 16 item 5): their content keys, so that an
// unchanged one is neither read nor hashed, and the list of a run, so
// that a run needing the same names loads it without the loader's rounds.

void al_rerun_lib_reserve(al_rerun *self, uint32_t n_files) {
  if (!self || n_files <= self->n || n_files - self->n <= self->lib_cap)
    return;
  uint32_t cap = n_files - self->n, old = self->lib_cap;
  self->lib_key = al_xrealloc(self->lib_key, cap * sizeof *self->lib_key);
  self->lib_has_key =
      al_xrealloc(self->lib_has_key, cap * sizeof *self->lib_has_key);
  memset(self->lib_has_key + old, 0, (cap - old) * sizeof *self->lib_has_key);
  self->lib_cap = cap;
}

// The saved library entries by path (made once, on first use).
static const al_map *old_libs(al_rerun *self) {
  if (self->have && !self->old_libs.len)
    for (uint32_t i = 0; i < self->old.libs.len; i++)
      al_map_put(&self->old_libs, al_str_from(self->old.libs.items[i].path), i);
  return &self->old_libs;
}

bool al_rerun_lib_key(al_rerun *self, const char *fs_path, al_cache_key *key) {
  uint32_t i;
  if (!self || !self->have || !fs_path ||
      !al_map_get(old_libs(self), al_str_from(fs_path), &i))
    return false;
  const al_rerun_file *f = &self->old.libs.items[i];
  al_rerun_stat now;
  if (!f->has_key || !stat_of(fs_path, &now) || !stat_trusted(self, f, &now))
    return false;
  *key = f->key;
  return true;
}

void al_rerun_set_lib_needs(al_rerun *self, uint64_t needs) {
  if (self)
    self->lib_needs = needs;
}

void al_rerun_set_listed(al_rerun *self, const char **dirs, uint32_t n) {
  if (!self)
    return;
  self->listed = al_arena_alloc(self->arena, (n ? n : 1) * sizeof *dirs);
  for (uint32_t i = 0; i < n; i++)
    self->listed[i] = al_arena_strndup(self->arena, dirs[i], strlen(dirs[i]));
  self->n_listed = n;
  self->loaded = true;
}

// The package directories of the loader's lookups, after the site
// directories: this run's, or those of the saved run it loaded the list
// of (unchanged: environment_same held).
static void save_listed(const al_rerun *self, al_rerun_state *s) {
  if (!self->loaded) {
    for (uint32_t i = self->n_env_dirs; self->have && i < self->old.dirs.len;
         i++)
      vec_push(&s->dirs, self->old.dirs.items[i]);
    return;
  }
  for (uint32_t i = 0; i < self->n_listed; i++) {
    al_rerun_file d = {.path = self->listed[i], .module = ""};
    if (stat_of(d.path, &d.st))
      vec_push(&s->dirs, d);
  }
}

// A saved module name as the loader makes them: dotted, no separators.
static bool module_ok(const char *m) {
  return m[0] && m[0] != '.' && !strpbrk(m, "/\n") && m[strlen(m) - 1] != '.';
}

bool al_rerun_saved_libs(al_rerun *self, uint64_t needs, al_rerun_libs *out) {
  memset(out, 0, sizeof *out);
  if (!self || !self->have || !needs || self->old.lib_needs != needs ||
      self->old.lib_count != self->old.libs.len || !environment_same(self))
    return false;
  al_map seen = AL_MAP_INIT;
  bool ok = true;
  uint32_t n = self->old.libs.len;
  al_rerun_lib *libs = al_arena_alloc(self->arena, (n ? n : 1) * sizeof *libs);
  for (uint32_t i = 0; i < n && ok; i++) {
    const al_rerun_file *f = &self->old.libs.items[i];
    ok = f->has_key && f->path[0] && module_ok(f->module) &&
         al_map_put(&seen, al_str_from(f->module), i);
    libs[i] =
        (al_rerun_lib){f->module, f->path, f->st.size, f->key, f->unreadable};
  }
  al_map_free(&seen);
  if (!ok)
    return false;
  *out = (al_rerun_libs){libs, n, self->old.budget_note};
  return true;
}

// The library files of the finished run, with their content keys.
static void save_libs(al_rerun *self, const al_project *proj,
                      al_rerun_state *s) {
  s->lib_needs = self->lib_needs;
  for (uint32_t i = self->n; i < proj->files.len; i++) {
    const al_project_file *pf = &proj->files.items[i];
    al_rerun_file f = {.path = pf->fs_path ? pf->fs_path : "",
                       .module = pf->module ? pf->module : ""};
    // Unchanged since the saved run (environment_same held this run): its
    // saved stat data; a change since makes them differ next time.
    uint32_t o;
    if (self->env_same == 1 &&
        al_map_get(old_libs(self), al_str_from(f.path), &o))
      f.st = self->old.libs.items[o].st;
    else
      stat_of(f.path, &f.st);
    const al_cache_key *key = al_rerun_key(self, i);
    // Read, or not needed this run (lazy: read by the saved one); an
    // undecodable one is cached too.
    if (key && (pf->facts || pf->lazy)) {
      f.key = *key;
      f.has_key = true;
      f.unreadable = pf->facts && pf->facts->unreadable;
    }
    vec_push(&s->libs, f);
  }
}

void al_rerun_stats(const al_rerun *self, uint32_t *trusted, uint32_t *read) {
  *trusted = self ? self->trusted : 0;
  *read = self ? self->read : 0;
}

void al_rerun_free(al_rerun *self) {
  if (!self)
    return;
  if (self->have)
    al_rerun__state_free(&self->old);
  free(self->st);
  free(self->stat_ok);
  free(self->key);
  free(self->has_key);
  free(self->status);
  free(self->old_index);
  free(self->lib_key);
  free(self->lib_has_key);
  al_map_free(&self->old_libs);
  al_arena_free(self->arena);
  free(self);
}
