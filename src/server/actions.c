// SPDX-License-Identifier: MIT
/*
 * textDocument/codeAction (stub until the actions land).
 */
#include "server/server_p.h"

json_t *al_server_code_actions(al_server *s, const json_t *params) {
  (void)s;
  if (!json_is_object(params))
    return NULL;
  return json_array();
}
