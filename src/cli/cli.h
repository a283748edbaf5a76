// SPDX-License-Identifier: MIT
/*
 * The command line: option parsing, --help/--version/--list-rules/--explain,
 * running the pipeline and printing the report and summary. src/main.c only
 * calls al_cli_main.
 */
#ifndef AL_CLI_CLI_H
#define AL_CLI_CLI_H

/** Run asynclint with these arguments; returns the process exit code. */
int al_cli_main(int argc, char **argv);

#endif
