// SPDX-License-Identifier: MIT
/*
 * Lexical path arithmetic: absolute, normalised forms of paths, joining and
 * parents. Nothing here touches the file system except getcwd: symlinks are
 * not resolved, so the results line up with the paths the user typed (a
 * config file found by walking up from `src/app.py` is a prefix of that
 * file's absolute path). Results are owned by the arena passed in.
 */
#ifndef AL_BASE_PATH_H
#define AL_BASE_PATH_H

#include "base/arena.h"

/**
 * dir joined with rel (rel alone when it is absolute; dir itself when rel
 * is ""), normalised: empty and "." components dropped, ".." removing the
 * previous component (never going above "/"). When the result would be
 * relative it stays relative ("" for the current directory).
 */
char *al_path_join(al_arena *arena, const char *dir, const char *rel);

/**
 * The normalised absolute form of path (joined to the current directory
 * when relative). Falls back to the normalised path itself when the
 * current directory is unknown.
 */
char *al_path_absolute(al_arena *arena, const char *path);

/** The parent of a normalised absolute path ("/a/b" -> "/a", "/" -> "/"). */
char *al_path_parent(al_arena *arena, const char *abs);

/**
 * How to show an absolute path to the user: relative to the current
 * directory when it lies under it, else unchanged.
 */
const char *al_path_display(al_arena *arena, const char *abs);

#endif
