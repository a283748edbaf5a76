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
#include <unistd.h>

#include "facts/extract.h"
#include "model/catalog.h"
#include "report/report.h"
#include "source/file.h"
#include "suppress/noqa.h"

#define MAX_THREADS 256

uint32_t al_run_default_threads(void) {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  if (n < 1)
    return 1;
  return n > MAX_THREADS ? MAX_THREADS : (uint32_t)n;
}

typedef struct {
  const al_run_opts *opts;
  al_run_result *res;
  const char *stdin_bytes; // what "-" reads (already slurped)
  size_t stdin_len;
  bool stdin_failed;
  const char *stdin_error;
  const bool *enabled;
  atomic_uint next;
  al_diag_list *per_file; // diagnostics by file
  al_arena **arenas;      // per worker: messages
} run_state;

typedef struct {
  run_state *st;
  uint32_t worker;
} worker_arg;

static void *extract_worker(void *p) {
  worker_arg *w = p;
  run_state *st = w->st;
  al_project *proj = &st->res->project;
  al_extractor *x = al_extractor_new();
  for (;;) {
    uint32_t i = atomic_fetch_add(&st->next, 1);
    if (i >= proj->files.len)
      break;
    al_project_file *pf = &proj->files.items[i];
    al_arena *tmp = al_arena_new();
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
    pf->facts = al_extract(x, &src);
    al_arena_free(tmp); // source bytes go; the facts hold copies
  }
  al_extractor_free(x);
  return NULL;
}

static void *rules_worker(void *p) {
  worker_arg *w = p;
  run_state *st = w->st;
  al_run_result *res = st->res;
  for (;;) {
    uint32_t i = atomic_fetch_add(&st->next, 1);
    if (i >= res->project.files.len)
      break;
    al_project_file *pf = &res->project.files.items[i];
    al_rule_ctx ctx = {
        .index = res->index,
        .project = &res->project,
        .file = i,
        .facts = pf->facts,
        .path = pf->path,
        .arena = st->arenas[w->worker],
        .out = &st->per_file[i],
        .enabled = st->enabled,
    };
    al_rules_check_file(&ctx);
    // Suppression works per file on diagnostics sorted by position.
    al_diag_list *l = &st->per_file[i];
    if (l->len) {
      uint32_t n = l->len;
      al_report_sort(l->items, &n, &res->project);
      al_noqa_apply(pf->facts, l->items, &n);
      l->len = n;
    }
  }
  return NULL;
}

// Run fn over every file with n workers (n == 1: on this thread).
static void run_pool(run_state *st, uint32_t n, void *(*fn)(void *)) {
  atomic_store(&st->next, 0);
  worker_arg args[MAX_THREADS];
  pthread_t tids[MAX_THREADS];
  bool started[MAX_THREADS] = {0};
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

void al_run(al_run_result *out, const al_run_opts *opts) {
  memset(out, 0, sizeof *out);
  out->arena = al_arena_new();
  run_state st = {.opts = opts, .res = out};

  // Which rules run.
  uint32_t n_rules;
  al_rules_all(&n_rules);
  bool *defaults = NULL;
  if (opts->enabled) {
    st.enabled = opts->enabled;
  } else {
    defaults = al_xcalloc(n_rules, sizeof(bool));
    al_rules_select(defaults, NULL, 0, NULL, 0, NULL);
    st.enabled = defaults;
  }

  // discover: the paths other than "-".
  const char **paths = al_xcalloc(opts->n_paths + 1, sizeof(char *));
  uint32_t n_paths = 0;
  bool want_stdin = false;
  for (uint32_t i = 0; i < opts->n_paths; i++) {
    if (strcmp(opts->paths[i], "-") == 0)
      want_stdin = true;
    else
      paths[n_paths++] = opts->paths[i];
  }
  al_discovery disc = {0};
  if (n_paths)
    al_discover(&disc, out->arena, paths, n_paths, &opts->discover);
  free(paths);
  for (uint32_t i = 0; i < disc.problems.len; i++) {
    const al_found_problem *p = &disc.problems.items[i];
    add_problem(out, p->path, p->message, p->explicit_);
  }
  for (uint32_t i = 0; i < disc.files.len; i++) {
    al_project_file pf = {disc.files.items[i].path, disc.files.items[i].path,
                          disc.files.items[i].explicit_, NULL};
    vec_push(&out->project.files, pf);
  }
  al_discovery_free(&disc);
  char *slurped = NULL;
  if (want_stdin) {
    const char *name = opts->stdin_filename ? opts->stdin_filename : "-";
    al_project_file pf = {al_arena_strndup(out->arena, name, strlen(name)),
                          NULL, true, NULL};
    vec_push(&out->project.files, pf);
    if (opts->stdin_bytes) {
      st.stdin_bytes = opts->stdin_bytes;
      st.stdin_len = opts->stdin_len;
    } else {
      slurped = al_source_slurp_fd(0, &st.stdin_len);
      if (!slurped) {
        st.stdin_failed = true;
        st.stdin_error = al_arena_printf(
            out->arena, "cannot read standard input: %s", strerror(errno));
      }
      st.stdin_bytes = slurped;
    }
  }
  if (out->project.files.len > 1)
    qsort(out->project.files.items, out->project.files.len,
          sizeof(al_project_file), cmp_file);

  if (opts->after_discover)
    opts->after_discover(opts->after_discover_data, &out->project);

  uint32_t n_threads = opts->threads ? opts->threads : al_run_default_threads();
  if (n_threads > MAX_THREADS)
    n_threads = MAX_THREADS;
  uint32_t n_files = out->project.files.len;
  if (n_threads > n_files)
    n_threads = n_files ? n_files : 1;

  // read -> parse -> extract
  run_pool(&st, n_threads, extract_worker);
  free(slurped);

  // index (whole tree)
  out->index = al_index_build(&out->project, al_catalog_builtin());

  // rules -> suppress, per file
  st.per_file = al_xcalloc(n_files ? n_files : 1, sizeof(al_diag_list));
  st.arenas = al_xcalloc(n_threads, sizeof(al_arena *));
  for (uint32_t i = 0; i < n_threads; i++)
    st.arenas[i] = al_arena_new();
  run_pool(&st, n_threads, rules_worker);

  // Keep the messages: move the worker arenas' contents under the result
  // by copying messages into the result arena (one copy, small).
  for (uint32_t i = 0; i < n_files; i++) {
    al_diag_list *l = &st.per_file[i];
    if (l->len)
      out->files_with_problems++;
    for (uint32_t d = 0; d < l->len; d++) {
      al_diag dg = l->items[d];
      dg.message = al_arena_strndup(out->arena, dg.message, strlen(dg.message));
      vec_push(&out->diags, dg);
    }
    vec_free(l);
  }
  for (uint32_t i = 0; i < n_threads; i++)
    al_arena_free(st.arenas[i]);
  free(st.arenas);
  free(st.per_file);
  free(defaults);
  out->files_checked = n_files;
  uint32_t n = out->diags.len;
  al_report_sort(out->diags.items, &n, &out->project);
  out->diags.len = n;
}

void al_run_free(al_run_result *self) {
  al_index_free(self->index);
  al_project_free(&self->project);
  vec_free(&self->diags);
  vec_free(&self->problems);
  al_arena_free(self->arena);
  memset(self, 0, sizeof *self);
}
