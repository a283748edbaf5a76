// SPDX-License-Identifier: MIT
/*
 * Node kinds and small node helpers over the Python grammar.
 *
 * Grammar symbols are mapped once to a compact enum (al_kind), aliases
 * included, so the extraction walk switches on integers instead of comparing
 * type strings. `async` is a keyword token inside function_definition,
 * with_statement, for_statement and for_in_clause, not a node kind:
 * al_node_is_async tests for it. This module keeps no state per file.
 */
#ifndef AL_SYNTAX_NODE_H
#define AL_SYNTAX_NODE_H

#include <stdbool.h>
#include <stdint.h>
#include <tree_sitter/api.h>

#include "base/str.h"

#define AL_KINDS(X)                                                            \
  X(OTHER, "")                                                                 \
  X(MODULE, "module")                                                          \
  X(FUNCTION_DEFINITION, "function_definition")                                \
  X(CLASS_DEFINITION, "class_definition")                                      \
  X(DECORATED_DEFINITION, "decorated_definition")                              \
  X(DECORATOR, "decorator")                                                    \
  X(LAMBDA, "lambda")                                                          \
  X(PARAMETERS, "parameters")                                                  \
  X(LAMBDA_PARAMETERS, "lambda_parameters")                                    \
  X(DEFAULT_PARAMETER, "default_parameter")                                    \
  X(TYPED_PARAMETER, "typed_parameter")                                        \
  X(TYPED_DEFAULT_PARAMETER, "typed_default_parameter")                        \
  X(LIST_SPLAT_PATTERN, "list_splat_pattern")                                  \
  X(DICTIONARY_SPLAT_PATTERN, "dictionary_splat_pattern")                      \
  X(CALL, "call")                                                              \
  X(ARGUMENT_LIST, "argument_list")                                            \
  X(KEYWORD_ARGUMENT, "keyword_argument")                                      \
  X(LIST_SPLAT, "list_splat")                                                  \
  X(DICTIONARY_SPLAT, "dictionary_splat")                                      \
  X(ATTRIBUTE, "attribute")                                                    \
  X(IDENTIFIER, "identifier")                                                  \
  X(SUBSCRIPT, "subscript")                                                    \
  X(AWAIT, "await")                                                            \
  X(EXPRESSION_STATEMENT, "expression_statement")                              \
  X(ASSIGNMENT, "assignment")                                                  \
  X(AUGMENTED_ASSIGNMENT, "augmented_assignment")                              \
  X(RETURN_STATEMENT, "return_statement")                                      \
  X(YIELD, "yield")                                                            \
  X(IF_STATEMENT, "if_statement")                                              \
  X(ELIF_CLAUSE, "elif_clause")                                                \
  X(ELSE_CLAUSE, "else_clause")                                                \
  X(WHILE_STATEMENT, "while_statement")                                        \
  X(FOR_STATEMENT, "for_statement")                                            \
  X(FOR_IN_CLAUSE, "for_in_clause")                                            \
  X(IF_CLAUSE, "if_clause")                                                    \
  X(TRY_STATEMENT, "try_statement")                                            \
  X(EXCEPT_CLAUSE, "except_clause")                                            \
  X(WITH_STATEMENT, "with_statement")                                          \
  X(WITH_CLAUSE, "with_clause")                                                \
  X(WITH_ITEM, "with_item")                                                    \
  X(AS_PATTERN, "as_pattern")                                                  \
  X(AS_PATTERN_TARGET, "as_pattern_target")                                    \
  X(CASE_CLAUSE, "case_clause")                                                \
  X(CASE_PATTERN, "case_pattern")                                              \
  X(DOTTED_NAME, "dotted_name")                                                \
  X(SPLAT_PATTERN, "splat_pattern")                                            \
  X(TYPE, "type")                                                              \
  X(MATCH_STATEMENT, "match_statement")                                        \
  X(NOT_OPERATOR, "not_operator")                                              \
  X(BOOLEAN_OPERATOR, "boolean_operator")                                      \
  X(BINARY_OPERATOR, "binary_operator")                                        \
  X(UNARY_OPERATOR, "unary_operator")                                          \
  X(COMPARISON_OPERATOR, "comparison_operator")                                \
  X(CONDITIONAL_EXPRESSION, "conditional_expression")                          \
  X(ASSERT_STATEMENT, "assert_statement")                                      \
  X(PARENTHESIZED_EXPRESSION, "parenthesized_expression")                      \
  X(INTERPOLATION, "interpolation")                                            \
  X(LIST_COMPREHENSION, "list_comprehension")                                  \
  X(SET_COMPREHENSION, "set_comprehension")                                    \
  X(DICTIONARY_COMPREHENSION, "dictionary_comprehension")                      \
  X(GENERATOR_EXPRESSION, "generator_expression")                              \
  X(PATTERN_LIST, "pattern_list")                                              \
  X(TUPLE_PATTERN, "tuple_pattern")                                            \
  X(LIST_PATTERN, "list_pattern")                                              \
  X(EXPRESSION_LIST, "expression_list")                                        \
  X(LIST, "list")                                                              \
  X(TUPLE, "tuple")                                                            \
  X(SET, "set")                                                                \
  X(DICTIONARY, "dictionary")                                                  \
  X(STRING, "string")                                                          \
  X(CONCATENATED_STRING, "concatenated_string")                                \
  X(INTEGER, "integer")                                                        \
  X(FLOAT, "float")                                                            \
  X(TRUE, "true")                                                              \
  X(FALSE, "false")                                                            \
  X(NONE, "none")                                                              \
  X(ELLIPSIS, "ellipsis")                                                      \
  X(PASS_STATEMENT, "pass_statement")                                          \
  X(RAISE_STATEMENT, "raise_statement")                                        \
  X(BLOCK, "block")                                                            \
  X(IMPORT_STATEMENT, "import_statement")                                      \
  X(IMPORT_FROM_STATEMENT, "import_from_statement")                            \
  X(FUTURE_IMPORT_STATEMENT, "future_import_statement")                        \
  X(ALIASED_IMPORT, "aliased_import")                                          \
  X(WILDCARD_IMPORT, "wildcard_import")                                        \
  X(GLOBAL_STATEMENT, "global_statement")                                      \
  X(NONLOCAL_STATEMENT, "nonlocal_statement")                                  \
  X(NAMED_EXPRESSION, "named_expression")                                      \
  X(TYPE_ALIAS_STATEMENT, "type_alias_statement")                              \
  X(COMMENT, "comment")                                                        \
  X(ERROR, "ERROR")

