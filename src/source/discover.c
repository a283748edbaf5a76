// SPDX-License-Identifier: MIT
/*
 * Path discovery: turns the command line's paths into the sorted list of
 * Python files to lint, plus the problems met on the way (missing paths,
 * unreadable directories, special files named like Python files).
 *
 * The walk uses an explicit heap stack of directories, never the C stack, so
 * a deep tree cannot overflow it; each directory's names are sorted with
 * strcmp so the walk is deterministic. Symlinks are followed, and a set of
 * (st_dev, st_ino) pairs keeps any directory from being entered twice, which
 * ends loops; symlinked directories are entered only after all real ones, so
 * files keep their real paths when both lead to them. Special files are
 * stat'ed, never opened (opening a FIFO blocks). This module does not read file
 * contents and does not (yet) honour .gitignore.
 */
#include "source/discover.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "base/error.h"

const char *const al_default_excludes[] = {
    ".git",          ".hg",         ".svn",
    ".venv",         "venv",        "__pycache__",
    "node_modules",  "build",       "dist",
    "site-packages", ".tox",        ".nox",
    ".mypy_cache",   ".ruff_cache", ".pytest_cache",
    ".eggs",         "*.egg-info",  NULL,
};

#define N_DEFAULT_EXCLUDES                                                     \
  (sizeof al_default_excludes / sizeof *al_default_excludes - 1)

// ---------------------------------------------------------------------------
// Set of directories already entered, keyed by (st_dev, st_ino).

typedef struct {
  dev_t dev;
  ino_t ino;
  bool used;
} dir_key;

typedef struct {
  dir_key *slots; // cap entries, a power of two
  size_t cap;
  size_t len;
} dir_set;

static size_t dir_hash(dev_t dev, ino_t ino) {
  uint64_t h = (uint64_t)ino * 0x9E3779B97F4A7C15ull;
  h ^= (uint64_t)dev + 0x7F4A7C159E3779B9ull + (h << 6) + (h >> 2);
  return (size_t)(h ^ (h >> 29));
}

static void dir_set_grow(dir_set *self);

// Returns true when (dev, ino) was not in the set (and adds it).
static bool dir_set_add(dir_set *self, dev_t dev, ino_t ino) {
  // Keep the load factor under 1/2 so probe sequences stay short.
  if ((self->len + 1) * 2 > self->cap)
    dir_set_grow(self);
  size_t mask = self->cap - 1;
  for (size_t i = dir_hash(dev, ino) & mask;; i = (i + 1) & mask) {
    dir_key *k = &self->slots[i];
    if (!k->used) {
      *k = (dir_key){dev, ino, true};
      self->len++;
      return true;
    }
    if (k->dev == dev && k->ino == ino)
      return false;
  }
}

static void dir_set_grow(dir_set *self) {
  dir_set bigger = {al_xcalloc(self->cap ? self->cap * 2 : 64, sizeof(dir_key)),
                    self->cap ? self->cap * 2 : 64, 0};
  for (size_t i = 0; i < self->cap; i++)
    if (self->slots[i].used)
      dir_set_add(&bigger, self->slots[i].dev, self->slots[i].ino);
  free(self->slots);
  *self = bigger;
}

// ---------------------------------------------------------------------------
// Names and globs.

// "./x" and ".//x" are "x"; "." and "./" are "" (the current directory).
static const char *skip_dot_slash(const char *path) {
  while (path[0] == '.' && path[1] == '/') {
    path += 2;
    while (*path == '/')
      path++;
  }
  if (strcmp(path, ".") == 0)
    return "";
  return path;
}

static bool glob_list_matches(const char *const *globs, size_t n,
                              const char *base, const char *whole) {
  for (size_t i = 0; i < n; i++) {
    if (!globs[i])
      break;
    // No FNM_PATHNAME: '*' crosses '/', as in ruff's path globs.
    if (fnmatch(globs[i], base, 0) == 0 || fnmatch(globs[i], whole, 0) == 0)
      return true;
  }
  return false;
}

// The test proper, once the last component and the whole path are known.
static bool excluded(const char *base, const char *whole,
                     const al_discover_opts *opts) {
  if (opts && opts->exclude) {
    if (glob_list_matches(opts->exclude, opts->n_exclude, base, whole))
      return true;
  } else if (glob_list_matches(al_default_excludes, N_DEFAULT_EXCLUDES, base,
                               whole)) {
    return true;
  }
  return opts && opts->extend_exclude &&
         glob_list_matches(opts->extend_exclude, opts->n_extend_exclude, base,
                           whole);
}

