-- Concordant rule files (`.cord`) in Neovim 0.7 and later: the `cord` filetype and the
-- `concordant lsp` language server (diagnostics, hover, completion, go to definition, quick
-- fixes, formatting).
--
-- Install: copy this file to ~/.config/nvim/plugin/concordant.lua (or anywhere on your
-- runtimepath under plugin/). Set `vim.g.concordant_cmd` before it loads to start another
-- executable, e.g. `vim.g.concordant_cmd = { "/path/to/concordant", "lsp" }`.
--
-- Then, in a `.cord` file: `K` shows hover with `vim.lsp.buf.hover()`, quick fixes come from
-- `vim.lsp.buf.code_action()`, and `vim.lsp.buf.format()` (Neovim 0.8+) or
-- `vim.lsp.buf.formatting_sync()` (0.7) lays the file out as `concordant fmt` does.

if vim.g.loaded_concordant then
  return
end
vim.g.loaded_concordant = true

local group = vim.api.nvim_create_augroup("concordant", { clear = true })

-- The filetype, by extension (works the same on every version, with or without Lua
-- filetype detection).
vim.api.nvim_create_autocmd({ "BufRead", "BufNewFile" }, {
  group = group,
  pattern = "*.cord",
  command = "setfiletype cord",
})

-- The folder a rule file belongs to: the nearest one above it with a concordant.toml or a
-- .git, else its own.
local function root_of(path)
  local dir = vim.fn.fnamemodify(path, ":p:h")
  local here = dir
  while true do
    for _, marker in ipairs({ "concordant.toml", ".git" }) do
      local candidate = here .. "/" .. marker
      if vim.fn.filereadable(candidate) == 1 or vim.fn.isdirectory(candidate) == 1 then
        return here
      end
    end
    local parent = vim.fn.fnamemodify(here, ":h")
    if parent == here then
      return dir
    end
    here = parent
  end
end

-- One server per project root, shared by its buffers.
local started = {}

local function attach(buf)
  local config = {
    name = "concordant",
    cmd = vim.g.concordant_cmd or { "concordant", "lsp" },
    root_dir = root_of(vim.api.nvim_buf_get_name(buf)),
  }
  if vim.lsp.start then
    -- Neovim 0.8+: reuses a running client with the same name and root.
    vim.lsp.start(config, { bufnr = buf })
    return
  end
  local id = started[config.root_dir]
  if not id or not vim.lsp.get_client_by_id(id) then
    id = vim.lsp.start_client(config)
    started[config.root_dir] = id
  end
  if id then
    vim.lsp.buf_attach_client(buf, id)
  end
end

vim.api.nvim_create_autocmd("FileType", {
  group = group,
  pattern = "cord",
  callback = function(args)
    attach(args.buf)
  end,
})
