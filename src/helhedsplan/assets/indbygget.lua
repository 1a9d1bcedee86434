-- The built-in renderer's pandoc Lua filter, for HTML, Typst and Word: Quarto-style
-- callouts, table captions from tbl-cap, figure and table numbering and cross-references
-- (@fig-…, @tbl-…), alt text in Typst, Danish numbers right-aligned in tables, and a figure's
-- phone-sized variant in the HTML.
--
-- `tabeller` is the table module both renderers share (tabeller.lua). helhedsplan/render/builtin.py
-- puts it in front of this file, so pandoc gets one filter and its --sandbox needs no second file.

local is_typst = FORMAT:match("typst") ~= nil
local is_html = FORMAT:match("html") ~= nil
local is_docx = FORMAT:match("docx") ~= nil

local CALLOUT_TITLES = {
  note = "Bemærk", tip = "Tip", important = "Vigtigt",
  warning = "Advarsel", caution = "Forsigtig",
}

local function typst_inlines(inlines)
  local out = pandoc.write(pandoc.Pandoc({pandoc.Plain(inlines)}), "typst")
  return (out:gsub("%s+$", ""))
end

local function typst_string(s)
  s = s:gsub("\\", "\\\\"):gsub('"', '\\"'):gsub("\n", " ")
  return '"' .. s .. '"'
end

local function html_escape(s)
  return (s:gsub("&", "&amp;"):gsub("<", "&lt;"):gsub(">", "&gt;"):gsub('"', "&quot;"))
end

-- A figure with a phone-sized variant (attribute "telefon", its file; see render/notebook.py): in
-- the HTML a <picture> that shows it at the media query; one <img>, so one alt text. The file
-- name stands in for the SVG, which render/builtin.py puts in after pandoc.
local function phone_picture(img)
  -- (the media query comes with the figure: helhedsplan.figures.PHONE_MEDIA)
  local phone, media = img.attributes["telefon"], img.attributes["telefon-media"]
  if not phone or not media then return nil end
  local alt = img.attributes["alt"] or pandoc.utils.stringify(img.caption)
  return pandoc.RawInline("html", '<picture class="sr-figur"><source media="'
    .. html_escape(media) .. '" srcset="#sr-telefon/' .. html_escape(phone)
    .. '" type="image/svg+xml"><img src="' .. html_escape(img.src) .. '" alt="'
    .. html_escape(alt) .. '"></picture>')
end

local function callout_kind(div)
  for _, cls in ipairs(div.classes) do
    local kind = cls:match("^callout%-(%a+)$")
    if kind then return kind end
  end
  if div.classes:includes("callout") then return "note" end
  return nil
end

local function callout(div, kind)
  local title = nil
  local content = pandoc.List(div.content)
  if div.attributes["title"] then
    title = pandoc.read(div.attributes["title"], "markdown").blocks
    title = title[1] and title[1].content or pandoc.Inlines({})
  elseif content[1] and content[1].t == "Header" then
    title = content[1].content
    content:remove(1)
  else
    title = pandoc.Inlines({pandoc.Str(CALLOUT_TITLES[kind] or "Bemærk")})
  end
  if is_typst then
    local blocks = pandoc.List({pandoc.RawBlock("typst",
      '#sr-callout(kind: "' .. kind .. '", title: [' .. typst_inlines(title) .. '])[')})
    blocks:extend(content)
    blocks:insert(pandoc.RawBlock("typst", "]"))
    return blocks
  end
  if is_docx then
    -- Word: a bold title paragraph, then the text, as a block quote
    local blocks = pandoc.List({pandoc.Para({pandoc.Strong(title)})})
    blocks:extend(content)
    return pandoc.BlockQuote(blocks)
  end
  local head = pandoc.Div(pandoc.Plain(title), pandoc.Attr("", {"sr-callout-title"}))
  local body = pandoc.Div(content, pandoc.Attr("", {"sr-callout-body"}))
  local attrs = pandoc.Attr(div.identifier, {"sr-callout", "sr-callout-" .. kind},
                            {role = "note"})
  return pandoc.Div({head, body}, attrs)
end

local function table_div(div)
  local cap = div.attributes["tbl-cap"]
  local found = false
  local content = div.content:walk({
    Table = function(tbl)
      if found then return nil end
      found = true
      if cap then
        local blocks = pandoc.read(cap, "markdown").blocks
        local inl = blocks[1] and blocks[1].content or pandoc.Inlines({})
        tbl.caption = {long = pandoc.Blocks({pandoc.Plain(inl)}), short = nil}
      end
      tbl.identifier = div.identifier
      return tbl
    end,
  })
  if not found then return nil end
  return content
end

local function is_blank(s)
  s = s:gsub("%s", "")
  return s == "" or s == "-" or s == "\u{2013}" or s == "\u{2014}" or s == "…"
      or s == "x" or s == ".."
end

