"""WordprocessingML's child order: a parent element and a new child in, the child at the place the
schema gives it out.

The WML schema (ECMA-376 / ISO 29500, `wml.xsd`) fixes the order of the children of every
property element: a `w:shd` after a `w:spacing` in a paragraph's properties, a `w:endnotePr`
after `w:savePreviewPicture` in the settings, are errors Word may refuse a file for, whatever
LibreOffice accepts. python-docx's `oxml` classes know the order of the children they model
(their `successors`); briefkit writes children python-docx has no API for (paragraph rules and
shading, table looks, note properties, settings), so it keeps the schema's sequences here, one
per parent, and every writer inserts through `place` rather than appending. The sequences are
the schema's own, checked against the vendored `wml.xsd` by `tests/test_ooxml_schema.py`.
"""

from __future__ import annotations

from docx.oxml.ns import qn


def _tags(names: str) -> tuple[str, ...]:
    return tuple(name if ":" in name else f"w:{name}" for name in names.split())


# The parent's tag -> its children in schema order (the complex type named in the comment; where
# one tag is used by two types, the sequence of the larger one, which holds the other's).
SEQUENCES: dict[str, tuple[str, ...]] = {
    # CT_PPr (a style's CT_PPrGeneral is its prefix)
    "w:pPr": _tags(
        "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers "
        "pBdr shd tabs suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct "
        "autoSpaceDE autoSpaceDN bidi adjustRightInd snapToGrid spacing ind contextualSpacing "
        "mirrorIndents suppressOverlap jc textDirection textAlignment textboxTightWrap outlineLvl "
        "divId cnfStyle rPr sectPr pPrChange"
    ),
    # CT_ParaRPr (CT_RPr without its leading revision marks)
    "w:rPr": _tags(
        "ins del moveFrom moveTo rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline "
        "shadow emboss imprint noProof snapToGrid vanish webHidden color spacing w kern position "
        "sz szCs highlight u effect bdr shd fitText vertAlign rtl cs em lang eastAsianLayout "
        "specVanish oMath rPrChange"
    ),
    # CT_TblPr
    "w:tblPr": _tags(
        "tblStyle tblpPr tblOverlap bidiVisual tblStyleRowBandSize tblStyleColBandSize tblW jc "
        "tblCellSpacing tblInd tblBorders shd tblLayout tblCellMar tblLook tblCaption "
        "tblDescription tblPrChange"
    ),
    # CT_TrPr
    "w:trPr": _tags(
        "cnfStyle divId gridBefore gridAfter wBefore wAfter cantSplit trHeight tblHeader "
        "tblCellSpacing jc hidden ins del trPrChange"
    ),
    # CT_TcPr
    "w:tcPr": _tags(
        "cnfStyle tcW gridSpan hMerge vMerge tcBorders shd noWrap tcMar textDirection tcFitText "
        "vAlign hideMark headers cellIns cellDel cellMerge tcPrChange"
    ),
    # CT_SectPr
    "w:sectPr": _tags(
        "headerReference footerReference footnotePr endnotePr type pgSz pgMar paperSrc pgBorders "
        "lnNumType pgNumType cols formProt vAlign noEndnote titlePg textDirection bidi rtlGutter "
        "docGrid printerSettings sectPrChange"
    ),
    # CT_Settings
    "w:settings": _tags(
        "writeProtection view zoom removePersonalInformation removeDateAndTime "
        "doNotDisplayPageBoundaries displayBackgroundShape printPostScriptOverText "
        "printFractionalCharacterWidth printFormsData embedTrueTypeFonts embedSystemFonts "
        "saveSubsetFonts saveFormsData mirrorMargins alignBordersAndEdges "
        "bordersDoNotSurroundHeader bordersDoNotSurroundFooter gutterAtTop hideSpellingErrors "
        "hideGrammaticalErrors activeWritingStyle proofState formsDesign attachedTemplate "
        "linkStyles stylePaneFormatFilter stylePaneSortMethod documentType mailMerge "
        "revisionView trackRevisions doNotTrackMoves doNotTrackFormatting documentProtection "
        "autoFormatOverride styleLockTheme styleLockQFSet defaultTabStop autoHyphenation "
        "consecutiveHyphenLimit hyphenationZone doNotHyphenateCaps showEnvelope summaryLength "
        "clickAndTypeStyle defaultTableStyle evenAndOddHeaders bookFoldRevPrinting "
        "bookFoldPrinting bookFoldPrintingSheets drawingGridHorizontalSpacing "
        "drawingGridVerticalSpacing displayHorizontalDrawingGridEvery "
        "displayVerticalDrawingGridEvery doNotUseMarginsForDrawingGridOrigin "
        "drawingGridHorizontalOrigin drawingGridVerticalOrigin doNotShadeFormData "
        "noPunctuationKerning characterSpacingControl printTwoOnOne strictFirstAndLastChars "
        "noLineBreaksAfter noLineBreaksBefore savePreviewPicture doNotValidateAgainstSchema "
        "saveInvalidXml ignoreMixedContent alwaysShowPlaceholderText doNotDemarcateInvalidXml "
        "saveXmlDataOnly useXSLTWhenSaving saveThroughXslt showXMLTags alwaysMergeEmptyNamespace "
        "updateFields hdrShapeDefaults footnotePr endnotePr compat docVars rsids m:mathPr "
        "attachedSchema themeFontLang clrSchemeMapping doNotIncludeSubdocsInStats "
        "doNotAutoCompressPictures forceUpgrade captions readModeInkLockDown smartTagType "
        "sl:schemaLibrary shapeDefaults doNotEmbedSmartTags decimalSymbol listSeparator"
    ),
    # CT_Style
    "w:style": _tags(
        "name aliases basedOn next link autoRedefine hidden uiPriority semiHidden unhideWhenUsed "
        "qFormat locked personal personalCompose personalReply rsid pPr rPr tblPr trPr tcPr "
        "tblStylePr"
    ),
    "w:styles": _tags("docDefaults latentStyles style"),  # CT_Styles
    "w:docDefaults": _tags("rPrDefault pPrDefault"),  # CT_DocDefaults
    "w:numbering": _tags("numPicBullet abstractNum num numIdMacAtCleanup"),  # CT_Numbering
    "w:abstractNum": _tags("nsid multiLevelType tmpl name styleLink numStyleLink lvl"),
    "w:lvl": _tags(
        "start numFmt lvlRestart pStyle isLgl suff lvlText lvlPicBulletId legacy lvlJc pPr rPr"
    ),  # CT_Lvl
    "w:num": _tags("abstractNumId lvlOverride"),  # CT_Num
    "w:tblStylePr": _tags("pPr rPr tblPr trPr tcPr"),  # CT_TblStylePr
    "w:pBdr": _tags("top left bottom right between bar"),  # CT_PBdr
    "w:tblBorders": _tags("top start left bottom end right insideH insideV"),  # CT_TblBorders
    "w:tcBorders": _tags("top start left bottom end right insideH insideV tl2br tr2bl"),
    "w:tcMar": _tags("top start left bottom end right"),  # CT_TcMar
    "w:tblCellMar": _tags("top start left bottom end right"),  # CT_TblCellMar
    "w:footnotePr": _tags("pos numFmt numStart numRestart footnote"),  # CT_FtnDocProps
    "w:endnotePr": _tags("pos numFmt numStart numRestart endnote"),  # CT_EdnDocProps
    "w:font": _tags(
        "altName panose1 charset family notTrueType pitch sig embedRegular "
        "embedBold embedItalic embedBoldItalic"
    ),  # CT_Font
}

