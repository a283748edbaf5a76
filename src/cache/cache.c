// SPDX-License-Identifier: MIT
/*
 * The result cache (cache.h) on disk: the key an entry is filed under, and
 * the directory (its markers, reading an entry whole, writing one
 * atomically, the warning when the cache cannot be used). What an entry
 * holds and how it is parsed is format.c's; this file hands it bytes and
 * takes facts or a miss. It knows nothing of the paths being linted.
 */
#include "cache/cache.h"
#include "cache/cache_p.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/hash.h"
#include "base/vec.h"

// meson defines it for the core library; a hand build still compiles.
#ifndef AL_VERSION
#define AL_VERSION "unknown"
#endif

#define HEADER_BYTES AL_CACHE__HEADER_BYTES
// An entry larger than this is not read (a file is at most 1 GiB and its
// facts are a fraction of it; anything bigger is not ours).
#define MAX_ENTRY_BYTES ((size_t)1 << 31)

// ---------------------------------------------------------------------------
// Hashing and little-endian fields: src/base/hash.h.

// The build: a hash of the running executable's bytes, so that a rebuilt
// binary (a changed extractor during development, when AL_VERSION stays
// the same) never reads facts written by another one. 0 when the
// executable cannot be read (then AL_VERSION alone tells builds apart).
static uint64_t build_id;
static pthread_once_t build_once = PTHREAD_ONCE_INIT;

// Reads a regular file of min..MAX_ENTRY_BYTES bytes whole from fd (which
// it closes), in malloc'd memory (*len bytes); NULL if it is anything else
// or a read fails.
static unsigned char *read_whole(int fd, uint64_t min, size_t *len) {
  struct stat sb;
  unsigned char *buf = NULL;
  if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) &&
      (uint64_t)sb.st_size >= min && (uint64_t)sb.st_size <= MAX_ENTRY_BYTES) {
    size_t want = (size_t)sb.st_size, got = 0;
    buf = al_xmalloc(want);
    while (got < want) {
      ssize_t r = read(fd, buf + got, want - got);
      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        break;
      got += (size_t)r;
    }
    if (got != want) {
      free(buf);
      buf = NULL;
    }
    *len = got;
  }
  close(fd);
  return buf;
}

static void compute_build_id(void) {
  int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return;
  size_t len = 0;
  unsigned char *buf = read_whole(fd, 1, &len);
  if (buf)
    build_id = al_hash64(buf, len, 0);
  free(buf);
}

al_cache_key al_cache_key_of(const char *bytes, size_t len) {
  // Everything besides the bytes that decides what extraction records:
  // the tool (its version and its build: the extractor, the tree-sitter
  // core and the grammar are all in the executable) and the format. The
  // config and the command line do not change facts; should that change,
  // what they contribute must be mixed in here.
  pthread_once(&build_once, compute_build_id);
  char meta[128];
  int n = snprintf(meta, sizeof meta, "asynclint %s facts %u build %016llx",
                   AL_VERSION, AL_CACHE_FORMAT_VERSION,
                   (unsigned long long)build_id);
  uint64_t m = al_hash64(meta, (size_t)n, 0);
  al_cache_key k = {{al_hash64(bytes, len, m),
                     al_hash64(bytes, len, ~m ^ 0x165667B19E3779F9ull)}};
  return k;
}

// ---------------------------------------------------------------------------
// The directory.

// Temporary names are unique within the process (several caches may share
// a directory) and, by the pid, between processes.
static atomic_uint tmp_counter;

struct al_cache {
  int dirfd;                // the cache directory, -1: disabled
  char *dir;                // as given, for messages
  atomic_bool write_failed; // no more writes this run
  atomic_uint hits, writes; // statistics
  pthread_mutex_t lock;     // guards warning
  char *warning;            // the first problem, or NULL
};

