// SPDX-License-Identifier: MIT
/*
 * Replays inputs through a fuzz harness without libFuzzer: linked with
 * fuzz_lint.c or fuzz_config.c into a plain program (any compiler), it calls
 * LLVMFuzzerTestOneInput on every file under the given paths (directories
 * recursively, in name order) and prints TAP. The regression inputs of
 * fixtures/fuzz/ run this way in the test suite (suite 'fuzz'), under the
 * sanitizers too; an input running past the per-input limit (AL_REPLAY_LIMIT
 * seconds, default 60) is a hang and fails the run.
 *
 * Usage: replay_lint|replay_config PATH...
 */
#include <dirent.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned n_run;
static const char *current;

static void on_alarm(int sig) {
  (void)sig;
  // Async-signal-safe: write(2) only.
  static const char a[] = "not ok - ", b[] = ": hang (over the time limit)\n";
  if (write(1, a, sizeof a - 1) < 0 || write(1, current, strlen(current)) < 0 ||
      write(1, b, sizeof b - 1) < 0)
    _exit(1);
  _exit(1);
}

static int cmp_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static int replay(const char *path, unsigned limit) {
  struct stat st;
  if (stat(path, &st) != 0) {
    printf("not ok %u - %s: cannot stat\n", ++n_run, path);
    return 1;
  }
  if (S_ISDIR(st.st_mode)) {
    DIR *d = opendir(path);
    if (!d) {
      printf("not ok %u - %s: cannot open\n", ++n_run, path);
      return 1;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
      if (e->d_name[0] == '.')
        continue; // ".", "..", hidden files
      if (n == cap) {
        cap = cap ? cap * 2 : 16;
        names = realloc(names, cap * sizeof *names);
        if (!names)
          abort();
      }
      size_t len = strlen(path) + strlen(e->d_name) + 2;
      names[n] = malloc(len);
      if (!names[n])
        abort();
      snprintf(names[n++], len, "%s/%s", path, e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_names);
    int failed = 0;
    for (size_t i = 0; i < n; i++) {
      failed |= replay(names[i], limit);
      free(names[i]);
    }
    free(names);
    return failed;
  }
  FILE *f = fopen(path, "rb");
  if (!f) {
    printf("not ok %u - %s: cannot open\n", ++n_run, path);
    return 1;
  }
  size_t size = (size_t)st.st_size;
  uint8_t *data = malloc(size ? size : 1);
  if (!data || fread(data, 1, size, f) != size) {
    fclose(f);
    free(data);
    printf("not ok %u - %s: cannot read\n", ++n_run, path);
    return 1;
  }
  fclose(f);
  current = path;
  fflush(stdout);
  alarm(limit);
  LLVMFuzzerTestOneInput(data, size); // a crash ends the program: not ok
  alarm(0);
  free(data);
  printf("ok %u - %s\n", ++n_run, path);
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s PATH...\n", argv[0]);
    return 2;
  }
  const char *env = getenv("AL_REPLAY_LIMIT");
  unsigned limit = env && atoi(env) > 0 ? (unsigned)atoi(env) : 60;
  signal(SIGALRM, on_alarm);
  int failed = 0;
  for (int i = 1; i < argc; i++)
    failed |= replay(argv[i], limit);
  printf("1..%u\n", n_run);
  return failed;
}