# Children a parent may hold several of: added beside their kind, never replacing it.
REPEATED = {
    qn(t)
    for t in (
        "w:style",
        "w:abstractNum",
        "w:num",
        "w:lvl",
        "w:lvlOverride",
        "w:headerReference",
        "w:footerReference",
        "w:tblStylePr",
        "w:numPicBullet",
        "w:rsid",
        "w:footnote",
        "w:endnote",
    )
}

_RANK = {
    qn(parent): {qn(tag): rank for rank, tag in enumerate(sequence)}
    for parent, sequence in SEQUENCES.items()
}


def place(parent, child):
    """Put `child` into `parent` where the schema orders it: before the first existing child
    that the schema puts after it. A child of a kind the parent holds once replaces the one
    there. Returns `child`."""
    ranks = _RANK.get(parent.tag)
    if ranks is None or child.tag not in ranks:
        raise KeyError(f"no schema order known for {child.tag} in {parent.tag}")
    if child.tag not in REPEATED:
        for old in parent.findall(child.tag):
            if old is not child:
                parent.remove(old)
    rank = ranks[child.tag]
    for existing in parent:
        if existing is not child and ranks.get(existing.tag, -1) > rank:
            existing.addprevious(child)
            return child
    parent.append(child)
    return child


def get_or_place(parent, tag: str):
    """The child `tag` ("w:shd") of `parent`, made empty in its schema place when missing."""
    found = parent.find(qn(tag))
    if found is not None:
        return found
    return place(parent, parent.makeelement(qn(tag), {}))
