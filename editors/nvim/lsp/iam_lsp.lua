-- iam-lsp for Neovim 0.11+: put this file on 'runtimepath' as lsp/iam_lsp.lua, then
--   vim.lsp.enable('iam_lsp')
-- Override anything with vim.lsp.config('iam_lsp', { settings = { iamLsp = { ... } } }).
-- The server decides which JSON documents are IAM policies, so every json/jsonc buffer is attached.
---@type vim.lsp.Config
return {
  cmd = { 'iam-lsp', 'serve' },
  filetypes = { 'json', 'jsonc' },
  root_markers = { '.iam-lsp.toml', 'pyproject.toml', '.git' },
  settings = {
    iamLsp = {
      -- select = { 'IAM4' },              -- only these rules (codes, names or code prefixes)
      -- enable = {}, disable = {},        -- add / remove rules
      -- severity = { IAM410 = 'error' },  -- error | security | warning | suggestion
      -- policyTypes = { ['**/trust/*.json'] = 'trust' },
      -- include = {}, exclude = {},       -- globs
      -- maxSize = 2000000,
      -- options = {},                     -- per-rule options by code
      securitySeverity = 'warning',        -- 'warning' | 'error'
      suggestionSeverity = 'information',  -- 'information' | 'hint'
    },
  },
}
