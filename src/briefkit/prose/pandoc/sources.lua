-- briefkit: which references each bibliography file defines, as Pandoc reads it.
-- Runs before --citeproc. Each file is read alone (with nocite @*, so every entry counts);
-- its ids, or the error that stopped Pandoc reading it, go into the metadata field
-- `briefkit-sources` as JSON. A file that cannot be read is dropped from `bibliography`,
-- so that citeproc still formats the others and the prose's own mistakes are reported too.
local nocite = pandoc.Inlines{pandoc.Cite({pandoc.Str("@*")},
                                          {pandoc.Citation("*", "NormalCitation")})}

-- One source read on its own: {file, ids} or {file, error}.
local function read_alone(name, meta)
  local ok, result = pcall(pandoc.utils.references, pandoc.Pandoc({}, meta))
  if not ok then
    return {file = name, error = tostring(result)}
  end
  local ids = {}
  for _, reference in ipairs(result) do
    ids[#ids + 1] = reference.id
  end
  return {file = name, ids = ids}
end

function Pandoc(doc)
  local report, readable = {}, pandoc.List{}
  if doc.meta.references ~= nil then  -- the brief's inline references (--metadata-file)
    local entry = read_alone("<references>", pandoc.Meta{references = doc.meta.references,
                                                         nocite = nocite})
    report[#report + 1] = entry
    if entry.error then
      doc.meta.references = nil
    end
  end
  local files = doc.meta.bibliography or {}
  if pandoc.utils.type(files) ~= "List" then
    files = {files}
  end
  for _, file in ipairs(files) do
    local name = pandoc.utils.stringify(file)
    local entry = read_alone(name, pandoc.Meta{bibliography = name, nocite = nocite})
    report[#report + 1] = entry
    if not entry.error then
      readable:insert(file)
    end
  end
  if #readable > 0 then
    doc.meta.bibliography = readable
  else
    doc.meta.bibliography = nil
  end
  doc.meta["briefkit-sources"] = pandoc.json.encode(report)
  return doc
end
