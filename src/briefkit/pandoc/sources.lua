-- briefkit: which references each bibliography file defines, as Pandoc reads it.
-- Runs before --citeproc. Each file is read alone (with nocite @*, so every entry counts);
-- its ids, or the error that stopped Pandoc reading it, go into the metadata field
-- `briefkit-sources` as JSON. A file that cannot be read is dropped from `bibliography`,
-- so that citeproc still formats the others and the prose's own mistakes are reported too.
local nocite = pandoc.Inlines{pandoc.Cite({pandoc.Str("@*")},
                                          {pandoc.Citation("*", "NormalCitation")})}

function Pandoc(doc)
  local report, readable = {}, pandoc.List{}
  if doc.meta.references ~= nil then  -- the brief's inline references (--metadata-file)
    local alone = pandoc.Pandoc({}, pandoc.Meta{references = doc.meta.references,
                                                nocite = nocite})
    local ok, result = pcall(pandoc.utils.references, alone)
    if ok then
      local ids = {}
      for _, reference in ipairs(result) do
        ids[#ids + 1] = reference.id
      end
      report[#report + 1] = {file = "<references>", ids = ids}
    else
      report[#report + 1] = {file = "<references>", error = tostring(result)}
      doc.meta.references = nil
    end
  end
  local files = doc.meta.bibliography or {}
  if pandoc.utils.type(files) ~= "List" then
    files = {files}
  end
  for _, file in ipairs(files) do
    local name = pandoc.utils.stringify(file)
    local alone = pandoc.Pandoc({}, pandoc.Meta{bibliography = name, nocite = nocite})
    local ok, result = pcall(pandoc.utils.references, alone)
    if ok then
      local ids = {}
      for _, reference in ipairs(result) do
        ids[#ids + 1] = reference.id
      end
      report[#report + 1] = {file = name, ids = ids}
      readable:insert(file)
    else
      report[#report + 1] = {file = name, error = tostring(result)}
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