bool al_discover_is_excluded(const char *path, const al_discover_opts *opts) {
  const char *whole = skip_dot_slash(path);
  size_t len = strlen(whole);
  while (len > 1 && whole[len - 1] == '/')
    len--;
  // Copy so that trailing slashes do not take part in the match.
  char *trimmed = al_xstrndup(whole, len);
  const char *slash = strrchr(trimmed, '/');
  const char *base = slash && slash[1] ? slash + 1 : trimmed;
  bool result = excluded(base, trimmed, opts);
  free(trimmed);
  return result;
}

static bool has_suffix(const char *name, const char *suffix) {
  size_t n = strlen(name), s = strlen(suffix);
  return n >= s && memcmp(name + n - s, suffix, s) == 0;
}

static bool is_python_name(const char *name) {
  return has_suffix(name, ".py") || has_suffix(name, ".pyi");
}

// ---------------------------------------------------------------------------
// The walk.

typedef struct {
  const char *path; // display path ("" for the current directory); arena
  bool explicit_;
} pending_dir;

typedef struct {
  al_discovery *out;
  al_arena *arena;
  const al_discover_opts *opts;
  dir_set entered;
  al_vec(pending_dir) stack;
  al_vec(const char *) links; // symlinked directories, followed last
  char *scratch;              // join buffer, reused for every entry
  size_t scratch_cap;
} walker;

static void add_problem(walker *w, const char *path, const char *message,
                        bool explicit_) {
  al_found_problem *p = vec_grow1(&w->out->problems);
  p->path = al_arena_strndup(w->arena, path, strlen(path));
  p->message = al_arena_strndup(w->arena, message, strlen(message));
  p->explicit_ = explicit_;
}

static void add_file(walker *w, const char *path, bool explicit_) {
  al_found_file *f = vec_grow1(&w->out->files);
  f->path = al_arena_strndup(w->arena, path, strlen(path));
  f->explicit_ = explicit_;
}

// Joins dir and name into w->scratch (dir "" is the current directory).
static const char *join(walker *w, const char *dir, const char *name) {
  size_t dl = strlen(dir), nl = strlen(name);
  size_t need = dl + 1 + nl + 1;
  if (need > w->scratch_cap) {
    w->scratch_cap = need * 2;
    w->scratch = al_xrealloc(w->scratch, w->scratch_cap);
  }
  char *p = w->scratch;
  memcpy(p, dir, dl);
  if (dl && dir[dl - 1] != '/')
    p[dl++] = '/';
  memcpy(p + dl, name, nl + 1);
  return p;
}

typedef struct {
  char *name;         // malloc'd
  unsigned char type; // d_type: DT_UNKNOWN when the filesystem does not say
} dir_entry;

typedef al_vec(dir_entry) entry_list;

static int cmp_entries(const void *a, const void *b) {
  return strcmp(((const dir_entry *)a)->name, ((const dir_entry *)b)->name);
}

// Reads the entries of a directory (without "." and ".."), sorted by name.
// Returns false with errno set when the directory cannot be opened or read.
static bool read_entries(const char *fs_path, entry_list *entries,
                         DIR **dir_out) {
  DIR *d = opendir(fs_path);
  if (!d)
    return false;
  for (;;) {
    errno = 0;
    struct dirent *e = readdir(d);
    if (!e) {
      if (errno) {
        int saved = errno;
        closedir(d);
        errno = saved;
        return false;
      }
      break;
    }
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
      continue;
    vec_push(entries, ((dir_entry){al_xstrdup(e->d_name), e->d_type}));
  }
  if (entries->len > 1)
    qsort(entries->items, entries->len, sizeof(dir_entry), cmp_entries);
  // The stream stays open so that fstatat can resolve names relative to it,
  // which avoids re-walking the full path for every entry.
  *dir_out = d;
  return true;
}

