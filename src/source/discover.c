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
 * stat'ed, never opened (opening a FIFO blocks). Inside a git work tree (a
 * directory holding `.git`, found by walking up from each path and noticed
 * on the way down) the .gitignore files of the walked directories and of
 * their parents up to the work-tree root, and .git/info/exclude, are read
 * and applied with git's rules (the last matching pattern wins, deeper
 * files before shallower ones, an ignored directory is not entered); the
 * global core.excludesFile is not. This module reads no other file.
 */
#include "source/discover.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "base/error.h"
#include "base/glob.h"
#include "base/path.h"

const char *const al_default_excludes[] = {
    ".git",
    ".hg",
    ".svn",
    ".venv",
    "venv",
    "__pycache__",
    "node_modules",
    "build",
    "dist",
    "site-packages",
    ".tox",
    ".nox",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    ".eggs",
    "*.egg-info",
    ".asynclint_cache",
    NULL,
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
                              const char *base, const char *whole,
                              const char *abs) {
  for (size_t i = 0; i < n; i++) {
    if (!globs[i])
      break;
    // Anchored globs (from config files) see only the absolute path.
    if (globs[i][0] == '/') {
      if (abs && al_glob_match(globs[i], abs, 0))
        return true;
      continue;
    }
    // '*' crosses '/', as in ruff's path globs.
    if (al_glob_match(globs[i], base, 0) || al_glob_match(globs[i], whole, 0))
      return true;
  }
  return false;
}

