// SPDX-License-Identifier: MIT
/*
 * Private to cli/: the developer commands options.c dispatches to but that
 * live in other files of this module.
 */
#ifndef AL_CLI_CLI_P_H
#define AL_CLI_CLI_P_H

#include <stdio.h>

/**
 * --dump-tree: parse the Python file at path ("-" for standard input) and
 * print its tree-sitter S-expression to out. Returns the exit code:
 * AL_EXIT_CLEAN, or AL_EXIT_ERROR after printing `asynclint: path: message`
 * on stderr.
 */
int al_cli_dump_tree(const char *path, FILE *out);

/**
 * --man-rules (hidden): print the RULES section of the man page as roff, one
 * subsection per rule, from the rule descriptors (manpage.c). Returns
 * AL_EXIT_CLEAN; write errors are the caller's to detect.
 */
int al_cli_man_rules(FILE *out);

#endif
