// SPDX-License-Identifier: MIT
/*
 * Files written atomically: the data goes to a temporary file beside the
 * target, renamed over it only once everything was written, so a reader
 * never sees half a report or half a baseline. It does not decide what is
 * written (cli/output.c and suppress/baseline.c do).
 */
#include "base/atomic_file.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/arena.h"

bool al_atomic_open(al_atomic_file *self, const char *path) {
  *self = (al_atomic_file){.path = path};
  // The temporary file sits next to the target, so the rename stays on one
  // file system and is atomic; a missing directory fails here (ENOENT).
  const char *slash = strrchr(path, '/');
  size_t dir_len = slash ? (size_t)(slash - path) + 1 : 0;
  const char *base = path + dir_len;
  size_t size = strlen(path) + 16;
  self->tmp_path = al_xmalloc(size);
  snprintf(self->tmp_path, size, "%.*s.%s.XXXXXX", (int)dir_len, path, base);
  int fd = mkstemp(self->tmp_path);
  if (fd < 0) {
    free(self->tmp_path);
    self->tmp_path = NULL;
    return false;
  }
  // mkstemp makes the file 0600; a report is an ordinary file (0666 minus
  // the umask). Reading the umask means setting it, which is why this
  // module is not for threads (reports are written after the workers).
  mode_t mask = umask(0);
  umask(mask);
  if (fchmod(fd, 0666 & ~mask) != 0 || !(self->fp = fdopen(fd, "w"))) {
    int e = errno;
    close(fd);
    unlink(self->tmp_path);
    free(self->tmp_path);
    self->tmp_path = NULL;
    errno = e;
    return false;
  }
  return true;
}

bool al_atomic_commit(al_atomic_file *self, bool ok) {
  errno = 0;
  bool closed = fclose(self->fp) == 0;
  int e = errno;
  bool done = ok && closed && rename(self->tmp_path, self->path) == 0;
  if (ok && closed && !done)
    e = errno;
  if (!done)
    unlink(self->tmp_path);
  free(self->tmp_path);
  self->tmp_path = NULL;
  self->fp = NULL;
  errno = e;
  return done || !ok;
}
