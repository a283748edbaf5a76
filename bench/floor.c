// SPDX-License-Identifier: MIT
/*
 * asynclint-floor: the parse-only floor of the benchmark (issue 6, bench/).
 *
 *   asynclint-floor [--threads N] PATH ...
 *
 * Does what asynclint does before extraction and nothing after it: the same
 * discovery (al_discover with the default excludes and .gitignore, as
 * asynclint --isolated), the same read and decode (al_source_read), the same
 * parser wrapper and work budget (al_parser_parse), then ts_tree_delete.
 * No cursor walk, no facts, no index, no rules, no report. Prints one line:
 * `files N bytes B gave_up G unreadable U` (bytes are decoded source bytes,
 * the same that asynclint parses). Built from the same static libraries as
 * asynclint (libasynclint-core, the pinned tree-sitter and grammar objects),
 * so the ratio asynclint / floor measures only what asynclint adds.
 * --threads N hands the files out to N threads the way cli/run.c does (an
 * atomic counter, one parser per thread); the default is 1.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "source/discover.h"
#include "source/file.h"
#include "syntax/parser.h"

#define MAX_THREADS 256

typedef struct {
  const al_discovery *disc;
  atomic_uint next;
} pool;

typedef struct {
  pool *p;
  uint64_t files, bytes, gave_up, unreadable;
} worker;

static void *work(void *arg) {
  worker *w = arg;
  const al_discovery *disc = w->p->disc;
  al_parser *parser = al_parser_new();
  for (;;) {
    uint32_t i = atomic_fetch_add(&w->p->next, 1);
    if (i >= disc->files.len)
      break;
    const char *path = disc->files.items[i].path;
    al_arena *tmp = al_arena_new();
    al_source src;
    w->files++;
    if (al_source_read(&src, tmp, path, path)) {
      bool gave_up = false;
      TSTree *tree = al_parser_parse(parser, src.text, src.len, &gave_up);
      if (tree)
        ts_tree_delete(tree);
      w->gave_up += gave_up;
      w->bytes += src.len;
    } else {
      w->unreadable++;
    }
    al_arena_free(tmp);
  }
  al_parser_free(parser);
  return NULL;
}

int main(int argc, char **argv) {
  uint32_t n_threads = 1;
  int first = 1;
  if (argc > 2 && strcmp(argv[1], "--threads") == 0) {
    long n = strtol(argv[2], NULL, 10);
    if (n < 1 || n > MAX_THREADS) {
      fprintf(stderr, "asynclint-floor: --threads expects 1-%d\n", MAX_THREADS);
      return 2;
    }
    n_threads = (uint32_t)n;
    first = 3;
  }
  if (first >= argc) {
    fprintf(stderr, "usage: asynclint-floor [--threads N] PATH ...\n");
    return 2;
  }
  // asynclint --isolated: default excludes, .gitignore honoured.
  al_discover_opts opts = {.respect_gitignore = true};
  al_arena *arena = al_arena_new();
  al_discovery disc = {0};
  al_discover(&disc, arena, (const char *const *)argv + first,
              (uint32_t)(argc - first), &opts);
  for (uint32_t i = 0; i < disc.problems.len; i++)
    fprintf(stderr, "asynclint-floor: %s: %s\n", disc.problems.items[i].path,
            disc.problems.items[i].message);

  pool p = {.disc = &disc};
  atomic_init(&p.next, 0);
  worker ws[MAX_THREADS];
  pthread_t tids[MAX_THREADS];
  bool started[MAX_THREADS] = {0};
  for (uint32_t i = 0; i < n_threads; i++)
    ws[i] = (worker){.p = &p};
  for (uint32_t i = 1; i < n_threads; i++)
    started[i] = pthread_create(&tids[i], NULL, work, &ws[i]) == 0;
  work(&ws[0]);
  uint64_t files = ws[0].files, bytes = ws[0].bytes, gave_up = ws[0].gave_up,
           unreadable = ws[0].unreadable;
  for (uint32_t i = 1; i < n_threads; i++) {
    if (started[i])
      pthread_join(tids[i], NULL);
    files += ws[i].files;
    bytes += ws[i].bytes;
    gave_up += ws[i].gave_up;
    unreadable += ws[i].unreadable;
  }
  printf("files %llu bytes %llu gave_up %llu unreadable %llu\n",
         (unsigned long long)files, (unsigned long long)bytes,
         (unsigned long long)gave_up, (unsigned long long)unreadable);
  int code = disc.problems.len ? 1 : 0;
  al_discovery_free(&disc);
  al_arena_free(arena);
  return code;
}
