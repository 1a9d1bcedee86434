-- Quarto Lua filter for the statusrapport (listed in _quarto.yml). It makes Quarto's HTML
-- and Typst output match the built-in renderer (helhedsplan/render/builtin.py, whose own
-- filter, ../indbygget.lua, does the same for pandoc):
--
-- * Text a table cell prints after its table (notes, "– = ikke målt det år.") is not part
--   of the table float: it follows the float as ordinary, left-aligned text.
-- * Word keeps each figure's alt text (fig-alt), which Quarto would drop.
-- * Callouts become the project's own boxes: `#sr-callout` in Typst (statusrapport-stil.typ,
--   no Font Awesome package to download) and `.sr-callout` in HTML (statusrapport.css).
-- * HTML tables get a keyboard-reachable box named after the table (../tabeller.lua, shared);
--   the tables themselves are marked after Quarto's own filters (tabeller-html.lua).
-- * A SHA-256 checksum is set in two lines of 32 digits in the PDF and Word (tabeller.lua):
--   whole, it runs off an A4 page; an unlisted heading stays out of Word's contents.

local tabeller = dofile(pandoc.path.join({pandoc.path.directory(PANDOC_SCRIPT_FILE),
                                          "..", "tabeller.lua"}))

local TITLES = {
  note = "Bemærk", tip = "Tip", important = "Vigtigt",
  warning = "Advarsel", caution = "Forsigtig",
}

local function typst_inlines(inlines)
  local out = pandoc.write(pandoc.Pandoc({pandoc.Plain(inlines)}), "typst")
  return (out:gsub("%s+$", ""))
end

local function split_after_table(blocks)
  -- blocks up to and including the first table, and the blocks after it
  local head, rest, seen = pandoc.Blocks({}), pandoc.Blocks({}), false
  for _, block in ipairs(blocks) do
    if seen then
      rest:insert(block)
    else
      head:insert(block)
      if block.t == "Table" then seen = true end
    end
  end
  return head, rest
end

function FloatRefTarget(float, node)
  -- `node` is the float as it sits in the document (Quarto's custom-node wrapper).
  if float.type ~= "Table" or float.content == nil then return nil end
  local content = float.content
  local outer = content.t == "Div" and content or nil
  local head, rest = split_after_table(outer and outer.content or content)
  if #rest > 0 then
    if outer then
      outer.content = head
      float.content = outer
    else
      float.content = head
    end
  end
  local blocks = pandoc.Blocks({node})
  if quarto.doc.is_format("html") then
    -- as the built-in renderer: a wide table scrolls inside its box
    local name = pandoc.utils.stringify(float.caption_long or {})
    blocks = pandoc.Blocks({pandoc.Div(blocks, tabeller.box_attr(name))})
  end
  if #rest > 0 then
    blocks:insert(pandoc.Div(rest, pandoc.Attr("", {"sr-tabelnote"})))
  end
  return blocks
end

function Header(header)
  -- Word: an unlisted heading stays out of the contents, as in the PDF (../tabeller.lua)
  if quarto.doc.is_format("docx") then return tabeller.unlisted_word_heading(header) end
  return nil
end

function Code(code)
  -- a checksum in two lines in the PDF and Word, as the built-in renderer (../tabeller.lua)
  local format = quarto.doc.is_format("typst") and "typst"
    or quarto.doc.is_format("docx") and "docx" or nil
  return tabeller.checksum_lines(code, format)
end

function Callout(node)
  local kind = node.type or "note"
  local title = quarto.utils.as_inlines(node.title)
  if title == nil or #title == 0 then
    title = pandoc.Inlines({pandoc.Str(TITLES[kind] or TITLES.note)})
  end
  local content = quarto.utils.as_blocks(node.content) or pandoc.Blocks({})
  if quarto.doc.is_format("typst") then
    local blocks = pandoc.Blocks({pandoc.RawBlock("typst",
      '#sr-callout(kind: "' .. kind .. '", title: [' .. typst_inlines(title) .. '])[')})
    blocks:extend(content)
    blocks:insert(pandoc.RawBlock("typst", "]"))
    return blocks
  end
  if quarto.doc.is_format("html") then
    local head = pandoc.Div(pandoc.Plain(title), pandoc.Attr("", {"sr-callout-title"}))
    local body = pandoc.Div(content, pandoc.Attr("", {"sr-callout-body"}))
    return pandoc.Div({head, body}, pandoc.Attr("", {"sr-callout", "sr-callout-" .. kind},
                                                {role = "note"}))
  end
  return nil
end

function Image(img)
  -- Word: Quarto leaves a figure's fig-alt out of the docx; pandoc's docx writer takes the
  -- alt text from the image itself, so put it there (as the built-in renderer does).
  local alt = img.attributes["fig-alt"]
  if alt and quarto.doc.is_format("docx") then
    img.attributes["alt"] = alt
    img.caption = pandoc.Inlines(alt)
    return img
  end
  return nil
end
