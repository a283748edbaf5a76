// SPDX-License-Identifier: MIT
/*
 * Symbol -> al_kind table and field ids, computed once from the grammar.
 * Every symbol whose name matches a kind maps to it, so aliased symbols
 * (several grammar symbols named "identifier") are covered.
 */
#include "syntax/node.h"

#include <pthread.h>
#include <string.h>

#include "base/arena.h"
#include "syntax/parser.h"

static const char *const kind_names[] = {
#define AL_KIND_NAME(id, name) name,
    AL_KINDS(AL_KIND_NAME)
#undef AL_KIND_NAME
};

// By TSSymbol. A fixed table, not a heap one: it lives as long as the
// process, and valgrind counts a never-freed block as a leak. The Python
// grammar has about 280 symbols; any beyond the table are AL_K_OTHER.
#define MAX_SYMBOLS 2048
static uint8_t symbol_kinds[MAX_SYMBOLS];
static uint32_t symbol_count;
static TSSymbol async_symbol;
static al_fields fields;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static TSFieldId field(const TSLanguage *lang, const char *name) {
  return ts_language_field_id_for_name(lang, name, (uint32_t)strlen(name));
}

static void init(void) {
  const TSLanguage *lang = al_python_language();
  symbol_count = ts_language_symbol_count(lang);
  if (symbol_count > MAX_SYMBOLS)
    symbol_count = MAX_SYMBOLS;
  for (uint32_t s = 0; s < symbol_count; s++) {
    TSSymbolType type = ts_language_symbol_type(lang, (TSSymbol)s);
    const char *name = ts_language_symbol_name(lang, (TSSymbol)s);
    if (!name)
      continue;
    if (type == TSSymbolTypeAnonymous && strcmp(name, "async") == 0)
      async_symbol = (TSSymbol)s;
    if (type != TSSymbolTypeRegular && strcmp(name, "ERROR") != 0)
      continue;
    for (int k = 1; k < AL_K_COUNT; k++)
      if (strcmp(name, kind_names[k]) == 0)
        symbol_kinds[s] = (uint8_t)k;
  }
  fields = (al_fields){
      .name = field(lang, "name"),
      .body = field(lang, "body"),
      .parameters = field(lang, "parameters"),
      .function = field(lang, "function"),
      .arguments = field(lang, "arguments"),
      .object = field(lang, "object"),
      .attribute = field(lang, "attribute"),
      .left = field(lang, "left"),
      .right = field(lang, "right"),
      .value = field(lang, "value"),
      .condition = field(lang, "condition"),
      .consequence = field(lang, "consequence"),
      .alternative = field(lang, "alternative"),
      .definition = field(lang, "definition"),
      .superclasses = field(lang, "superclasses"),
      .alias = field(lang, "alias"),
      .module_name = field(lang, "module_name"),
      .argument = field(lang, "argument"),
      .subject = field(lang, "subject"),
      .type = field(lang, "type"),
      .operator= field(lang, "operator"),
      .return_type = field(lang, "return_type"),
  };
}

const al_fields *al_node_fields(void) {
  pthread_once(&once, init);
  return &fields;
}

void al_node_init(void) { pthread_once(&once, init); }

al_kind al_symbol_kind(TSSymbol s) {
  // The table is built by al_node_init (or al_node_fields) before any
  // node is looked at; no per-call pthread_once on this hot path.
  if (s == (TSSymbol)-1) // ts_builtin_sym_error
    return AL_K_ERROR;
  return s < symbol_count ? (al_kind)symbol_kinds[s] : AL_K_OTHER;
}

al_kind al_node_kind(TSNode node) {
  return al_symbol_kind(ts_node_symbol(node));
}

bool al_node_is_async(TSNode node) {
  // The keyword, when present, is the first child.
  if (ts_node_child_count(node) == 0)
    return false;
  TSNode first = ts_node_child(node, 0);
  if (ts_node_symbol(first) == async_symbol)
    return true;
  // for_in_clause: `async for x in y` -> the keyword is also first.
  return false;
}
