// SPDX-License-Identifier: MIT
/*
 * Resolving settings per command-line path (see settings.h). One
 * al_settings per distinct config (NULL included), built on first use.
 */
#include "config/settings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/path.h"
#include "base/vec.h"
#include "rules/rule.h"

// A per-file-ignores entry with the rules it turns off.
typedef struct {
  const al_per_file_ignore *pfi;
  bool *off; // by registry index
} pfi_mask;

typedef struct {
  al_settings pub;
  pfi_mask *masks;
  uint32_t n_masks;
} settings_slot;

struct al_settings_set {
  const al_settings_opts *opts;
  al_arena *arena;
  al_config_cache *cache;
  al_vec(settings_slot *) slots;
  uint32_t n_rules;
  const al_config *file_config; // AL_CONFIG_FILE, once loaded
};

al_settings_set *al_settings_new(const al_settings_opts *opts) {
  al_settings_set *self = al_xcalloc(1, sizeof *self);
  self->opts = opts;
  self->arena = al_arena_new();
  self->cache = al_config_cache_new(self->arena);
  al_rules_all(&self->n_rules);
  return self;
}

void al_settings_free(al_settings_set *self) {
  if (!self)
    return;
  vec_free(&self->slots);
  al_config_cache_free(self->cache);
  al_arena_free(self->arena);
  free(self);
}

// Two lists end to end (arena).
static const char *const *concat(al_arena *arena, const char *const *a,
                                 uint32_t na, const char *const *b,
                                 uint32_t nb) {
  const char **out = al_arena_alloc(arena, (na + nb + 1) * sizeof *out);
  for (uint32_t i = 0; i < na; i++)
    out[i] = a[i];
  for (uint32_t i = 0; i < nb; i++)
    out[na + i] = b[i];
  return out;
}

static bool has_items(const char *const *list, uint32_t n) {
  for (uint32_t i = 0; i < n; i++)
    for (const char *p = list[i]; p && *p; p++)
      if (*p != ',' && *p != ' ' && *p != '\t')
        return true;
  return false;
}

// rules turned off by ignore selectors: out[i] is true for each.
static bool ignored_mask(uint32_t n_rules, const char *const *ignore,
                         uint32_t n, bool *out, al_error *err) {
  static const char *const all[] = {"ALL"};
  bool *keep = al_xcalloc(n_rules ? n_rules : 1, 1);
  bool ok = al_rules_select(keep, all, 1, ignore, n, err);
  for (uint32_t i = 0; i < n_rules; i++)
    out[i] = ok && !keep[i];
  free(keep);
  return ok;
}

static bool build(al_settings_set *self, settings_slot *s, al_error *err) {
  const al_settings_opts *o = self->opts;
  const al_config *c = s->pub.config;
  al_arena *a = self->arena;
  uint32_t n = self->n_rules ? self->n_rules : 1;
  bool *enabled = al_arena_alloc(a, n);
  if (o->enabled) {
    memcpy(enabled, o->enabled, self->n_rules);
  } else {
    const char *const *sel = NULL;
    uint32_t n_sel = 0;
    if (has_items(o->select, o->n_select)) {
      sel = o->select;
      n_sel = o->n_select;
    } else if (c && c->has_select) {
      sel = c->select.items;
      n_sel = c->select.len;
      if (!has_items(sel, n_sel)) {
        // `select = []` in a config turns every rule off, as in ruff.
        memset(enabled, 0, n);
        sel = NULL;
      }
    }
    if (sel || !(c && c->has_select)) {
      if (!al_rules_select(enabled, sel, n_sel, NULL, 0, err))
        return false;
    }
    const char *const *ext = concat(a, c ? c->extend_select.items : NULL,
                                    c ? c->extend_select.len : 0,
                                    o->extend_select, o->n_extend_select);
    uint32_t n_ext = (c ? c->extend_select.len : 0) + o->n_extend_select;
    if (has_items(ext, n_ext)) {
      bool *more = al_xcalloc(n, 1);
      bool ok = al_rules_select(more, ext, n_ext, NULL, 0, err);
      for (uint32_t i = 0; ok && i < self->n_rules; i++)
        enabled[i] |= more[i];
      free(more);
      if (!ok)
        return false;
    }
    const char *const *ign =
        concat(a, c ? c->ignore.items : NULL, c ? c->ignore.len : 0, o->ignore,
               o->n_ignore);
    uint32_t n_ign = (c ? c->ignore.len : 0) + o->n_ignore;
    if (has_items(ign, n_ign)) {
      bool *off = al_xcalloc(n, 1);
      bool ok = ignored_mask(self->n_rules, ign, n_ign, off, err);
      for (uint32_t i = 0; ok && i < self->n_rules; i++)
        enabled[i] &= !off[i];
      free(off);
      if (!ok)
        return false;
    }
  }
  s->pub.enabled = enabled;

  // Excludes: the command line's --exclude replaces, --extend-exclude adds.
  const al_discover_opts *cli = o->discover;
  al_discover_opts *d = &s->pub.discover;
  if (cli && cli->exclude) {
    d->exclude = cli->exclude;
    d->n_exclude = cli->n_exclude;
  } else if (c && c->has_exclude) {
    d->exclude = c->exclude.items;
    d->n_exclude = c->exclude.len;
  }
  uint32_t n_cfg = c ? c->extend_exclude.len : 0;
  uint32_t n_cli = cli ? cli->n_extend_exclude : 0;
  d->extend_exclude = concat(a, c ? c->extend_exclude.items : NULL, n_cfg,
                             cli ? cli->extend_exclude : NULL, n_cli);
  d->n_extend_exclude = n_cfg + n_cli;
  d->respect_gitignore =
      c && c->has_respect_gitignore ? c->respect_gitignore : true;

  if (c && c->n_per_file_ignores) {
    s->masks = al_arena_alloc(a, c->n_per_file_ignores * sizeof *s->masks);
    for (uint32_t i = 0; i < c->n_per_file_ignores; i++) {
      const al_per_file_ignore *p = &c->per_file_ignores[i];
      s->masks[i].pfi = p;
      s->masks[i].off = al_arena_alloc(a, n);
      if (!ignored_mask(self->n_rules, p->selectors.items, p->selectors.len,
                        s->masks[i].off, err))
        return false;
    }
    s->n_masks = c->n_per_file_ignores;
  }
  return true;
}