static void visit_entry(walker *w, int dir_fd, const char *dir,
                        dir_entry entry) {
  const char *name = entry.name;
  const char *path = join(w, dir, name);
  if (excluded(name, path, w->opts))
    return;
  // Most entries are plain non-Python files: no system call for them.
  if (entry.type == DT_REG && !is_python_name(name))
    return;
  bool link = entry.type == DT_LNK;
  struct stat st;
  if (entry.type == DT_UNKNOWN &&
      fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
    link = S_ISLNK(st.st_mode);
  if (fstatat(dir_fd, name, &st, 0) != 0) {
    // A broken symlink (or an entry that vanished): only worth a word when
    // it looked like a Python file.
    if (is_python_name(name))
      add_problem(w, path, strerror(errno), false);
    return;
  }
  if (S_ISDIR(st.st_mode)) {
    const char *copy = al_arena_strndup(w->arena, path, strlen(path));
    if (link) {
      // Followed only once every real directory has been walked, so that a
      // directory reachable both ways is listed under its real path.
      vec_push(&w->links, copy);
    } else if (dir_set_add(&w->entered, st.st_dev, st.st_ino)) {
      vec_push(&w->stack, ((pending_dir){copy, false}));
    }
    return;
  }
  if (!is_python_name(name))
    return;
  if (S_ISREG(st.st_mode))
    add_file(w, path, false);
  else
    add_problem(w, path, "not a regular file", false);
}

static void walk_dir(walker *w, pending_dir dir) {
  entry_list entries = {0};
  DIR *d = NULL;
  const char *fs_path = dir.path[0] ? dir.path : ".";
  if (!read_entries(fs_path, &entries, &d)) {
    add_problem(w, fs_path, strerror(errno), dir.explicit_);
  } else {
    uint32_t first_child = w->stack.len;
    for (uint32_t i = 0; i < entries.len; i++)
      visit_entry(w, dirfd(d), dir.path, entries.items[i]);
    // Children were pushed in byte order; reverse them so that they pop in
    // byte order and problems come out in a natural depth-first order.
    for (uint32_t i = first_child, j = w->stack.len; i + 1 < j; i++, j--) {
      pending_dir t = w->stack.items[i];
      w->stack.items[i] = w->stack.items[j - 1];
      w->stack.items[j - 1] = t;
    }
    closedir(d);
  }
  for (uint32_t i = 0; i < entries.len; i++)
    free(entries.items[i].name);
  vec_free(&entries);
}

static void drain(walker *w) {
  while (w->stack.len)
    walk_dir(w, vec_pop(&w->stack));
}

// Follows the symlinked directories met so far (and those met inside them),
// in the order met.
static void follow_links(walker *w) {
  for (uint32_t i = 0; i < w->links.len; i++) {
    const char *path = w->links.items[i];
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
      continue; // changed under us since the walk saw it
    if (dir_set_add(&w->entered, st.st_dev, st.st_ino)) {
      vec_push(&w->stack, ((pending_dir){path, false}));
      drain(w);
    }
  }
}

static void visit_argument(walker *w, const char *arg) {
  if (!*arg) {
    // stat("") fails too, but the trimming below would turn "" into ".".
    add_problem(w, arg, strerror(ENOENT), true);
    return;
  }
  const char *trimmed = skip_dot_slash(arg);
  size_t len = strlen(trimmed);
  // "x/", "x//" and "x/." all name x; "/" stays "/".
  for (;;) {
    if (len > 1 && trimmed[len - 1] == '/')
      len--;
    else if (len > 2 && trimmed[len - 1] == '.' && trimmed[len - 2] == '/')
      len -= 2;
    else
      break;
  }
  const char *display = al_arena_strndup(w->arena, trimmed, len);
  const char *fs_path = *display ? display : ".";
  struct stat st;
  if (stat(fs_path, &st) != 0) {
    add_problem(w, display, strerror(errno), true);
    return;
  }
  if (S_ISDIR(st.st_mode)) {
    // Named twice, or inside a directory already named: walked once.
    if (dir_set_add(&w->entered, st.st_dev, st.st_ino)) {
      vec_push(&w->stack, ((pending_dir){display, true}));
      drain(w);
    }
    return;
  }
  if (S_ISREG(st.st_mode))
    add_file(w, display, true);
  else
    add_problem(w, display, "not a regular file", true);
}

static int cmp_files(const void *a, const void *b) {
  return strcmp(((const al_found_file *)a)->path,
                ((const al_found_file *)b)->path);
}

void al_discover(al_discovery *out, al_arena *arena, const char *const *paths,
                 uint32_t n, const al_discover_opts *opts) {
  walker w = {.out = out, .arena = arena, .opts = opts};
  for (uint32_t i = 0; i < n; i++)
    visit_argument(&w, paths[i]);
  follow_links(&w);
  free(w.entered.slots);
  vec_free(&w.stack);
  vec_free(&w.links);
  free(w.scratch);

  al_found_file *files = out->files.items;
  if (out->files.len > 1)
    qsort(files, out->files.len, sizeof *files, cmp_files);
  uint32_t kept = 0;
  for (uint32_t i = 0; i < out->files.len; i++) {
    if (kept && strcmp(files[kept - 1].path, files[i].path) == 0) {
      // A file both named and found by a walk counts as named.
      files[kept - 1].explicit_ |= files[i].explicit_;
      continue;
    }
    files[kept++] = files[i];
  }
  out->files.len = kept;
}

void al_discovery_free(al_discovery *self) {
  if (!self)
    return;
  vec_free(&self->files);
  vec_free(&self->problems);
}
