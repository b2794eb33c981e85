-- iam-lsp with nvim-lspconfig on Neovim < 0.11 (0.8+). On 0.11+ prefer editors/nvim/lsp/iam_lsp.lua.
-- Put this in your init.lua after nvim-lspconfig is loaded.
local configs = require('lspconfig.configs')
local util = require('lspconfig.util')

if not configs.iam_lsp then
  configs.iam_lsp = {
    default_config = {
      cmd = { 'iam-lsp', 'serve' },
      filetypes = { 'json', 'jsonc' },
      root_dir = util.root_pattern('.iam-lsp.toml', 'pyproject.toml', '.git'),
      single_file_support = true,
      settings = {
        iamLsp = {
          securitySeverity = 'warning',
          suggestionSeverity = 'information',
        },
      },
    },
    docs = {
      description = 'iam-lsp: diagnostics, quick fixes, hover and completion for AWS IAM policy documents.',
    },
  }
end

require('lspconfig').iam_lsp.setup({})
