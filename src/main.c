// SPDX-License-Identifier: MIT
/* The asynclint program: everything is in cli/. */
#include "cli/cli.h"

int main(int argc, char **argv) { return al_cli_main(argc, argv); }