// The test proper, once the last component and the whole path are known.
static bool excluded(const char *base, const char *whole, const char *abs,
                     const al_discover_opts *opts) {
  if (opts && opts->exclude) {
    if (glob_list_matches(opts->exclude, opts->n_exclude, base, whole, abs))
      return true;
  } else if (glob_list_matches(al_default_excludes, N_DEFAULT_EXCLUDES, base,
                               whole, abs)) {
    return true;
  }
  return opts && opts->extend_exclude &&
         glob_list_matches(opts->extend_exclude, opts->n_extend_exclude, base,
                           whole, abs);
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
  al_arena *arena = al_arena_new();
  bool result = excluded(base, trimmed, al_path_absolute(arena, trimmed), opts);
  al_arena_free(arena);
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
// .gitignore (gitignore(5)).

// Splits a pattern line into its flags and the glob proper (a pointer into
// the line, trailing '/' removed into *len).
typedef struct {
  const char *glob; // without '!', leading '/' and trailing '/'
  size_t len;
  bool negated;  // "!pattern"
  bool dir_only; // "pattern/"
  bool anchored; // had a '/' before its end: relative to the .gitignore
} ignore_pattern;

static bool parse_pattern(const char *line, size_t len, ignore_pattern *out) {
  // Trailing spaces go, unless quoted with a backslash.
  while (len && line[len - 1] == ' ' && !(len >= 2 && line[len - 2] == '\\'))
    len--;
  if (len == 0 || line[0] == '#')
    return false;
  *out = (ignore_pattern){0};
  if (line[0] == '!') {
    out->negated = true;
    line++;
    len--;
  }
  if (len && line[len - 1] == '/' && !(len >= 2 && line[len - 2] == '\\')) {
    out->dir_only = true;
    while (len && line[len - 1] == '/')
      len--;
  }
  if (len == 0)
    return false;
  out->anchored = memchr(line, '/', len) != NULL;
  if (line[0] == '/') {
    line++;
    len--;
  }
  out->glob = line;
  out->len = len;
  return len > 0;
}

static bool pattern_matches(const ignore_pattern *p, const char *glob,
                            const char *path, bool is_dir) {
  if (p->dir_only && !is_dir)
    return false;
  if (p->anchored)
    return al_glob_match(glob, path, AL_GLOB_PATHNAME);
  const char *slash = strrchr(path, '/');
  return al_glob_match(glob, slash ? slash + 1 : path, AL_GLOB_PATHNAME);
}

bool al_gitignore_match(const char *pattern, const char *path, bool is_dir,
                        bool *negated) {
  ignore_pattern p;
  *negated = false;
  if (!parse_pattern(pattern, strlen(pattern), &p))
    return false;
  *negated = p.negated;
  char *glob = al_xstrndup(p.glob, p.len);
  bool m = pattern_matches(&p, glob, path, is_dir);
  free(glob);
  return m;
}

typedef struct {
  ignore_pattern p; // p.glob is NUL-terminated in the arena
} ignore_rule;

// The patterns of one file, relative to the directory `base`; frames chain
// from the deepest .gitignore to the work tree's info/exclude.
typedef struct ignore_frame {
  const struct ignore_frame *parent;
  const char *base; // absolute directory, no trailing '/' (except "/")
  size_t base_len;
  ignore_rule *rules;
  uint32_t n;
} ignore_frame;

// Reads a pattern file into a frame on top of parent; returns parent when
// the file does not exist or holds no pattern.
static const ignore_frame *load_ignore_file(al_arena *arena,
                                            const ignore_frame *parent,
                                            const char *base,
                                            const char *file) {
  FILE *f = fopen(file, "rb");
  if (!f)
    return parent;
  al_vec(ignore_rule) rules = {0};
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  while ((n = getline(&line, &cap, f)) > 0) {
    size_t len = (size_t)n;
    while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
      len--;
    ignore_pattern p;
    if (!parse_pattern(line, len, &p))
      continue;
    p.glob = al_arena_strndup(arena, p.glob, p.len);
    vec_push(&rules, ((ignore_rule){p}));
  }
  free(line);
  fclose(f);
  if (!rules.len) {
    vec_free(&rules);
    return parent;
  }
  ignore_frame *fr = al_arena_alloc(arena, sizeof *fr);
  fr->parent = parent;
  fr->base = al_arena_strndup(arena, base, strlen(base));
  fr->base_len = strlen(base);
  fr->rules = al_arena_alloc(arena, rules.len * sizeof *fr->rules);
  memcpy(fr->rules, rules.items, rules.len * sizeof *fr->rules);
  fr->n = rules.len;
  vec_free(&rules);
  return fr;
}

// The frames a work tree starts with: its info/exclude (the .git directory,
// or the one a `.git` file's "gitdir:" line names).
static const ignore_frame *load_repo_excludes(al_arena *arena,
                                              const char *root) {
  char *dotgit = al_path_join(arena, root, ".git");
  struct stat st;
  if (stat(dotgit, &st) != 0)
    return NULL;
  const char *gitdir = dotgit;
  if (S_ISREG(st.st_mode)) {
    gitdir = NULL;
    FILE *f = fopen(dotgit, "rb");
    if (f) {
      char buf[4096];
      if (fgets(buf, sizeof buf, f) && strncmp(buf, "gitdir:", 7) == 0) {
        char *v = buf + 7;
        while (*v == ' ')
          v++;
        v[strcspn(v, "\r\n")] = '\0';
        gitdir = al_path_join(arena, root, v);
      }
      fclose(f);
    }
    if (!gitdir)
      return NULL;
  }
  return load_ignore_file(arena, NULL, root,
                          al_path_join(arena, gitdir, "info/exclude"));
}

// Whether abs (a path under every frame's base) is ignored.
static bool gitignored(const ignore_frame *fr, const char *abs, bool is_dir) {
  for (; fr; fr = fr->parent) {
    size_t bl = fr->base_len;
    const char *rel;
    if (bl == 1 && fr->base[0] == '/')
      rel = abs + 1;
    else if (strncmp(abs, fr->base, bl) == 0 && abs[bl] == '/')
      rel = abs + bl + 1;
    else
      continue;
    for (uint32_t i = fr->n; i-- > 0;) {
      const ignore_rule *r = &fr->rules[i];
      if (pattern_matches(&r->p, r->p.glob, rel, is_dir))
        return !r->p.negated;
    }
  }
  return false;
}

// The frames in force inside directory abs, named on the command line: the
// work tree's info/exclude and the .gitignore files from the work-tree root
// down to abs's parent (abs's own is read when it is walked). NULL outside
// a work tree, or when abs is itself the root (the walk notices `.git`).
static const ignore_frame *frames_above(al_arena *arena, const char *abs) {
  // Find the work-tree root.
  const char *root = NULL;
  for (const char *d = abs;;) {
    struct stat st;
    if (stat(al_path_join(arena, d, ".git"), &st) == 0) {
      root = d;
      break;
    }
    if (strcmp(d, "/") == 0)
      break;
    d = al_path_parent(arena, d);
  }
  if (!root || strcmp(root, abs) == 0)
    return NULL;
  const ignore_frame *fr = load_repo_excludes(arena, root);
  // Directories from root down to abs's parent.
  size_t rl = strlen(root);
  const char *dir = root;
  for (;;) {
    fr = load_ignore_file(arena, fr, dir,
                          al_path_join(arena, dir, ".gitignore"));
    const char *next = strchr(abs + rl + 1, '/');
    if (!next)
      break;
    rl = (size_t)(next - abs);
    dir = al_arena_strndup(arena, abs, rl);
  }
  if (!fr) {
    // Inside a work tree with no pattern yet: an empty frame marks it, so
    // that the walk reads the .gitignore files below.
    ignore_frame *empty = al_arena_alloc(arena, sizeof *empty);
    empty->base = root;
    empty->base_len = strlen(root);
    return empty;
  }
  return fr;
}

// ---------------------------------------------------------------------------
// The walk.

typedef struct {
  const char *path;             // display path ("" for the current directory)
  const char *abs;              // absolute, lexically normalised
  const al_discover_opts *opts; // of the command-line path it is under
  const ignore_frame *ignores;  // .gitignore rules in force, or NULL
  uint32_t arg;                 // index of that command-line path
  bool explicit_;
} pending_dir;

typedef struct {
  al_discovery *out;
  al_arena *arena;
  dir_set entered;
  al_vec(pending_dir) stack;
  al_vec(pending_dir) links; // symlinked directories, followed last
  char *scratch;             // join buffer, reused for every entry
  size_t scratch_cap;
  char *abs_scratch; // the same for absolute paths
  size_t abs_cap;
} walker;

static void add_problem(walker *w, const char *path, const char *message,
                        bool explicit_) {
  al_found_problem *p = vec_grow1(&w->out->problems);
  p->path = al_arena_strndup(w->arena, path, strlen(path));
  p->message = al_arena_strndup(w->arena, message, strlen(message));
  p->explicit_ = explicit_;
}

static void add_file(walker *w, const char *path, bool explicit_,
                     uint32_t arg) {
  al_found_file *f = vec_grow1(&w->out->files);
  f->path = al_arena_strndup(w->arena, path, strlen(path));
  f->explicit_ = explicit_;
  f->arg = arg;
}

// Joins dir and name into *buf (dir "" is the current directory).
static const char *join_into(char **buf, size_t *cap, const char *dir,
                             const char *name) {
  size_t dl = strlen(dir), nl = strlen(name);
  size_t need = dl + 1 + nl + 1;
  if (need > *cap) {
    *cap = need * 2;
    *buf = al_xrealloc(*buf, *cap);
  }
  char *p = *buf;
  memcpy(p, dir, dl);
  if (dl && dir[dl - 1] != '/')
    p[dl++] = '/';
  memcpy(p + dl, name, nl + 1);
  return p;
}

static const char *join(walker *w, const char *dir, const char *name) {
  return join_into(&w->scratch, &w->scratch_cap, dir, name);
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

static void visit_entry(walker *w, int dir_fd, const pending_dir *dir,
                        const ignore_frame *ignores, dir_entry entry) {
  const char *name = entry.name;
  const char *path = join(w, dir->path, name);
  const char *abs = join_into(&w->abs_scratch, &w->abs_cap, dir->abs, name);
  if (excluded(name, path, abs, dir->opts))
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
  bool is_dir = S_ISDIR(st.st_mode);
  if ((is_dir || is_python_name(name)) && gitignored(ignores, abs, is_dir))
    return;
  if (is_dir) {
    pending_dir child = {
        .path = al_arena_strndup(w->arena, path, strlen(path)),
        .abs = al_arena_strndup(w->arena, abs, strlen(abs)),
        .opts = dir->opts,
        .ignores = ignores,
        .arg = dir->arg,
    };
    if (link) {
      // Followed only once every real directory has been walked, so that a
      // directory reachable both ways is listed under its real path.
      vec_push(&w->links, child);
    } else if (dir_set_add(&w->entered, st.st_dev, st.st_ino)) {
      vec_push(&w->stack, child);
    }
    return;
  }
  if (!is_python_name(name))
    return;
  if (S_ISREG(st.st_mode))
    add_file(w, path, false, dir->arg);
  else
    add_problem(w, path, "not a regular file", false);
}

// The .gitignore rules in force inside dir: a `.git` entry starts a new
// work tree, and the directory's own .gitignore goes on top.
static const ignore_frame *dir_ignores(walker *w, const pending_dir *dir,
                                       const entry_list *entries) {
  if (!dir->opts || !dir->opts->respect_gitignore)
    return NULL;
  const ignore_frame *fr = dir->ignores;
  bool has_git = false, has_ignore = false;
  for (uint32_t i = 0; i < entries->len; i++) {
    const char *name = entries->items[i].name;
    has_git |= strcmp(name, ".git") == 0;
    has_ignore |= strcmp(name, ".gitignore") == 0;
  }
  if (has_git)
    fr = load_repo_excludes(w->arena, dir->abs);
  else if (!fr)
    return NULL; // not inside a work tree
  if (has_ignore)
    fr = load_ignore_file(
        w->arena, fr, dir->abs,
        join_into(&w->abs_scratch, &w->abs_cap, dir->abs, ".gitignore"));
  if (!fr && has_git) {
    // A work tree with no pattern yet: an empty frame still marks it.
    ignore_frame *empty = al_arena_alloc(w->arena, sizeof *empty);
    empty->base = dir->abs;
    empty->base_len = strlen(dir->abs);
    fr = empty;
  }
  return fr;
}

static void walk_dir(walker *w, pending_dir dir) {
  entry_list entries = {0};
  DIR *d = NULL;
  const char *fs_path = dir.path[0] ? dir.path : ".";
  if (!read_entries(fs_path, &entries, &d)) {
    add_problem(w, fs_path, strerror(errno), dir.explicit_);
  } else {
    uint32_t first_child = w->stack.len;
    const ignore_frame *ignores = dir_ignores(w, &dir, &entries);
    for (uint32_t i = 0; i < entries.len; i++)
      visit_entry(w, dirfd(d), &dir, ignores, entries.items[i]);
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
    pending_dir link = w->links.items[i];
    struct stat st;
    if (stat(link.path, &st) != 0 || !S_ISDIR(st.st_mode))
      continue; // changed under us since the walk saw it
    if (dir_set_add(&w->entered, st.st_dev, st.st_ino)) {
      vec_push(&w->stack, link);
      drain(w);
    }
  }
}

static void visit_argument(walker *w, const char *arg,
                           const al_discover_opts *opts, uint32_t index) {
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
      pending_dir top = {
          .path = display,
          .abs = al_path_absolute(w->arena, fs_path),
          .opts = opts,
          .arg = index,
          .explicit_ = true,
      };
      if (opts && opts->respect_gitignore)
        top.ignores = frames_above(w->arena, top.abs);
      vec_push(&w->stack, top);
      drain(w);
    }
    return;
  }
  if (S_ISREG(st.st_mode))
    add_file(w, display, true, index);
  else
    add_problem(w, display, "not a regular file", true);
}

// By path, then by command-line path, so that the first path reaching a
// file keeps it.
static int cmp_files(const void *a, const void *b) {
  const al_found_file *x = a, *y = b;
  int c = strcmp(x->path, y->path);
  if (c)
    return c;
  return (x->arg > y->arg) - (x->arg < y->arg);
}

void al_discover(al_discovery *out, al_arena *arena, const char *const *paths,
                 uint32_t n, const al_discover_opts *opts) {
  const al_discover_opts **each = al_xcalloc(n ? n : 1, sizeof *each);
  for (uint32_t i = 0; i < n; i++)
    each[i] = opts;
  al_discover_each(out, arena, paths, each, n);
  free(each);
}

void al_discover_each(al_discovery *out, al_arena *arena,
                      const char *const *paths,
                      const al_discover_opts *const *opts, uint32_t n) {
  walker w = {.out = out, .arena = arena};
  for (uint32_t i = 0; i < n; i++)
    visit_argument(&w, paths[i], opts[i], i);
  follow_links(&w);
  free(w.entered.slots);
  vec_free(&w.stack);
  vec_free(&w.links);
  free(w.scratch);
  free(w.abs_scratch);

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
