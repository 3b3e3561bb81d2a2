// Which faces Chromium draws a page's quotes and apostrophes with, and how wide they are.
// Usage: node glyphs.js FILE.html [WIDTH]   (FONTCONFIG_FILE picks the machine's fonts)
// Prints JSON: {marks: [{char, ratio, family}], fonts: {family: glyphs}}, where ratio is the
// mark's advance over the font size (a full-width CJK apostrophe is about 1, a Latin one 0.3).
const { chromium } = require("playwright-core");
const path = require("path");

(async () => {
  const file = path.resolve(process.argv[2]);
  const width = parseInt(process.argv[3] || "1280", 10);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    env: process.env,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  try {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    await page.goto("file://" + file);
    await page.evaluate(() => document.fonts.ready);
    const marks = await page.evaluate(() => {
      const found = [];
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const style = getComputedStyle(node.parentElement);
        if (style.display === "none" || style.visibility === "hidden") continue;
        const size = parseFloat(style.fontSize);
        for (let i = 0; i < node.data.length; i++) {
          const char = node.data[i];
          if (!"\u2018\u2019\u201c\u201d'".includes(char)) continue;
          const range = document.createRange();
          range.setStart(node, i); range.setEnd(node, i + 1);
          const rect = range.getBoundingClientRect();
          if (rect.width === 0) continue;
          found.push({ char, ratio: rect.width / size, text: node.data.slice(Math.max(0, i - 12), i + 12) });
        }
      }
      return found;
    });
    // The faces Chromium actually used, from the DevTools protocol.
    const client = await page.context().newCDPSession(page);
    await client.send("DOM.enable"); await client.send("CSS.enable");
    const { root } = await client.send("DOM.getDocument", { depth: -1 });
    const { nodeIds } = await client.send("DOM.querySelectorAll", { nodeId: root.nodeId, selector: "body *" });
    const fonts = {};
    for (const nodeId of nodeIds) {
      const { fonts: used } = await client.send("CSS.getPlatformFontsForNode", { nodeId });
      for (const f of used) fonts[f.familyName] = (fonts[f.familyName] || 0) + f.glyphCount;
    }
    process.stdout.write(JSON.stringify({ marks, fonts }));
  } finally {
    await browser.close();
  }
})().catch(e => { console.error(e); process.exit(2); });
