// SPDX-License-Identifier: MIT
/*
 * One lint run, stage by stage: discover the files; read, parse and
 * extract facts in a worker pool (one extractor, so one TSParser, per
 * worker; each tree freed right after its file); build the index once; run
 * the rules per file in the same pool; apply suppressions; sort. Files are
 * handed out by an atomic counter but every result lands in its file's own
 * slot, so the output does not depend on the number of threads.
 */
#include "cli/run.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/path.h"
#include "base/store.h"
#include "cache/cache.h"
#include "cli/libraries.h"
#include "cli/recheck.h"
#include "cli/rerun.h"
#include "cli/scope.h"
#include "facts/extract.h"
#include "fix/fix.h"
#include "model/catalog.h"
#include "report/report.h"
#include "source/environment.h"
#include "source/file.h"
#include "suppress/noqa.h"

// Phase timing (al_run_result.phase_wall/phase_cpu; --stats, bench/).
typedef struct {
  struct timespec wall, cpu;
} stamp;

static stamp stamp_now(void) {
  stamp s;
  clock_gettime(CLOCK_MONOTONIC, &s.wall);
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &s.cpu);
  return s;
}

static double seconds_between(struct timespec a, struct timespec b) {
  return (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
}

// Ends phase `phase`, which began at *since; the next one begins now.
static void phase_end(al_run_result *out, int phase, stamp *since) {
  stamp now = stamp_now();
  out->phase_wall[phase] = seconds_between(since->wall, now.wall);
  out->phase_cpu[phase] = seconds_between(since->cpu, now.cpu);
  *since = now;
}

uint32_t al_run_default_threads(void) {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  if (n < 1)
    return 1;
  return n > AL_MAX_THREADS ? AL_MAX_THREADS : (uint32_t)n;
}

typedef struct {
  const al_run_opts *opts;
  al_run_result *res;
  const char *stdin_bytes; // what "-" reads (already slurped)
  size_t stdin_len;
  bool stdin_failed;
  const char *stdin_error;
  const bool *enabled;
  bool *file_enabled; // n_rules per file (config and per-file-ignores)
  uint32_t n_rules;
  atomic_uint next;
  uint32_t *order; // NULL, or the order workers take files in (test seam)
  al_diag_list *per_file; // diagnostics by file
  al_arena **arenas;      // per worker: messages
  al_cache *cache;        // NULL: no result cache
  al_index_file **prep;   // by file: its part of the index (workers make it)
  uint32_t n_threads;     // in the pools
  char *stdin_owned;      // stdin_bytes when read from fd 0 here
  bool *defaults;         // enabled, when al_run chose the default rules
  uint32_t first;         // the pools start at this file
  uint32_t n_order;       // entries of order
  uint32_t config_threads;
  al_env env;           // the Python environment (no directories: none)
  uint32_t lib_files;   // its budget (the config's, else the defaults)
  uint64_t lib_bytes;   //
  uint64_t config_hash; // the config files that apply (cli/rerun.h)
  al_rerun *rerun;      // NULL: no saved state used (cli/rerun.h)
  bool *check;          // NULL, or by file: run the rules (else restore)
  al_deps *deps;        // what the index and the rules read (with rerun)
} run_state;

typedef struct {
  run_state *st;
  uint32_t worker;
} worker_arg;

// read -> cache hit, or decode -> extract -> cache store. The key is the
// bytes as read, so a hit skips decoding too. A file that cannot be read is
// not cached (it may be readable next time); one that cannot be decoded is
// (that depends on its bytes only).
static al_facts *extract_cached(al_cache *cache, al_extractor *x, al_arena *tmp,
                                const al_project_file *pf, al_rerun *rerun,
                                uint32_t i) {
  al_source src;
  char *bytes;
  size_t len;
  if (!al_source_read_bytes(&src, tmp, pf->fs_path, pf->path, &bytes, &len))
    return al_extract(x, &src);
  al_cache_key key = al_cache_key_of(bytes, len);
  al_rerun_set_key(rerun, i, &key);
  al_facts *facts = al_cache_get(cache, &key);
  if (facts)
    return facts;
  al_source_decode(&src, tmp, bytes, len);
  facts = al_extract(x, &src);
  al_cache_put(cache, &key, facts);
  return facts;
}

// The facts of one file: from the cache, or read (or stdin) and extracted.
static al_facts *extract_file(run_state *st, al_extractor *x,
                              al_project_file *pf, uint32_t i) {
  if (pf->fs_path && st->opts->overlay && !pf->library) {
    al_facts *open = st->opts->overlay(st->opts->overlay_data, x, pf->fs_path);
    if (open)
      return open;
  }
  if (pf->fs_path && st->opts->known) {
    al_facts *known = st->opts->known(st->opts->known_data, pf);
    if (known)
      return known;
  }
  al_arena *tmp = al_arena_new();
  al_facts *facts;
  size_t len;
  const char *pending =
      pf->fs_path && st->opts->pending_text
          ? st->opts->pending_text(st->opts->pending_data, pf->fs_path, &len)
          : NULL;
  const al_cache_key *known =
      !pending && pf->fs_path && st->cache ? al_rerun_key(st->rerun, i) : NULL;
  if (pending) { // --fix's text of the file, not on disk yet: not cached
    al_source src;
    al_source_from_bytes(&src, tmp, pf->path, pending, len);
    facts = al_extract(x, &src);
  } else if (known && (facts = al_cache_get(st->cache, known)) != NULL) {
    // unchanged since the saved run: not read again
  } else if (pf->fs_path && st->cache) {
    facts = extract_cached(st->cache, x, tmp, pf, st->rerun, i);
  } else {
    al_source src;
    if (pf->fs_path) {
      al_source_read(&src, tmp, pf->fs_path, pf->path);
    } else if (st->stdin_failed) {
      src = (al_source){.path = pf->path,
                        .ok = false,
                        .problem = st->stdin_error,
                        .problem_line = 1,
                        .problem_col = 1};
    } else {
      al_source_from_bytes(&src, tmp, pf->path, st->stdin_bytes, st->stdin_len);
    }
    facts = al_extract(x, &src);
  }
  al_arena_free(tmp); // source bytes go; the facts hold copies
  return facts;
}

static void *extract_worker(void *p) {
  worker_arg *w = p;
  run_state *st = w->st;
  al_project *proj = &st->res->project;
  al_extractor *x = al_extractor_new();
  for (;;) {
    uint32_t i = atomic_fetch_add(&st->next, 1);
    if (i >= proj->files.len)
      break;
    if (st->order && i < st->n_order)
      i = st->order[i];
    al_project_file *pf = &proj->files.items[i];
    if (pf->facts || pf->lazy)
      continue; // already known unreadable (discovery problem), or lazy
    pf->facts = extract_file(st, x, pf, i);
    if (pf->facts)
      st->prep[i] = al_index_prepare_file(pf->facts);
  }
  al_extractor_free(x);
  al_long_thread_end(); // the facts' slabs go when the facts do

  return NULL;
}

static void *rules_worker(void *p) {
  worker_arg *w = p;
  run_state *st = w->st;
  al_run_result *res = st->res;
  al_deps_thread_begin(st->deps);
  for (;;) {
    uint32_t i = atomic_fetch_add(&st->next, 1);
    if (i >= res->project.n_linted)
      break; // library files are never linted
    if (st->order)
      i = st->order[i];
    al_project_file *pf = &res->project.files.items[i];
    if (pf->context)
      continue; // outside the named paths: read, never checked
    if (st->check && !st->check[i]) {
      // Its findings cannot have changed: those of the saved run, or of
      // the server's previous check.
      if (st->rerun)
        al_rerun_restore_file(st->rerun, i, &st->per_file[i],
                              st->arenas[w->worker]);
      else
        al_recheck_restore(st->opts->previous, i, &st->per_file[i],
                           st->arenas[w->worker]);
      continue;
    }
    al_deps_enter(i);
    al_rule_ctx ctx = {
        .index = res->index,
        .project = &res->project,
        .file = i,
        .facts = pf->facts,
        .path = pf->path,
        .arena = st->arenas[w->worker],
        .out = &st->per_file[i],
        .enabled = st->file_enabled ? st->file_enabled + (size_t)i * st->n_rules
                                    : st->enabled,
    };
    al_rules_check_file(&ctx);
    // Suppression works per file on diagnostics sorted by position.
    al_diag_list *l = &st->per_file[i];
    if (l->len) {
      uint32_t n = l->len;
      al_report_sort(l->items, &n, &res->project);
      l->len = n;
    }
    al_noqa_filter(&ctx); // also reports unused suppressions (AL003)
  }
  al_deps_thread_end();
  al_long_thread_end(); // lazy library files' facts may have been read
  return NULL;
}

// Run fn over every file with n workers (n == 1: on this thread).
static void run_pool(run_state *st, uint32_t n, void *(*fn)(void *)) {
  atomic_store(&st->next, st->first);
  worker_arg args[AL_MAX_THREADS];
  pthread_t tids[AL_MAX_THREADS];
  bool started[AL_MAX_THREADS] = {0};
  for (uint32_t i = 0; i < n; i++)
    args[i] = (worker_arg){st, i};
  for (uint32_t i = 1; i < n; i++)
    started[i] = pthread_create(&tids[i], NULL, fn, &args[i]) == 0;
  fn(&args[0]);
  for (uint32_t i = 1; i < n; i++)
    if (started[i])
      pthread_join(tids[i], NULL);
}

static int cmp_file(const void *a, const void *b) {
  const al_project_file *x = a, *y = b;
  int c = strcmp(x->path, y->path);
  if (c)
    return c;
  // Standard input sorts after a file of the same name.
  return (x->fs_path == NULL) - (y->fs_path == NULL);
}

static void add_problem(al_run_result *res, const char *path, const char *msg,
                        bool explicit_) {
  al_run_problem p = {al_arena_strndup(res->arena, path, strlen(path)),
                      al_arena_strndup(res->arena, msg, strlen(msg)),
                      explicit_};
  vec_push(&res->problems, p);
}

// Which settings a file was found under (file_rules pairs them with the
// project's files by path once those are sorted).
typedef struct {
  const char *path;
  bool is_stdin;
  const al_settings *settings;
} file_settings;

static int cmp_file_settings(const void *a, const void *b) {
  const file_settings *x = a, *y = b;
  int c = strcmp(x->path, y->path);
  return c ? c : (x->is_stdin > y->is_stdin) - (x->is_stdin < y->is_stdin);
}

// The cache directory: --cache-dir, else AL_CACHE_DIR_NAME in the project
// root, which is the directory of the config file applying to the first
// path (so a project's runs share one cache from any subdirectory, as with
// ruff), else the current directory.
static al_cache *open_cache(al_run_result *out, const al_run_opts *opts,
                            const al_settings *first) {
  const char *dir = opts->cache_dir;
  if (!dir && first && first->config)
    dir =
        al_path_display(out->arena, al_path_join(out->arena, first->config->dir,
                                                 AL_CACHE_DIR_NAME));
  return al_cache_open(dir && *dir ? dir : AL_CACHE_DIR_NAME);
}

// Each file's rules: its settings' rules minus its per-file-ignores.
static void file_rules(run_state *st, const al_run_result *out,
                       file_settings *fs, uint32_t n_fs,
                       const al_settings *fallback) {
  uint32_t n_files = out->project.files.len;
  st->file_enabled =
      al_xcalloc((size_t)(n_files ? n_files : 1) * st->n_rules, sizeof(bool));
  if (n_fs > 1)
    qsort(fs, n_fs, sizeof *fs, cmp_file_settings);
  for (uint32_t i = 0; i < n_files; i++) {
    const al_project_file *pf = &out->project.files.items[i];
    file_settings key = {pf->path, pf->fs_path == NULL && pf->explicit_, NULL};
    const file_settings *hit =
        n_fs ? bsearch(&key, fs, n_fs, sizeof *fs, cmp_file_settings) : NULL;
    const al_settings *s = hit ? hit->settings : fallback;
    bool *dst = st->file_enabled + (size_t)i * st->n_rules;
    if (s)
      al_settings_file_rules(s, pf->path, dst);
    else
      memcpy(dst, st->enabled, st->n_rules);
  }
}

// What setup hands from one step to the next.
typedef struct {
  al_settings_set *settings;         // the config files read
  const al_settings **each;          // settings by path; discovery compacts it
  uint32_t n_paths;                  // command-line paths other than "-"
  bool want_stdin;                   // "-" is among them
  const al_settings *stdin_settings; // those of "-"
  uint32_t config_threads;           // 0: the config does not say
  al_vec(file_settings) fs;          // settings by file, unsorted
} run_setup;

// Which rules run unless config files say otherwise: opts->enabled, or the
// rules on by default.
static void choose_rules(run_state *st) {
  al_rules_all(&st->n_rules);
  if (st->opts->enabled) {
    st->enabled = st->opts->enabled;
    return;
  }
  st->defaults = al_xcalloc(st->n_rules, sizeof(bool));
  al_rules_select(st->defaults, NULL, 0, NULL, 0, NULL);
  st->enabled = st->defaults;
}

// Config files: the settings of every command-line path (su->each[i] for
// opts->paths[i]; "-" gets the current directory's), the catalog they
// extend and the thread count they set. false when a config is broken
// (out->config_error says where).
static bool read_settings(al_run_result *out, const al_run_opts *opts,
                          run_setup *su) {
  al_settings_opts sopts = {
      .mode = opts->config_mode,
      .config_file = opts->config_file,
      .select = opts->select,
      .n_select = opts->n_select,
      .ignore = opts->ignore,
      .n_ignore = opts->n_ignore,
      .extend_select = opts->extend_select,
      .n_extend_select = opts->n_extend_select,
      .enabled = opts->enabled,
      .discover = &opts->discover,
  };
  su->settings = al_settings_new(&sopts);
  su->each = al_xcalloc(opts->n_paths + 1, sizeof(al_settings *));
  al_error *err = &out->config_error;
  for (uint32_t i = 0; i < opts->n_paths; i++)
    if (!al_settings_for(su->settings, opts->paths[i], &su->each[i], err))
      return false;
  if (!al_settings_threads(su->settings, &su->config_threads, err))
    return false;
  err->message[0] = '\0';
  out->catalog = al_settings_catalog(su->settings, err);
  return out->catalog || !err->message[0];
}

// The project's files from discovery: the files found, and the problems.
static void add_found(al_run_result *out, const al_discovery *disc,
                      run_setup *su) {
  for (uint32_t i = 0; i < disc->problems.len; i++) {
    const al_found_problem *p = &disc->problems.items[i];
    if (p->explicit_) {
      // A command-line path that is not there: an error of the run (exit 2).
      add_problem(out, p->path, p->message, true);
      continue;
    }
    // Something met inside a tree that cannot be linted (an unreadable
    // directory, a FIFO named x.py): a finding, like ruff's E902, so a tree
    // never passes because part of it could not be read.
    al_project_file pf = {.path = p->path, .facts = al_facts_new()};
    pf.facts->unreadable = true;
    pf.facts->problem =
        al_arena_printf(pf.facts->arena, "cannot lint: %s", p->message);
    pf.facts->problem_line = pf.facts->problem_col = 1;
    vec_push(&out->project.files, pf);
  }
  for (uint32_t i = 0; i < disc->files.len; i++) {
    const al_found_file *f = &disc->files.items[i];
    al_project_file pf = {
        .path = f->path, .fs_path = f->path, .explicit_ = f->explicit_};
    vec_push(&out->project.files, pf);
    vec_push(&su->fs, ((file_settings){pf.path, false, su->each[f->arg]}));
  }
}

// Discovery: the command-line paths other than "-" become the project's
// files (and roots), each with the settings of its path; opens the result
// cache when there are files to read ("-" is not cached).
static void discover(run_state *st, run_setup *su) {
  const al_run_opts *opts = st->opts;
  al_run_result *out = st->res;
  const char **paths = al_xcalloc(opts->n_paths + 1, sizeof(char *));
  const al_discover_opts **dopts =
      al_xcalloc(opts->n_paths + 1, sizeof(al_discover_opts *));
  uint32_t n = 0;
  for (uint32_t i = 0; i < opts->n_paths; i++) {
    if (strcmp(opts->paths[i], "-") == 0) {
      su->want_stdin = true;
      su->stdin_settings = su->each[i];
    } else {
      dopts[n] = &su->each[i]->discover;
      su->each[n] = su->each[i]; // compacted alongside paths
      paths[n++] = opts->paths[i];
    }
  }
  su->n_paths = n;
  al_discovery disc = {0};
  if (n)
    al_discover_each(&disc, out->arena, paths, dopts, n);
  add_found(out, &disc, su);
  al_scope_in scope = {.paths = paths,
                       .settings = su->each,
                       .n_paths = n,
                       .project = opts->project,
                       .want_stdin = su->want_stdin,
                       .stdin_name = opts->stdin_filename,
                       .stdin_settings = su->stdin_settings};
  al_scope_extend(&out->project, out->arena, &scope);
  free(paths);
  free(dopts);
  bool any_file = false;
  for (uint32_t i = 0; i < out->project.files.len && !any_file; i++)
    any_file = out->project.files.items[i].fs_path != NULL;
  if (opts->cache && any_file)
    st->cache = open_cache(out, opts, n ? su->each[0] : su->stdin_settings);
  al_discovery_free(&disc);
}

// "-" as a project file: its bytes are opts->stdin_bytes, or read from fd
// 0 now (kept in st->stdin_owned).
static void add_stdin(run_state *st, run_setup *su) {
  const al_run_opts *opts = st->opts;
  al_run_result *out = st->res;
  const char *name = opts->stdin_filename ? opts->stdin_filename : "-";
  al_project_file pf = {.path =
                            al_arena_strndup(out->arena, name, strlen(name)),
                        .explicit_ = true};
  vec_push(&out->project.files, pf);
  vec_push(&su->fs, ((file_settings){pf.path, true, su->stdin_settings}));
  if (opts->stdin_bytes) {
    st->stdin_bytes = opts->stdin_bytes;
    st->stdin_len = opts->stdin_len;
    return;
  }
  st->stdin_owned = al_source_slurp_fd(0, &st->stdin_len);
  if (!st->stdin_owned) {
    st->stdin_failed = true;
    st->stdin_error = al_arena_printf(
        out->arena, "cannot read standard input: %s", strerror(errno));
  }
  st->stdin_bytes = st->stdin_owned;
}

// Test seam: the order workers take files in, a Fisher-Yates shuffle
// driven by xorshift32.
static uint32_t *shuffled_order(uint32_t seed, uint32_t n) {
  uint32_t *order = al_xmalloc(n * sizeof *order);
  uint32_t x = seed;
  for (uint32_t i = 0; i < n; i++)
    order[i] = i;
  for (uint32_t i = n - 1; i > 0; i--) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    uint32_t j = x % (i + 1), t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}

// --threads, else the config's, else the cores; never more than files.
static uint32_t thread_count(const al_run_opts *opts, uint32_t config_threads,
                             uint32_t n_files) {
  uint32_t n = opts->threads    ? opts->threads
               : config_threads ? config_threads
                                : al_run_default_threads();
  if (n > AL_MAX_THREADS)
    n = AL_MAX_THREADS;
  if (n > n_files)
    n = n_files ? n_files : 1;
  return n;
}

// The Python environment: --python-path (or --no-python-path), else the
// python-path of the first path's config, else a virtualenv found near the
// project (source/environment.h). Its directories go to the result.
static void find_environment(run_state *st, const al_settings *first) {
  const al_run_opts *opts = st->opts;
  al_run_result *out = st->res;
  const al_config *c = first ? first->config : NULL;
  al_env_opts eo = {.config_dir = c ? c->dir : NULL,
                    .first_path = opts->n_paths ? opts->paths[0] : NULL};
  if (opts->python_path_given) {
    eo.given = true;
    eo.paths = opts->python_path;
    eo.n_paths = opts->n_python_path;
  } else if (c && c->has_python_path) {
    eo.given = true;
    eo.paths = c->python_path.items;
    eo.n_paths = c->python_path.len;
  }
  al_env_find(&st->env, &eo);
  st->lib_files =
      c && c->library_max_files ? c->library_max_files : AL_LIBS_MAX_FILES;
  st->lib_bytes = c && c->library_max_mb ? (uint64_t)c->library_max_mb << 20
                                         : (uint64_t)AL_LIBS_MAX_BYTES;
  uint32_t n = st->env.dirs.len;
  const char **dirs = al_arena_alloc(out->arena, (n + 1) * sizeof *dirs);
  for (uint32_t i = 0; i < n; i++)
    dirs[i] = al_arena_strndup(out->arena, st->env.dirs.items[i],
                               strlen(st->env.dirs.items[i]));
  out->python_path = dirs;
  out->n_python_path = n;
  if (st->env.note[0])
    out->env_note =
        al_arena_strndup(out->arena, st->env.note, strlen(st->env.note));
}

// The fix keys of the config s (none: every rule's fixes offered). A
// prefix in `fixable` matches opt-in rules too: the lists are selected
// the way --ignore removes (every match), then inverted.
static void record_fix_settings(al_run_result *out, const al_settings *s) {
  const al_config *c = s ? s->config : NULL;
  uint32_t n;
  al_rules_all(&n);
  bool *fixable = al_arena_alloc(out->arena, (n ? n : 1) * sizeof *fixable);
  bool *unfixable = al_xcalloc(n ? n : 1, sizeof *unfixable);
  static const char *const all[] = {"ALL"};
  // The config's selectors were checked when it was read.
  if (c && c->has_fixable) {
    al_rules_select(fixable, all, 1, c->fixable.items, c->fixable.len, NULL);
    for (uint32_t i = 0; i < n; i++)
      fixable[i] = !fixable[i];
  } else {
    memset(fixable, 1, n * sizeof *fixable);
  }
  if (c)
    al_rules_select(unfixable, all, 1, c->unfixable.items, c->unfixable.len,
                    NULL);
  for (uint32_t i = 0; i < n; i++)
    fixable[i] = fixable[i] && (!c || unfixable[i]);
  free(unfixable);
  out->fixable = fixable;
  out->config_fix = c && c->fix;
  out->config_unsafe_fixes = c && c->unsafe_fixes;
}

// Setup: rules, config files, discovery, standard input, the sorted file
// list with each file's rules. Returns false when a config is broken.
static bool setup(run_state *st) {
  const al_run_opts *opts = st->opts;
  al_run_result *out = st->res;
  run_setup su = {0};
  choose_rules(st);
  if (!read_settings(out, opts, &su)) {
    out->config_failed = true;
    free(su.each);
    al_settings_free(su.settings);
    return false;
  }
  discover(st, &su);
  for (uint32_t i = 0; i < opts->n_buffer_files; i++) {
    const char *path = opts->buffer_files[i];
    al_project_file pf = {.path = path, .fs_path = path, .explicit_ = true};
    vec_push(&out->project.files, pf);
  }
  if (su.want_stdin)
    add_stdin(st, &su);
  if (out->project.files.len > 1)
    qsort(out->project.files.items, out->project.files.len,
          sizeof(al_project_file), cmp_file);

  if (opts->after_discover)
    opts->after_discover(opts->after_discover_data, &out->project);

  out->project.n_linted = out->project.files.len;
  if (opts->environment)
    find_environment(st, su.n_paths ? su.each[0] : su.stdin_settings);
  file_rules(st, out, su.fs.items, su.fs.len,
             su.n_paths ? su.each[0] : su.stdin_settings);
  record_fix_settings(out, su.n_paths ? su.each[0] : su.stdin_settings);
  st->config_hash = al_rerun_config_hash(
      su.each, su.n_paths, su.want_stdin ? su.stdin_settings : NULL);
  st->res->config_hash = st->config_hash;
  vec_free(&su.fs);
  free(su.each);
  al_settings_free(su.settings);

  uint32_t n_files = out->project.files.len;
  if (opts->shuffle_seed && n_files > 1) {
    st->order = shuffled_order(opts->shuffle_seed, n_files);
    st->n_order = n_files;
  }
  st->config_threads = su.config_threads;
  st->n_threads = thread_count(opts, su.config_threads, n_files);
  return true;
}

// Extract the library files from `to` on, in the pool. Those the saved
// run read and that are unchanged are found by their saved content key,
// neither read nor hashed: keys[k] for file to + k (the saved list, all
// unchanged), or, when keys is NULL, each one's own (al_rerun_lib_key).
static void extract_libraries(run_state *st, uint32_t to,
                              const al_rerun_lib *keys) {
  al_project *proj = &st->res->project;
  uint32_t n = proj->files.len;
  st->prep = al_xrealloc(st->prep, n * sizeof *st->prep);
  memset(st->prep + to, 0, (size_t)(n - to) * sizeof *st->prep);
  al_rerun_lib_reserve(st->rerun, n);
  for (uint32_t i = to; i < n; i++) {
    al_cache_key key;
    if (keys)
      al_rerun_set_key(st->rerun, i, &keys[i - to].key);
    else if (al_rerun_lib_key(st->rerun, proj->files.items[i].fs_path, &key))
      al_rerun_set_key(st->rerun, i, &key);
  }
  st->first = to;
  run_pool(st, thread_count(st->opts, st->config_threads, n - to),
           extract_worker);
}

// The library files of the saved list, read when a resolution first
// reaches one (al_project_file.lazy, model/index_p.h), not up front: a run
// that re-checks a few files reads the few library files they use.
struct al_run_lazy {
  al_project *project;
  al_cache *cache;    // by the saved content keys; NULL once closed
  al_cache_key *keys; // by file - first
  uint32_t first;
};

// al_project.load: from the cache by the saved key, else (the entry gone,
// or the cache closed after the run) read and extracted again.
static al_facts *load_library(void *data, uint32_t file) {
  struct al_run_lazy *l = data;
  const al_project_file *pf = &l->project->files.items[file];
  al_facts *facts =
      l->cache ? al_cache_get(l->cache, &l->keys[file - l->first]) : NULL;
  if (facts)
    return facts;
  al_extractor *x = al_extractor_new();
  al_arena *tmp = al_arena_new();
  if (l->cache) {
    facts = extract_cached(l->cache, x, tmp, pf, NULL, file);
  } else {
    al_source src;
    al_source_read(&src, tmp, pf->fs_path, pf->path);
    facts = al_extract(x, &src);
  }
  al_arena_free(tmp);
  al_extractor_free(x);
  return facts;
}

// The saved list's files from `to` on: known by their saved content keys,
// read later if at all (load_library). One the saved run found unreadable
// is extracted now: unreadable files name no module (model/modules.c).
static void defer_libraries(run_state *st, uint32_t to,
                            const al_rerun_lib *saved) {
  al_run_result *out = st->res;
  al_project *proj = &out->project;
  uint32_t n = proj->files.len;
  struct al_run_lazy *l = al_xcalloc(1, sizeof *l);
  *l = (struct al_run_lazy){proj, st->cache,
                            al_xcalloc(n - to, sizeof(al_cache_key)), to};
  out->lazy = l;
  proj->load = load_library;
  proj->load_data = l;
  st->prep = al_xrealloc(st->prep, n * sizeof *st->prep);
  memset(st->prep + to, 0, (size_t)(n - to) * sizeof *st->prep);
  al_rerun_lib_reserve(st->rerun, n);
  bool any = false;
  for (uint32_t i = to; i < n; i++) {
    l->keys[i - to] = saved[i - to].key;
    al_rerun_set_key(st->rerun, i, &saved[i - to].key);
    proj->files.items[i].lazy = !saved[i - to].unreadable;
    any |= saved[i - to].unreadable;
  }
  if (any) // the few unreadable ones (lazy files are skipped)
    extract_libraries(st, to, saved);
}

// The environment's modules the tree needs: the saved run's when the tree
// needs the same names of an unchanged environment (cli/rerun.h), else
// round by round (each round's files extracted in the pool, through the
// cache) until nothing new is imported.
static void load_libraries(run_state *st) {
  al_run_result *out = st->res;
  if (!st->env.dirs.len)
    return;
  al_libs *libs =
      al_libs_new(&st->env, out->catalog ? out->catalog : al_catalog_builtin(),
                  &out->project, out->arena, st->lib_files, st->lib_bytes);
  uint64_t needs = al_libs_tree_needs(libs);
  al_rerun_set_lib_needs(st->rerun, needs);
  al_rerun_libs saved;
  if (al_rerun_saved_libs(st->rerun, needs, &saved)) {
    uint32_t to = out->project.files.len;
    for (uint32_t k = 0; k < saved.n; k++)
      al_libs_add_saved(libs, saved.libs[k].module, saved.libs[k].fs_path,
                        saved.libs[k].size);
    al_libs_set_note(libs, saved.note);
    out->libraries_saved = true;
    if (saved.n)
      defer_libraries(st, to, saved.libs);
  } else {
    for (uint32_t from = 0;;) {
      uint32_t to = out->project.files.len;
      if (!al_libs_load(libs, from, to))
        break;
      extract_libraries(st, to, NULL);
      from = to;
    }
    uint32_t n = al_env_listed(&st->env, NULL, 0);
    const char **dirs = al_xcalloc(n ? n : 1, sizeof *dirs);
    al_env_listed(&st->env, dirs, n);
    al_rerun_set_listed(st->rerun, dirs, n);
    free(dirs);
  }
  st->first = 0;
  al_libs_read(libs, &out->library_files, &out->library_bytes);
  const char *note = al_libs_note(libs);
  if (note[0])
    out->budget_note = al_arena_strndup(out->arena, note, strlen(note));
  al_libs_free(libs);
}

// read -> parse -> extract in the pool; each file's part of the index too.
static void extract_all(run_state *st) {
  al_run_result *out = st->res;
  uint32_t n_files = out->project.files.len;
  st->prep = al_xcalloc(n_files ? n_files : 1, sizeof *st->prep);
  run_pool(st, st->n_threads, extract_worker);
  load_libraries(st);
  // Kept for the report stage, which shows lines of "-" (--show-source).
  out->stdin_bytes = st->stdin_failed ? NULL : st->stdin_bytes;
  out->stdin_len = st->stdin_failed ? 0 : st->stdin_len;
  out->stdin_owned = st->stdin_owned;
}

// rules -> suppress per file in the pool, then the diagnostics of all
// files in one sorted list.
static void check_all(run_state *st) {
  al_run_result *out = st->res;
  uint32_t n_files = out->project.n_linted, n_threads = st->n_threads;
  st->per_file = al_xcalloc(n_files ? n_files : 1, sizeof(al_diag_list));
  st->arenas = al_xcalloc(n_threads, sizeof(al_arena *));
  for (uint32_t i = 0; i < n_threads; i++)
    st->arenas[i] = al_arena_new();
  run_pool(st, n_threads, rules_worker);

  // Keep the messages: move the worker arenas' contents under the result
  // by copying messages into the result arena (one copy, small).
  for (uint32_t i = 0; i < n_files; i++) {
    al_diag_list *l = &st->per_file[i];
    out->files_checked += !out->project.files.items[i].context;
    if (l->len)
      out->files_with_problems++;
    for (uint32_t d = 0; d < l->len; d++) {
      al_diag dg = l->items[d];
      dg.message = al_arena_strndup(out->arena, dg.message, strlen(dg.message));
      dg.fix = al_fix_copy(out->arena, dg.fix);
      vec_push(&out->diags, dg);
    }
    vec_free(l);
  }
  for (uint32_t i = 0; i < n_threads; i++)
    al_arena_free(st->arenas[i]);
  free(st->arenas);
  free(st->per_file);
  uint32_t n = out->diags.len;
  al_report_sort(out->diags.items, &n, &out->project);
  out->diags.len = n;
}

// The cache's warning and figures into the result; closes it.
static void close_cache(run_state *st) {
  al_run_result *out = st->res;
  if (st->cache) {
    const char *warning = al_cache_warning(st->cache);
    if (warning)
      out->cache_warning =
          al_arena_strndup(out->arena, warning, strlen(warning));
    al_cache_stats(st->cache, &out->cache_hits, &out->cache_writes);
    al_cache_close(st->cache);
    st->cache = NULL;
    if (out->lazy)
      out->lazy->cache = NULL;
  }
  al_rerun_stats(st->rerun, &out->stat_trusted, &out->stat_read);
  al_rerun_free(st->rerun);
  st->rerun = NULL;
  free(st->check);
  st->check = NULL;
}

// The saved state of the last run (cli/rerun.h), when the run may use one
// (a cache, no standard input); true when it gave the whole result.
static bool restore_saved(run_state *st) {
  al_run_result *out = st->res;
  // Text that is not on disk (--fix's passes, the server's buffers): the
  // saved state describes the disk.
  if (!st->opts->rerun || !st->cache || st->opts->pending_text ||
      st->opts->overlay)
    return false;
  for (uint32_t i = 0; i < out->project.n_linted; i++)
    if (!out->project.files.items[i].fs_path &&
        !out->project.files.items[i].facts)
      return false; // standard input
  st->rerun =
      al_rerun_begin(st->cache, st->opts, &out->project, st->config_hash,
                     (const char *const *)st->env.dirs.items, st->env.dirs.len);
  return al_rerun_restore(st->rerun, st->cache, out);
}

void al_run(al_run_result *out, const al_run_opts *opts) {
  memset(out, 0, sizeof *out);
  out->arena = al_arena_new();
  run_state st = {.opts = opts, .res = out};
  stamp phase_start = stamp_now();
  if (!setup(&st)) {
    free(st.defaults);
    return;
  }
  phase_end(out, AL_PHASE_SETUP, &phase_start);

  if (restore_saved(&st)) {
    close_cache(&st);
    free(st.order);
    al_env_free(&st.env);
    free(st.file_enabled);
    free(st.defaults);
    phase_end(out, AL_PHASE_EXTRACT, &phase_start);
    return;
  }
  extract_all(&st);
  phase_end(out, AL_PHASE_EXTRACT, &phase_start);

  // With a saved state to keep, the build and the rules record what each
  // file's results read (model/deps.h).
  if (st.rerun || opts->record_deps)
    st.deps = al_deps_new(out->project.files.len);
  al_deps_thread_begin(st.deps);
  out->index = al_index_build(
      &out->project, out->catalog ? out->catalog : al_catalog_builtin(),
      st.prep, st.n_threads);
  al_deps_thread_end();
  free(st.prep);
  al_long_thread_end(); // files no worker prepared had theirs made here
  phase_end(out, AL_PHASE_INDEX, &phase_start);

  if (st.rerun)
    st.check = al_rerun_affected(st.rerun, out, st.deps);
  else if (opts->previous && opts->record_deps)
    st.check = al_recheck_affected(opts->previous, out, st.deps);
  out->rechecked = out->project.n_linted;
  for (uint32_t i = 0; st.check && i < out->project.n_linted; i++)
    out->rechecked -= !st.check[i];
  check_all(&st);
  if (st.rerun)
    al_rerun_save(st.rerun, st.cache, out, st.deps);
  if (opts->record_deps) { // kept for the next check (cli/recheck.h)
    if (!st.rerun && opts->previous)
      al_recheck_carry(opts->previous, st.check, out->project.n_linted,
                       st.deps);
    out->deps = st.deps;
  } else {
    al_deps_free(st.deps);
  }
  close_cache(&st);
  free(st.order);
  al_env_free(&st.env);
  free(st.file_enabled);
  free(st.defaults);
  phase_end(out, AL_PHASE_RULES, &phase_start);
}

void al_run_free(al_run_result *self) {
  al_deps_free(self->deps);
  al_index_free(self->index);
  if (self->lazy)
    free(self->lazy->keys);
  free(self->lazy);
  al_catalog_free(self->catalog);
  al_project_free(&self->project);
  vec_free(&self->diags);
  vec_free(&self->problems);
  al_arena_free(self->arena);
  free(self->stdin_owned);
  memset(self, 0, sizeof *self);
}
