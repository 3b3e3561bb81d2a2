-- briefkit: what Word's live citation fields need from each citation, from Pandoc itself.
-- Runs after sources.lua and before --citeproc. Every Cite is numbered (its citations'
-- `hash`, which citeproc keeps), so the reader can match each rendered citation to:
--  * its items' locators, labels, prefixes and suffixes as Pandoc's citeproc parses them from
--    the suffix (`[@key, chap. 3, emphasis mine]`), with the brief's locale and the style's own
--    terms: citeproc runs once more, here, over the citations alone, with a probe style (written
--    by csl_styles.probe_style) that prints each item as  prefix⟦label⸽locator⟧suffix;
--  * the CSL-JSON of every cited item, as Pandoc reads the sources.
-- Both go into the metadata field `briefkit-citations` as JSON: {cites = {n = text}, items = ...}.
local ITEM_SEPARATOR = "\u{2E3B}"

function Pandoc(doc)
  local probe = doc.meta["briefkit-probe"]
  doc.meta["briefkit-probe"] = nil
  if probe == nil then
    return doc
  end
  local cites, cited, seen, n = pandoc.List{}, pandoc.List{}, {}, 0
  doc = doc:walk{Cite = function(cite)
    n = n + 1
    for _, citation in ipairs(cite.citations) do
      citation.hash = n
      if not seen[citation.id] then
        seen[citation.id] = true
        cited:insert(citation.id)
      end
    end
    cites:insert(pandoc.Para{pandoc.Cite(pandoc.Inlines{}, cite.citations)})
    return cite
  end}
  if n == 0 then
    return doc
  end
  local report = {cites = {}, items = "[]"}
  local meta = pandoc.Meta{}
  for key, value in pairs(doc.meta) do
    meta[key] = value
  end
  meta.csl = pandoc.utils.stringify(probe)
  meta.nocite = nil
  meta["suppress-bibliography"] = true
  local ok, probed = pcall(pandoc.utils.citeproc, pandoc.Pandoc(cites, meta))
  if ok then
    for i, block in ipairs(probed.blocks) do
      report.cites[tostring(i)] = pandoc.utils.stringify(block)
    end
  end
  local found, references = pcall(pandoc.utils.references, doc)
  if found then
    local keep = pandoc.List{}
    for _, reference in ipairs(references) do
      if seen[reference.id] then
        keep:insert(reference)
      end
    end
    report.items = pandoc.write(pandoc.Pandoc({}, pandoc.Meta{references = keep}), "csljson")
  end
  report.separator = ITEM_SEPARATOR
  doc.meta["briefkit-citations"] = pandoc.json.encode(report)
  return doc
end