static void warn(al_cache *self, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void warn(al_cache *self, const char *fmt, ...) {
  char msg[600];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  pthread_mutex_lock(&self->lock);
  if (!self->warning) {
    size_t n = strlen(self->dir) + strlen(msg) + 3;
    self->warning = al_xmalloc(n);
    snprintf(self->warning, n, "%s: %s", self->dir, msg);
  }
  pthread_mutex_unlock(&self->lock);
}

// A write failed: say so once, and write no more this run (a full disk or a
// read-only directory would fail for every file).
static void write_failed(al_cache *self, int err) {
  if (!atomic_exchange(&self->write_failed, true))
    warn(self,
         "cannot write to the cache (%s); continuing without updating "
         "it",
         strerror(err));
}

// mkdir -p for the parents of path (the last component is the caller's).
static void make_parents(const char *path) {
  char *copy = al_xstrdup(path);
  for (char *p = copy + 1; *p; p++) {
    if (*p != '/')
      continue;
    *p = '\0';
    (void)mkdir(copy, 0777); // an error shows when the cache dir is made
    *p = '/';
  }
  free(copy);
}

static bool write_all(int fd, const unsigned char *p, size_t n) {
  while (n) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0) {
      if (w == 0)
        errno = EIO;
      return false;
    }
    p += w;
    n -= (size_t)w;
  }
  return true;
}

// Creates dir/name with the given contents unless it exists.
static bool write_marker(al_cache *self, const char *name, const char *text) {
  int fd = openat(self->dirfd, name,
                  O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0)
    return errno == EEXIST;
  bool ok = write_all(fd, (const unsigned char *)text, strlen(text));
  int err = errno;
  if (close(fd) != 0 && ok) {
    ok = false;
    err = errno;
  }
  if (!ok) {
    unlinkat(self->dirfd, name, 0);
    errno = err;
  }
  return ok;
}

al_cache *al_cache_open(const char *dir) {
  al_cache *self = al_xcalloc(1, sizeof *self);
  self->dirfd = -1;
  self->dir = al_xstrdup(dir);
  pthread_mutex_init(&self->lock, NULL);
  atomic_init(&self->write_failed, false);
  atomic_init(&self->hits, 0);
  atomic_init(&self->writes, 0);

  struct stat sb;
  bool created = false;
  if (lstat(dir, &sb) != 0) {
    if (errno != ENOENT) {
      warn(self,
           "cannot use the cache directory (%s); continuing without "
           "the cache",
           strerror(errno));
      return self;
    }
    make_parents(dir);
    if (mkdir(dir, 0777) == 0) {
      created = true;
    } else if (errno != EEXIST) {
      warn(self,
           "cannot create the cache directory (%s); continuing without "
           "the cache",
           strerror(errno));
      return self;
    }
  } else if (S_ISLNK(sb.st_mode)) {
    // Following it would let whoever made the link choose where we write.
    warn(self, "the cache directory is a symbolic link; refusing to use it");
    return self;
  } else if (!S_ISDIR(sb.st_mode)) {
    warn(self, "the cache directory is not a directory; continuing without "
               "the cache");
    return self;
  }
  // O_NOFOLLOW: a link swapped in since lstat is refused too.
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ELOOP)
      warn(self, "the cache directory is a symbolic link; refusing to use it");
    else
      warn(self,
           "cannot open the cache directory (%s); continuing without "
           "the cache",
           strerror(errno));
    return self;
  }
  self->dirfd = fd;
  // As ruff does: backup tools skip the directory, git ignores it. Only in
  // a directory made here: --cache-dir naming an existing directory of the
  // user's must not make backups skip it.
  if (created &&
      (!write_marker(self, "CACHEDIR.TAG",
                     "Signature: 8a477f597d28d172789f06886806bc55\n"
                     "# This file is a cache directory tag created by "
                     "asynclint.\n"
                     "# For information about cache directory tags, see:\n"
                     "#\thttps://bford.info/cachedir/\n") ||
       !write_marker(self, ".gitignore",
                     "# Automatically created by asynclint.\n*\n")))
    write_failed(self, errno);
  return self;
}

void al_cache_close(al_cache *self) {
  if (!self)
    return;
  if (self->dirfd >= 0)
    close(self->dirfd);
  pthread_mutex_destroy(&self->lock);
  free(self->warning);
  free(self->dir);
  free(self);
}

const char *al_cache_warning(const al_cache *self) {
  return self ? self->warning : NULL;
}

