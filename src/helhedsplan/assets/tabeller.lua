-- The report's tables for every reader, shared by both renderers' Lua filters (the built-in
-- renderer's indbygget.lua, Quarto's quarto/statusrapport.lua), so a table
-- reads the same on a phone and with a screen reader whichever renderer made the HTML.
--
-- mark(tbl) gives header cells a scope (the first cell of each body row is the row's
-- header), labels each body cell with its column (data-label, so a phone can show a row as
-- a card: "Status: ▲ Tydelig fremgang"), marks the status column, hides the status symbols
-- from screen readers (the words beside them say the same), keeps each figure on one line,
-- and marks tables with four or more columns as cards for narrow screens (statusrapport.css).
-- checksum_lines(code, format) sets a checksum in two lines in the PDF and the Word file, and
-- unlisted_word_heading(header) keeps a heading out of the Word file's contents.

local M = {}

function M.is_number(s)
  s = s:gsub("\u{00A0}", " "):gsub("\u{202F}", " "):gsub("\u{2212}", "-")
       :gsub("\u{2013}", "-")
  s = s:gsub("procentpoint", ""):gsub("pct%.", ""):gsub("pct", "")
       :gsub("pp%.", ""):gsub("kr%.", "")
  if not s:match("%d") then return nil end
  return s:match("^[%d%s%.,%%%+%-%(%)]+$") ~= nil
end

local STATUS_SYMBOLS = {"▲", "▼", "●", "■", "□", "◐"}

local function hide_symbols(contents)
  return contents:walk({
    Str = function(s)
      for _, sym in ipairs(STATUS_SYMBOLS) do
        if s.text == sym then
          return pandoc.Span({pandoc.Str(sym)}, pandoc.Attr("", {}, {["aria-hidden"] = "true"}))
        end
      end
    end,
  })
end

-- A figure is never split over two lines: "6,9–11,2 pct." breaks neither before "pct." nor
-- after the dash (on a phone's card the line breaks after the column's label instead). The
-- span's class is kept on one line by statusrapport.css.
local function keep_whole(contents)
  local text = pandoc.utils.stringify(contents)
  -- one figure, not a list of them ("2018, 2019, …"; a Danish decimal comma has no space),
  -- and one a browser could break (at a space or the dash); "1.963" stays bare
  local breakable = text:find(" ", 1, true) or text:find("–", 1, true)
  if #contents ~= 1 or contents[1].t ~= "Plain" or not M.is_number(text)
      or text:match("%d, %d") or not breakable then
    return contents
  end
  return pandoc.Blocks({pandoc.Plain({pandoc.Span(contents[1].content,
                                                  pandoc.Attr("", {"sr-tal"}))})})
end

-- A three-column table whose values are long ("11 af 12 ● Mål ikke nået", kept on one line)
-- is wider than a 390 px phone: it becomes cards too (issue 21.7). The longest value of the
-- columns after the first, in characters.
M.CARD_CHARS = 16
function M.longest_value(tbl)
  local longest = 0
  for _, body in ipairs(tbl.bodies) do
    for _, row in ipairs(body.body) do
      for i, cell in ipairs(row.cells) do
        if i > 1 then longest = math.max(longest, utf8.len(pandoc.utils.stringify(cell.contents)) or 0) end
      end
    end
  end
  return longest
end

function M.mark(tbl)
  local labels = {}
  local head_rows = tbl.head.rows
  for r, row in ipairs(head_rows) do
    for i, cell in ipairs(row.cells) do
      cell.attributes["scope"] = "col"
      if r == #head_rows then labels[i] = pandoc.utils.stringify(cell.contents) end
    end
  end
  -- "Enhed (pct.)" over a years-across table: each number's card line gets the unit.
  local unit = labels[1] and labels[1]:match("^Enhed %((.-)%)$")
  local years = #labels > 1
  for i = 2, #labels do
    if not labels[i]:match("^%d%d%d%d$") then years = false end
  end
  for _, body in ipairs(tbl.bodies) do
    body.row_head_columns = 1
    for _, row in ipairs(body.body) do
      for i, cell in ipairs(row.cells) do
        if i == 1 then
          cell.attributes["scope"] = "row"
        elseif labels[i] and labels[i] ~= "" then
          cell.attributes["data-label"] = labels[i]
          if unit == "pct." and M.is_number(pandoc.utils.stringify(cell.contents)) then
            cell.attributes["data-unit"] = unit
          end
        end
        if labels[i] == "Status" then cell.classes:insert("sr-status") end
        cell.contents = keep_whole(hide_symbols(cell.contents))
      end
    end
  end
  -- A years-across table is cards at any width: with only two years its first column of long
  -- unit names still made it wider than a phone.
  if #tbl.colspecs >= 4 or years
      or (#tbl.colspecs == 3 and M.longest_value(tbl) > M.CARD_CHARS) then
    tbl.classes:insert("sr-kort")
  end
  if years then tbl.classes:insert("sr-aar") end
  return tbl
end

-- A SHA-256 checksum (64 hex digits) is too long for a line of an A4 table, and neither Typst
-- nor Word breaks inside a word: the PDF and the Word file set it in two lines of 32 digits,
-- the HTML keeps it whole (it wraps on a screen). `format` is "typst" or "docx"; nil for any
-- other code or format.
function M.checksum_lines(code, format)
  local text = code.text
  if not (text:match("^%x+$") and #text == 64) then return nil end
  local first, second = text:sub(1, 32), text:sub(33)
  if format == "typst" then
    return pandoc.RawInline("typst", '#raw("' .. first .. '")#linebreak()#raw("' .. second
                                     .. '")')
  elseif format == "docx" then
    return pandoc.Inlines({pandoc.Code(first), pandoc.LineBreak(), pandoc.Code(second)})
  end
  return nil
end

-- Word: a heading left out of the contents ({.unlisted}, as "Bemærkning" under each delmål)
-- becomes a paragraph in the reference document's style "Overskrift N uden for indhold"
-- (assets/word/indhold-stilarter.xml): it looks like a heading of its level but has no outline
-- level, so neither the contents the Word file comes with nor Word's update of them list it,
-- as the PDF's and the HTML's contents do not.
function M.unlisted_word_heading(header)
  if not header.classes:includes("unlisted") then return nil end
  return pandoc.Div({pandoc.Para(header.content)}, pandoc.Attr("", {}, {
    {"custom-style", "Overskrift " .. header.level .. " uden for indhold"}}))
end

-- The box around a table: a table wider than the screen scrolls inside it, so it can be
-- reached by keyboard and is named after its table. Attributes as a list of pairs: a Lua
-- table's key order changes from run to run, and the HTML must come out byte-identical.
function M.box_attr(name)
  return pandoc.Attr("", {"sr-tabel"}, {
    {"role", "region"}, {"tabindex", "0"},
    {"aria-label", name ~= "" and name or "Tabel"},
  })
end

return M
