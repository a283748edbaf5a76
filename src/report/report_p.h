// SPDX-License-Identifier: MIT
/*
 * Private to report/: helpers the JSON-based writers share.
 */
#ifndef AL_REPORT_REPORT_P_H
#define AL_REPORT_REPORT_P_H

#include <jansson.h>

/**
 * A JSON string for s (NULL: ""), emitted as UTF-8; bytes that are not
 * valid UTF-8 (paths can be anything) become U+FFFD. New reference, or NULL
 * when jansson runs out of memory.
 */
json_t *al_report__json_string(const char *s);

#endif