void al_cache_stats(const al_cache *self, uint32_t *hits, uint32_t *writes) {
  *hits = self ? atomic_load(&self->hits) : 0;
  *writes = self ? atomic_load(&self->writes) : 0;
}

// "xx" and the full 32-digit name of an entry.
static void entry_names(const al_cache_key *key, char sub[3], char name[33]) {
  snprintf(name, 33, "%016llx%016llx", (unsigned long long)key->h[0],
           (unsigned long long)key->h[1]);
  sub[0] = name[0];
  sub[1] = name[1];
  sub[2] = '\0';
}

// Reads a regular file whole (never a FIFO or device: O_NONBLOCK and fstat).
static unsigned char *read_entry(int dirfd, const char *name, size_t *len) {
  int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  return fd < 0 ? NULL : read_whole(fd, HEADER_BYTES, len);
}

al_facts *al_cache_get(al_cache *self, const al_cache_key *key) {
  if (!self || self->dirfd < 0)
    return NULL;
  char sub[3], name[33];
  entry_names(key, sub, name);
  int subfd =
      openat(self->dirfd, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (subfd < 0)
    return NULL;
  size_t len = 0;
  unsigned char *data = read_entry(subfd, name, &len);
  close(subfd);
  // A damaged entry is simply a miss: the caller extracts again and
  // al_cache_put replaces it.
  al_facts *f = data ? al_cache_decode(data, len, key) : NULL;
  free(data);
  if (f)
    atomic_fetch_add(&self->hits, 1);
  return f;
}

// Writes data[0..len) as sub/name atomically; false (warning recorded)
// when it cannot.
static bool write_file(al_cache *self, const char *sub, const char *name,
                       const unsigned char *data, size_t len) {
  if (mkdirat(self->dirfd, sub, 0777) != 0 && errno != EEXIST) {
    write_failed(self, errno);
    return false;
  }
  int subfd =
      openat(self->dirfd, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (subfd < 0) {
    write_failed(self, errno);
    return false;
  }
  // A name of our own in the same directory, then rename(2): readers (this
  // run's other workers, or another asynclint at the same time) see the old
  // entry, the new one or none, never half of one.
  char tmp[64];
  int fd = -1;
  // EEXIST: left by a crashed run whose pid was this one's; take another.
  for (int attempt = 0; attempt < 8; attempt++) {
    snprintf(tmp, sizeof tmp, ".tmp-%ld-%u", (long)getpid(),
             atomic_fetch_add(&tmp_counter, 1));
    fd = openat(subfd, tmp,
                O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd >= 0 || errno != EEXIST)
      break;
  }
  bool ok = fd >= 0 && write_all(fd, data, len);
  int err = errno;
  if (fd >= 0 && close(fd) != 0 && ok) {
    ok = false;
    err = errno;
  }
  if (ok && renameat(subfd, tmp, subfd, name) != 0) {
    ok = false;
    err = errno;
  }
  if (!ok) {
    if (fd >= 0)
      unlinkat(subfd, tmp, 0);
    write_failed(self, err);
  }
  close(subfd);
  return ok;
}

void al_cache_put(al_cache *self, const al_cache_key *key,
                  const al_facts *facts) {
  if (!self || self->dirfd < 0 || atomic_load(&self->write_failed))
    return;
  size_t len;
  unsigned char *data = al_cache_encode(facts, key, &len);
  if (!data)
    return; // too big for the format: extract it every time
  char sub[3], name[33];
  entry_names(key, sub, name);
  if (write_file(self, sub, name, data, len))
    atomic_fetch_add(&self->writes, 1);
  free(data);
}

#define BLOB_DIR "state"

unsigned char *al_cache_read_blob(al_cache *self, const char *name,
                                  size_t *len) {
  if (!self || self->dirfd < 0)
    return NULL;
  int subfd = openat(self->dirfd, BLOB_DIR,
                     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (subfd < 0)
    return NULL;
  unsigned char *data = read_entry(subfd, name, len);
  close(subfd);
  return data;
}

bool al_cache_write_blob(al_cache *self, const char *name,
                         const unsigned char *data, size_t len) {
  if (!self || self->dirfd < 0 || atomic_load(&self->write_failed))
    return false;
  return write_file(self, BLOB_DIR, name, data, len);
}
