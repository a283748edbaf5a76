// SPDX-License-Identifier: MIT
/* The run's file list owns the facts of every file. */
#include "model/project.h"

void al_project_free(al_project *self) {
  for (uint32_t i = 0; i < self->files.len; i++)
    al_facts_free(self->files.items[i].facts);
  vec_free(&self->files);
}
