-- Quarto Lua filter, run after Quarto's own filters (_quarto.yml: at: post-render): HTML tables
-- are marked as the built-in renderer marks them (../tabeller.lua, shared): header scopes,
-- column labels for the phone's cards, status symbols hidden from screen readers. Run with the
-- other user filters, the marks were lost on a table with a link in it (the board overview's
-- "I rapporten" column): Quarto rebuilds such a table after the user filters.
local tabeller = dofile(pandoc.path.join({pandoc.path.directory(PANDOC_SCRIPT_FILE),
                                          "..", "tabeller.lua"}))

function Table(tbl)
  if quarto.doc.is_format("html") then return tabeller.mark(tbl) end
  return nil
end