static bool config_for(al_settings_set *self, const char *path,
                       const al_config **out, al_error *err) {
  *out = NULL;
  switch (self->opts->mode) {
  case AL_CONFIG_ISOLATED:
    return true;
  case AL_CONFIG_FILE: {
    // Loaded once, on first use.
    if (self->file_config) {
      *out = self->file_config;
      return true;
    }
    al_config *c = al_arena_alloc(self->arena, sizeof *c);
    bool found;
    if (!al_config_load(c, &found, self->arena, self->opts->config_file, err))
      return false;
    // A pyproject.toml named with --config must have the table: otherwise
    // the user's intent is surely not "no configuration".
    if (!found)
      return al_error_set(err, self->opts->config_file, 0, 0,
                          "no [tool.asynclint] table in this file");
    *out = self->file_config = c;
    return true;
  }
  case AL_CONFIG_DISCOVER:
    break;
  }
  return al_config_discover(self->cache, strcmp(path, "-") == 0 ? "." : path,
                            out, err);
}

bool al_settings_for(al_settings_set *self, const char *path,
                     const al_settings **out, al_error *err) {
  const al_config *c;
  if (!config_for(self, path, &c, err))
    return false;
  for (uint32_t i = 0; i < self->slots.len; i++)
    if (self->slots.items[i]->pub.config == c) {
      *out = &self->slots.items[i]->pub;
      return true;
    }
  settings_slot *s = al_arena_alloc(self->arena, sizeof *s);
  s->pub.config = c;
  if (!build(self, s, err))
    return false;
  vec_push(&self->slots, s);
  *out = &s->pub;
  return true;
}

void al_settings_file_rules(const al_settings *s, const char *path, bool *out) {
  const settings_slot *slot = (const settings_slot *)s;
  uint32_t n;
  al_rules_all(&n);
  memcpy(out, s->enabled, n);
  if (!slot->n_masks)
    return;
  al_arena *tmp = al_arena_new();
  const char *abs = al_path_absolute(tmp, path);
  for (uint32_t m = 0; m < slot->n_masks; m++) {
    if (!al_per_file_ignore_matches(slot->masks[m].pfi, abs))
      continue;
    for (uint32_t i = 0; i < n; i++)
      out[i] &= !slot->masks[m].off[i];
  }
  al_arena_free(tmp);
}

// Appends one catalog line per name (arena-backed growing buffer).
typedef al_vec(char) text_buf;

static void add_lines(text_buf *buf, const al_config_list *names,
                      const char *facet, const al_catalog *builtin,
                      bool blocking) {
  for (uint32_t i = 0; i < names->len; i++) {
    const char *name = names->items[i];
    if (blocking) {
      const al_catalog_entry *e = al_catalog_get(builtin, al_str_from(name));
      if (e && (e->facets & AL_CAT_BLOCKING))
        continue;
    }
    char line[1024];
    int len =
        blocking
            ? snprintf(
                  line, sizeof line,
                  "%s\tblocking\tAL208\tawait asyncio.to_thread(%s, ...)\n",
                  name, name)
            : snprintf(line, sizeof line, "%s\t%s\n", name, facet);
    if (len <= 0 || (size_t)len >= sizeof line)
      continue; // longer than any name the index can resolve
    vec_reserve(buf, buf->len + (uint32_t)len);
    memcpy(buf->items + buf->len, line, (size_t)len);
    buf->len += (uint32_t)len;
  }
}

al_catalog *al_settings_catalog(al_settings_set *self, al_error *err) {
  const al_catalog *builtin = al_catalog_builtin();
  text_buf buf = {0};
  for (uint32_t i = 0; i < self->slots.len; i++) {
    const al_config *c = self->slots.items[i]->pub.config;
    if (!c)
      continue;
    add_lines(&buf, &c->blocking_calls, "blocking", builtin, true);
    add_lines(&buf, &c->coroutine_functions, "coroutine", builtin, false);
    add_lines(&buf, &c->async_context_managers, "async-context-manager",
              builtin, false);
  }
  al_catalog *cat = NULL;
  if (buf.len)
    cat = al_catalog_extend(builtin, "config", buf.items, buf.len, err);
  vec_free(&buf);
  return cat;
}

bool al_settings_threads(al_settings_set *self, uint32_t *threads,
                         al_error *err) {
  const al_config *c;
  *threads = 0;
  if (!config_for(self, ".", &c, err))
    return false;
  if (c)
    *threads = c->threads;
  return true;
}
