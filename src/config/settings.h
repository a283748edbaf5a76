// SPDX-License-Identifier: MIT
/*
 * Settings: what a lint run does under each command-line path, once the
 * config file that applies there (config.h) and the command line are
 * combined. The command line wins: --select replaces the config's select,
 * --ignore and --extend-select add to the config's, --exclude replaces the
 * config's exclude and --extend-exclude adds to it; --config FILE uses one
 * file for every path, --isolated none. Paths sharing a config share one
 * al_settings. This module resolves; cli/run.c applies.
 */
#ifndef AL_CONFIG_SETTINGS_H
#define AL_CONFIG_SETTINGS_H

#include <stdbool.h>
#include <stdint.h>

#include "base/error.h"
#include "config/config.h"
#include "model/catalog.h"
#include "source/discover.h"

typedef enum {
  AL_CONFIG_DISCOVER, // the closest config of each path (the default)
  AL_CONFIG_FILE,     // one file for every path (--config FILE)
  AL_CONFIG_ISOLATED, // no config file at all (--isolated)
} al_config_mode;

/** What the command line says. */
typedef struct {
  al_config_mode mode;
  const char *config_file;   // AL_CONFIG_FILE
  const char *const *select; // replaces the config's when it names a rule
  uint32_t n_select;
  const char *const *ignore; // added to the config's
  uint32_t n_ignore;
  const char *const *extend_select; // added to the config's
  uint32_t n_extend_select;
  const bool *enabled; // non-NULL: the rule selection is fixed (tests)
  const al_discover_opts *discover; // --exclude / --extend-exclude, or NULL
} al_settings_opts;

/** The settings of one config (or of none). */
typedef struct {
  const al_config *config;   // NULL: no config file applies
  al_discover_opts discover; // excludes and .gitignore for the walk
  const bool *enabled;       // rules by registry index, before
                             // per-file-ignores
} al_settings;

typedef struct al_settings_set al_settings_set;

/** A resolver for one run; opts must outlive it. Free with _free. */
al_settings_set *al_settings_new(const al_settings_opts *opts);

/** Free the resolver, its settings and its configs. NULL is a no-op. */
void al_settings_free(al_settings_set *self);

/**
 * The settings for a command-line path ("-": the current directory).
 * Owned by self. Returns false and fills err when a config file is broken.
 */
bool al_settings_for(al_settings_set *self, const char *path,
                     const al_settings **out, al_error *err);

/**
 * The rules enabled for one file: s->enabled minus the per-file-ignores
 * matching its path (display path, made absolute here). out has room for
 * every rule.
 */
void al_settings_file_rules(const al_settings *s, const char *path, bool *out);

/**
 * The catalog for the run: the built-in one extended with the
 * blocking-calls, coroutine-functions and async-context-managers of every
 * config loaded so far, or NULL when they add nothing (use the built-in).
 * Caller frees with al_catalog_free.
 */
al_catalog *al_settings_catalog(al_settings_set *self, al_error *err);

/**
 * The run-wide thread count from the config: that of --config FILE, or of
 * the current directory's config; 0 when none sets it. false on a broken
 * config (err filled).
 */
bool al_settings_threads(al_settings_set *self, uint32_t *threads,
                         al_error *err);

#endif
