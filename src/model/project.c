// SPDX-License-Identifier: MIT
/* The run's file list owns the facts of every file. */
#include "model/project.h"

#include <stdlib.h>

void al_project_free(al_project *self) {
  for (uint32_t i = 0; i < self->files.len; i++)
    al_facts_free(self->files.items[i].facts);
  vec_free(&self->files);
  for (uint32_t i = 0; i < self->roots.len; i++)
    free((void *)self->roots.items[i]);
  vec_free(&self->roots);
}