typedef enum {
#define AL_KIND_ENUM(id, name) AL_K_##id,
  AL_KINDS(AL_KIND_ENUM)
#undef AL_KIND_ENUM
      AL_K_COUNT
} al_kind;

/** Field ids of the grammar used by extraction (0 when absent). */
typedef struct {
  TSFieldId name, body, parameters, function, arguments, object, attribute,
      left, right, value, condition, consequence, alternative, definition,
      superclasses, alias, module_name, argument, subject, type, operator,
      return_type;
} al_fields;

/** Build the symbol table (thread-safe, idempotent). Call before
 * al_node_kind; al_node_fields calls it too. */
void al_node_init(void);

/** Field ids, resolved once (thread-safe). */
const al_fields *al_node_fields(void);

/** The kind of a node (named nodes only; anonymous tokens are OTHER). */
al_kind al_node_kind(TSNode node);

/** The same for the node's symbol (ts_node_symbol, al_walk_symbol). */
al_kind al_symbol_kind(TSSymbol symbol);

/** Whether a def/with/for/for_in_clause node carries the `async` keyword. */
bool al_node_is_async(TSNode node);

/** The node's bytes as a slice of text. */
static inline al_str al_node_text(TSNode node, const char *text) {
  uint32_t s = ts_node_start_byte(node), e = ts_node_end_byte(node);
  return (al_str){text + s, e - s};
}

/**
 * The expression inside redundant parentheses: `((x))` gives `x`; any other
 * node, or a null one, is returned as is.
 */
static inline TSNode al_node_unparen(TSNode n) {
  while (!ts_node_is_null(n) &&
         al_node_kind(n) == AL_K_PARENTHESIZED_EXPRESSION &&
         ts_node_named_child_count(n) == 1)
    n = ts_node_named_child(n, 0);
  return n;
}

#endif
