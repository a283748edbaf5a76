// SPDX-License-Identifier: MIT
/*
 * A temporary directory per cmocka group, made the current directory for
 * the group's tests, shared by the unit tests that build file trees
 * (test_discover.c, test_run.c, test_config.c). Define TMP_TREE_NAME
 * ("discover", ...) before including; test-only, static functions.
 */
#ifndef AL_TESTS_TMP_TREE_H
#define AL_TESTS_TMP_TREE_H

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmp_dir[] = "/tmp/asynclint-" TMP_TREE_NAME "-XXXXXX";
static char old_cwd[PATH_MAX];

static int setup_dir(void **state) {
  (void)state;
  // mkdtemp fills in the X's: restore them for the next group.
  memcpy(tmp_dir + sizeof tmp_dir - 7, "XXXXXX", 6);
  if (!getcwd(old_cwd, sizeof old_cwd) || !mkdtemp(tmp_dir))
    return -1;
  return chdir(tmp_dir);
}

static int remove_dir(void **state) {
  (void)state;
  if (chdir(old_cwd) != 0)
    return -1;
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp_dir);
  return system(cmd) == 0 ? 0 : -1;
}

// Creates the directories leading to path (relative to the cwd).
static void make_parents(const char *path) {
  char buf[PATH_MAX];
  snprintf(buf, sizeof buf, "%s", path);
  for (char *p = buf + 1; *p; p++) {
    if (*p != '/')
      continue;
    *p = 0;
    mkdir(buf, 0755);
    *p = '/';
  }
}

#endif
