// Run axe-core on one HTML file in headless Chromium; print the violations as JSON.
// Usage: node axe.js FILE.html [WIDTH]
const { chromium } = require("playwright-core");
const fs = require("fs");
const path = require("path");

(async () => {
  const file = path.resolve(process.argv[2]);
  const width = parseInt(process.argv[3] || "1280", 10);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  try {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    await page.goto("file://" + file);
    await page.addScriptTag({ content: fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8") });
    const result = await page.evaluate(async () => {
      const r = await axe.run(document, { resultTypes: ["violations"] });
      return r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help,
                                      nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ")) }));
    });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
    process.stdout.write(JSON.stringify({ violations: result, horizontalScroll: overflow }));
  } finally {
    await browser.close();
  }
})().catch(e => { console.error(e); process.exit(2); });
