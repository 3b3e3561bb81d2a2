// How the words of a page's table cells are laid out in Chromium at a width.
// Usage: node cells.js FILE.html WIDTH   Prints JSON: [{text, lines}] for every td and th whose
// text is one word (a number, a name): `lines` is how many lines its text takes (split: > 1),
// and {pageScrolls}: whether the page itself scrolls sideways.
const { chromium } = require("playwright-core");
const path = require("path");

(async () => {
  const file = path.resolve(process.argv[2]);
  const width = parseInt(process.argv[3] || "390", 10);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"],
  });
  try {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    await page.goto("file://" + file);
    await page.evaluate(() => document.fonts.ready);
    const cells = await page.evaluate(() => [...document.querySelectorAll("td, th")]
      .filter(cell => cell.textContent.trim() && !/\s/.test(cell.textContent.trim()))
      .map(cell => {
        const range = document.createRange();
        range.selectNodeContents(cell);
        const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
        return { text: cell.textContent.trim(), lines: tops.size };
      }));
    const pageScrolls = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
    process.stdout.write(JSON.stringify({ cells, pageScrolls }));
  } finally {
    await browser.close();
  }
})().catch(e => { console.error(e); process.exit(2); });