local function align_numbers(tbl)
  local ncols = #tbl.colspecs
  for col = 2, ncols do
    if tbl.colspecs[col][1] == "AlignDefault" then
      local numeric, seen = true, 0
      for _, body in ipairs(tbl.bodies) do
        for _, row in ipairs(body.body) do
          local cell = row.cells[col]
          if cell then
            local text = pandoc.utils.stringify(cell.contents)
            if not is_blank(text) then
              if tabeller.is_number(text) then seen = seen + 1 else numeric = false end
            end
          end
        end
      end
      if numeric and seen > 0 then
        tbl.colspecs[col] = {"AlignRight", tbl.colspecs[col][2]}
      end
    end
  end
  return tbl
end

local function html_table(tbl)
  tbl = tabeller.mark(tbl)
  return pandoc.Div({tbl}, tabeller.box_attr(pandoc.utils.stringify(tbl.caption.long)))
end

function Pandoc(doc)
  -- 1. callouts and table divs
  doc = doc:walk({
    Div = function(div)
      local kind = callout_kind(div)
      if kind then return callout(div, kind) end
      if div.identifier:match("^tbl%-") or div.attributes["tbl-cap"] then
        return table_div(div)
      end
      return nil
    end,
  })

  -- 2. number figures and tables in document order
  local numbers, nfig, ntbl = {}, 0, 0
  doc:walk({
    Figure = function(fig)
      if fig.identifier ~= "" and fig.content and #fig.caption.long > 0 then
        nfig = nfig + 1
        numbers[fig.identifier] = {"Figur", nfig}
      end
    end,
    Table = function(tbl)
      if tbl.identifier ~= "" and #tbl.caption.long > 0 then
        ntbl = ntbl + 1
        numbers[tbl.identifier] = {"Tabel", ntbl}
      end
    end,
  })

  -- 3. format-specific rewriting
  doc = doc:walk({
    Header = function(header)
      if is_docx then return tabeller.unlisted_word_heading(header) end
    end,
    Image = function(img)
      if is_html then return phone_picture(img) end
    end,
    Table = function(tbl)
      tbl = align_numbers(tbl)
      local num = numbers[tbl.identifier]
      if (is_html or is_docx) and num and #tbl.caption.long > 0 then
        local first = tbl.caption.long[1]
        local prefix = pandoc.Inlines({pandoc.Str(num[1]), pandoc.Space(),
                                       pandoc.Str(num[2] .. ":"), pandoc.Space()})
        prefix:extend(first.content)
        tbl.caption.long[1] = pandoc.Plain(prefix)
      end
      if is_html then
        return html_table(tbl)
      end
      return tbl
    end,
    Figure = function(fig)
      local num = numbers[fig.identifier]
      if (is_html or is_docx) and num then
        local first = fig.caption.long[1]
        if first then
          local prefix = pandoc.Inlines({pandoc.Str(num[1]), pandoc.Space(),
                                         pandoc.Str(num[2] .. ":"), pandoc.Space()})
          prefix:extend(first.content)
          fig.caption.long[1] = pandoc.Plain(prefix)
        end
      end
      if is_typst then
        -- pandoc's own figure code drops the alt text and pads the caption with a space;
        -- write the common case (one image, a caption) directly.
        local images = pandoc.List({})
        fig:walk({Image = function(img) images:insert(img) end})
        local cap = fig.caption.long[1]
        if #images == 1 and cap and #fig.caption.long == 1 then
          local img = images[1]
          local alt = img.attributes["alt"] or pandoc.utils.stringify(img.caption)
          local code = "#figure(image(" .. typst_string(img.src) .. ", alt: "
            .. typst_string(alt) .. "), caption: [" .. typst_inlines(cap.content) .. "])"
          if fig.identifier ~= "" then
            code = code .. " <" .. fig.identifier .. ">"
          else
            code = code:sub(1, -2) .. ", numbering: none)"  -- like Quarto: no label, no number
          end
          return pandoc.RawBlock("typst", code)
        end
        fig = fig:walk({
          Image = function(img)
            local alt = img.attributes["alt"] or pandoc.utils.stringify(img.caption)
            return pandoc.RawInline("typst", "#image(" .. typst_string(img.src)
              .. ", alt: " .. typst_string(alt) .. ")")
          end,
        })
      end
      return fig
    end,
    Code = function(code)
      -- a checksum in two lines in the PDF and Word (tabeller.lua)
      return tabeller.checksum_lines(code, is_typst and "typst" or is_docx and "docx" or nil)
    end,
    Cite = function(cite)
      local out = pandoc.Inlines({})
      for i, c in ipairs(cite.citations) do
        if i > 1 then out:insert(pandoc.Str(", ")) end
        local num = numbers[c.id]
        if num and is_typst then
          out:insert(pandoc.RawInline("typst", "@" .. c.id))
        elseif num then
          out:insert(pandoc.Link(num[1] .. " " .. num[2], "#" .. c.id))
        else
          out:insert(pandoc.Str("@" .. c.id))
        end
      end
      return out
    end,
  })
  return doc
end
