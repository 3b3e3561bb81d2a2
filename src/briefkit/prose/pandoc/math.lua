-- briefkit: every TeX formula of the document as Pandoc's own writers typeset it.
-- Runs after --citeproc, so formulas from bibliography entries are there too. Each distinct
-- formula (display or inline, and its TeX) is written once into a scratch document, which
-- Pandoc's HTML writer turns into MathML and its Word writer into OMML (both through texmath,
-- as `pandoc -t html --mathml` and `pandoc -t docx` do), and into Pandoc's plain HTML
-- rendering; all three, and why a formula could not be converted, go into the metadata field
-- `briefkit-math` as JSON for briefkit to split.

function Pandoc(doc)
  local seen, formulas = {}, pandoc.List{}
  local function collect(math)
    local key = math.mathtype .. "\0" .. math.text
    if not seen[key] then
      seen[key] = true
      formulas:insert(math)
    end
  end
  doc:walk{Math = collect}
  if #formulas == 0 then
    return nil
  end
  local paragraphs = pandoc.List{}
  for _, math in ipairs(formulas) do
    paragraphs:insert(pandoc.Para{math})
  end
  local scratch = pandoc.Pandoc(paragraphs)
  local logged = #PANDOC_STATE.log
  local html = pandoc.write(scratch, "html", {html_math_method = "mathml"})
  local problems = {}
  for i = logged + 1, #PANDOC_STATE.log do
    local entry = PANDOC_STATE.log[i]  -- its rendered text: `type` holds it in Pandoc 3.9
    problems[#problems + 1] = tostring(entry.type or "") .. "\n" .. tostring(entry.message or "")
  end
  -- Pandoc's plain rendering (italics, sub- and superscripts) where texmath has one: the
  -- PDF prints a simple inline formula as text (searchable), as Pandoc's HTML does by default
  local plain = pandoc.write(scratch, "html", {html_math_method = "plain"})
  local docx = pandoc.zip.Archive(pandoc.write(scratch, "docx"))
  local document = ""
  for _, entry in ipairs(docx.entries) do
    if entry.path == "word/document.xml" then
      document = entry:contents()
    end
  end
  local list = {}
  for _, math in ipairs(formulas) do
    list[#list + 1] = {display = math.mathtype == "DisplayMath", tex = math.text}
  end
  doc.meta["briefkit-math"] = pandoc.json.encode(
    {formulas = list, html = html, plain = plain, docx = document, problems = problems})
  return doc
end
