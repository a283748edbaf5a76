// SPDX-License-Identifier: MIT
/*
 * What facts extraction could have made: the invariants facts/extract.c
 * keeps, stated as checks. Every later stage indexes one record with
 * another's fields without checking, so facts that come from anywhere but
 * al_extract (the cache's decoder: a damaged or forged entry whose checksum
 * matches) pass through al_facts_valid first. This module reads facts only;
 * it neither repairs them nor reports what is wrong.
 */
#ifndef AL_FACTS_VALIDATE_H
#define AL_FACTS_VALIDATE_H

#include <stdbool.h>

#include "facts/facts.h"

/**
 * Whether f keeps every invariant of extraction: each field as its kind in
 * facts.h's lists demands (spans inside the text, enumerators known, indexes
 * in range or AL_NONE), the cross-field rules (a scope's parent before it,
 * an index whose vector depends on a kind, argument runs inside args, a
 * ctx ARG's parent call set), comments in source order and a line map that
 * al_linemap_build could have made. Reads f only (borrowed); thread-safe.
 */
bool al_facts_valid(const al_facts *f);

#endif
