-- briefkit: pandoc-crossref's syntax read as briefkit's own cross-references.
-- Runs before citeproc (as pandoc-crossref does), so `@fig:x` is never taken for a citation:
--   * a citation of `fig:`, `tbl:`, `eq:`, `sec:` or `lst:` ids (`@fig:x`, `[@fig:x; @fig:y]`,
--     `[-@fig:x]` for the number alone, `@Fig:x`) becomes a link to `#fig:x` of class
--     `briefkit-xref` (`bare` when the prefix is suppressed); briefkit's resolve stage writes
--     its text ("Figure 2") and reports one that names nothing;
--   * a display formula followed by `{#eq:x}` is numbered, in reading order, as
--     pandoc-crossref numbers it (`\qquad{(1)}` added to its TeX), inside a Span `#eq:x`
--     whose `number` attribute says its number;
--   * a code block next to a caption paragraph (`: caption {#lst:x}` or `Listing: caption`)
--     takes the id and the caption (pandoc-crossref's codeBlockCaptions).
-- Figures, tables and headings carry their `{#fig:x}` ids in Pandoc's own AST already.

local KINDS = {fig = true, tbl = true, eq = true, sec = true, lst = true}

local function crossref_id(id)
  local kind, rest = id:match("^(%a+):(.+)$")
  if kind and KINDS[kind:lower()] then
    return kind:lower() .. ":" .. rest
  end
end

local function links(cite)
  local out, others = pandoc.List{}, pandoc.List{}
  for _, citation in ipairs(cite.citations) do
    local id = crossref_id(citation.id)
    if id then
      if #out > 0 then
        out:insert(pandoc.Str(", "))
      end
      out:extend(citation.prefix)
      if #citation.prefix > 0 then
        out:insert(pandoc.Space())
      end
      -- `[-@fig:x]`, and `[Figure @fig:x]` whose prefix replaces the label: the number alone
      local bare = (citation.mode == "SuppressAuthor" or #citation.prefix > 0) and "1" or "0"
      out:insert(pandoc.Link({}, "#" .. id, "", pandoc.Attr("", {"briefkit-xref"}, {bare = bare})))
      out:extend(citation.suffix)
    else
      others:insert(citation)
    end
  end
  if #out == 0 then
    return nil
  end
  if #others > 0 then  -- a citation mixed in: it stays one, after the references
    out:insert(pandoc.Space())
    out:insert(pandoc.Cite({}, others))
  end
  return out
end

local equations = 0

local function number_equations(inlines)
  local out, i = pandoc.List{}, 1
  while i <= #inlines do
    local item = inlines[i]
    local label_at = (inlines[i + 1] and inlines[i + 1].t == "Space") and i + 2 or i + 1
    local label = inlines[label_at]
    local id, rest
    if item.t == "Math" and item.mathtype == "DisplayMath" and label and label.t == "Str" then
      id, rest = label.text:match("^{#(eq:[^}]+)}(.*)$")
    end
    if id then
      equations = equations + 1
      local math = pandoc.Math("DisplayMath", item.text .. " \\qquad{(" .. equations .. ")}")
      out:insert(pandoc.Span({math}, pandoc.Attr(id, {"equation"}, {number = tostring(equations)})))
      if rest ~= "" then
        out:insert(pandoc.Str(rest))
      end
      i = label_at + 1
    else
      out:insert(item)
      i = i + 1
    end
  end
  return out
end

local function listing_caption(block)
  if block == nil or block.t ~= "Para" or #block.content < 2 then
    return nil
  end
  local first, last = block.content[1], block.content[#block.content]
  if first.t ~= "Str" or (first.text ~= ":" and first.text ~= "Listing:") or last.t ~= "Str" then
    return nil
  end
  local id = last.text:match("^{#(lst:[^}]+)}$")
  if not id then
    return nil
  end
  local caption = pandoc.List{}
  for j = 3, #block.content - 2 do
    caption:insert(block.content[j])
  end
  return id, caption
end

local function caption_listings(blocks)
  local out, i = pandoc.List{}, 1
  while i <= #blocks do
    local block = blocks[i]
    if block.t == "CodeBlock" and block.identifier == "" then
      local id, caption = listing_caption(blocks[i + 1])
      local skip = 1
      if not id and #out > 0 then
        id, caption = listing_caption(out[#out])
        if id then
          out:remove(#out)
        end
        skip = 0
      end
      if id then
        block.identifier = id
        block.attributes.caption = pandoc.utils.stringify(caption)
        out:insert(block)
        i = i + 1 + skip
      else
        out:insert(block)
        i = i + 1
      end
    else
      out:insert(block)
      i = i + 1
    end
  end
  return out
end

function Pandoc(doc)
  doc = doc:walk{Cite = links}
  doc = doc:walk{Inlines = number_equations}
  return doc:walk{Blocks = caption_listings}
end
