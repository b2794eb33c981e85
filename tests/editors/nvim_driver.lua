-- Drives headless Neovim 0.11 the way a user's config would: editors/nvim on 'runtimepath',
-- vim.lsp.config() overrides, vim.lsp.enable('iam_lsp'), then :edit the policy files.
-- Run: nvim --headless --clean -l nvim_driver.lua   (inputs in $IAM_LSP_TEST_SPEC, a JSON file)
local spec = vim.json.decode(table.concat(vim.fn.readfile(vim.env.IAM_LSP_TEST_SPEC), '\n'))
local report = { buffers = {}, log = {} }

local function log(msg)
  table.insert(report.log, msg)
  io.stdout:write(msg .. '\n')
end

local function finish(code)
  vim.fn.writefile({ vim.json.encode(report) }, spec.out)
  vim.cmd((code == 0) and 'qall!' or 'cquit ' .. code)
end

vim.opt.runtimepath:prepend(spec.nvim_dir)
vim.cmd('filetype on')
vim.lsp.config('iam_lsp', spec.config)
vim.lsp.enable('iam_lsp')

local function lsp_client(buf)
  return vim.lsp.get_clients({ bufnr = buf, name = 'iam_lsp' })[1]
end

-- Diagnostics in a plain form; Neovim keeps the LSP code and 0-based line/byte columns.
local function diagnostics(buf)
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    table.insert(out, { code = d.code, line = d.lnum, col = d.col, end_line = d.end_lnum, end_col = d.end_col,
                        severity = d.severity, source = d.source, message = d.message })
  end
  table.sort(out, function(a, b)
    return vim.inspect({ a.code, a.line, a.col }) < vim.inspect({ b.code, b.line, b.col })
  end)
  return out
end

local function matches(buf, expected)
  local got = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    got[('%s %d:%d-%d:%d s%d'):format(d.code, d.lnum, d.col, d.end_lnum, d.end_col, d.severity)] = true
  end
  local n = 0
  for _ in pairs(got) do n = n + 1 end
  if n ~= #expected then return false end
  for _, e in ipairs(expected) do
    if not got[('%s %d:%d-%d:%d s%d'):format(e.code, e.line, e.col, e.end_line, e.end_col, e.severity)] then
      return false
    end
  end
  return true
end

local function request(buf, method, params)
  local client = lsp_client(buf)
  local res, err = client:request_sync(method, params, 10000, buf)
  if not res then return { error = tostring(err) } end
  if res.err then return { error = vim.inspect(res.err) } end
  return { result = res.result }
end

local function hover_text(result)
  if not result or not result.contents then return nil end
  local c = result.contents
  if type(c) == 'string' then return c end
  if c.value then return c.value end
  local parts = {}
  for _, p in ipairs(c) do table.insert(parts, type(p) == 'string' and p or p.value) end
  return table.concat(parts, '\n')
end

local t0 = vim.uv.hrtime()
for _, file in ipairs(spec.files) do
  vim.cmd.edit(vim.fn.fnameescape(file.path))
  local buf = vim.api.nvim_get_current_buf()
  local entry = { path = file.path, filetype = vim.bo[buf].filetype }
  report.buffers[file.name] = entry

  if not vim.wait(15000, function() local c = lsp_client(buf); return c ~= nil and c.initialized end, 20) then
    log('NO CLIENT for ' .. file.name)
    finish(3)
    return
  end
  local client = lsp_client(buf)
  entry.offset_encoding = client.offset_encoding
  entry.root_dir = client.root_dir
  entry.pull = client:supports_method('textDocument/diagnostic')

  entry.matched = vim.wait(15000, function() return matches(buf, file.expected) end, 20)
  entry.diagnostics = diagnostics(buf)
  entry.ms_to_diagnostics = (vim.uv.hrtime() - t0) / 1e6
  for _, d in ipairs(entry.diagnostics) do
    log(('DIAG %s %d:%d-%d:%d sev=%d %s'):format(d.code, d.line, d.col, d.end_line, d.end_col, d.severity, d.message))
  end

  local uri = vim.uri_from_bufnr(buf)
  entry.hovers = {}
  for _, h in ipairs(file.hovers or {}) do
    local r = request(buf, 'textDocument/hover',
      { textDocument = { uri = uri }, position = { line = h.line, character = h.character } })
    entry.hovers[h.name] = { error = r.error, text = hover_text(r.result) }
    log(('HOVER %s: %s'):format(h.name, (hover_text(r.result) or r.error or 'nil'):gsub('\n.*', '')))
  end

  entry.completions = {}
  for _, c in ipairs(file.completions or {}) do
    local r = request(buf, 'textDocument/completion',
      { textDocument = { uri = uri }, position = { line = c.line, character = c.character },
        context = { triggerKind = 1 } })
    local items = r.result and (r.result.items or r.result) or {}
    local labels = {}
    for _, it in ipairs(items) do table.insert(labels, it.label) end
    entry.completions[c.name] = { error = r.error, labels = labels }
    log(('COMPLETION %s: %d items, first: %s'):format(c.name, #labels, table.concat(vim.list_slice(labels, 1, 3), ', ')))
  end
end

finish(0)
