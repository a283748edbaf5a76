-- SPDX-License-Identifier: MIT
-- Run by nvim_lsp.sh inside `nvim --headless --clean`: open a file of the
-- workspace $AL_WS, attach `$AL_BIN server` through neovim's own LSP
-- client, wait for its diagnostics, edit the buffer and wait for them to
-- go, apply a code action, then write what neovim saw to $AL_OUT, one line per event. The shell
-- script judges the lines; this file only reports.
local out = assert(io.open(vim.env.AL_OUT, 'w'))
local function say(fmt, ...)
  out:write(string.format(fmt, ...) .. '\n')
  out:flush()
end

local ok, err = pcall(function()
  vim.cmd('edit ' .. vim.fn.fnameescape(vim.env.AL_WS .. '/pkg/app.py'))
  local buf = vim.api.nvim_get_current_buf()
  local config = {
    name = 'asynclint',
    cmd = { vim.env.AL_BIN, 'server' },
    root_dir = vim.env.AL_WS,
  }
  local id
  if vim.lsp.start then -- neovim >= 0.8
    id = vim.lsp.start(config)
  else -- Debian 12's 0.7
    id = vim.lsp.start_client(config)
    vim.lsp.buf_attach_client(buf, id)
  end
  say('client %s', id and 'started' or 'failed')

  local function diags()
    return vim.diagnostic.get(buf)
  end
  -- Hang guards, not timed assertions: generous on purpose.
  local got = vim.wait(60000, function() return #diags() > 0 end, 20)
  say('diagnostics %s', got and 'arrived' or 'never arrived')
  for _, d in ipairs(diags()) do
    local lsp = d.user_data and d.user_data.lsp or {}
    say('diag %d:%d %s %s severity=%d %s', d.lnum + 1, d.col + 1,
      tostring(d.code or lsp.code), tostring(d.source), d.severity,
      d.message)
  end

  -- An edit as typed: `fetch()` -> `await fetch()` on line 6.
  vim.api.nvim_buf_set_text(buf, 5, 4, 5, 4, { 'await ' })
  local gone = vim.wait(60000, function() return #diags() == 0 end, 20)
  say('after edit %s', gone and 'clean' or 'still ' .. #diags())

  -- And back (undo): the finding returns.
  vim.cmd('undo')
  local back = vim.wait(60000, function() return #diags() > 0 end, 20)
  say('after undo %s', back and 'finding back' or 'clean')

  -- A code action through neovim's own machinery: the server's actions
  -- for line 6, the rule's quickfix ("Add `await`") applied as a
  -- workspace edit.
  local client = vim.lsp.get_client_by_id(id)
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    range = { start = { line = 5, character = 0 },
      ['end'] = { line = 5, character = 0 } },
    context = { diagnostics = {} },
  }
  local replies = vim.lsp.buf_request_sync(buf, 'textDocument/codeAction',
    params, 60000) or {}
  local chosen
  for _, reply in pairs(replies) do
    for _, a in ipairs(reply.result or {}) do
      say('action %s%s', a.title, a.isPreferred and ' (preferred)' or '')
      if a.title == 'Add `await`' then chosen = a end
    end
  end
  if chosen then
    vim.lsp.util.apply_workspace_edit(chosen.edit, client.offset_encoding)
    local quiet = vim.wait(60000, function() return #diags() == 0 end, 20)
    say('after action %s: %s', quiet and 'clean' or 'still ' .. #diags(),
      vim.api.nvim_buf_get_lines(buf, 5, 6, false)[1])
  end

  vim.lsp.stop_client(id)
  local stopped = vim.wait(20000, function()
    return vim.lsp.get_client_by_id(id) == nil
  end, 20)
  say('client %s', stopped and 'stopped' or 'still running')
end)
if not ok then
  say('error %s', tostring(err))
end
out:close()
vim.cmd('qa!')
