-- Neovim (0.8+): `.cord` files use `concordant lsp`. Put this file on your runtimepath (for
-- example as ~/.config/nvim/plugin/concordant.lua).
vim.filetype.add({ extension = { cord = "cord" } })
vim.api.nvim_create_autocmd("FileType", {
  pattern = "cord",
  callback = function(args)
    vim.lsp.start({
      name = "concordant",
      cmd = { "concordant", "lsp" },
      root_dir = vim.fs.dirname(vim.fs.find({ "rules", ".git" }, { upward = true, path = vim.api.nvim_buf_get_name(args.buf) })[1] or "."),
    })
  end,
})
