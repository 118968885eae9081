// How long the incidents page takes to draw its map in headless Chromium, from navigation to
// every cell drawn at the fitted view (the map's `data-ready`). Serve a record with
// `ombud serve --public`, then: OMBUD_URL=http://127.0.0.1:8080 node web/tests/map-bench.mjs
// Prints one JSON line: the runs in ms, their median and worst, and the incidents on the map.
import { chromium } from "playwright-core";

const base = process.env.OMBUD_URL;
const runs = Number(process.env.OMBUD_RUNS || 5);
const browser = await chromium.launch({
  executablePath: process.env.OMBUD_CHROMIUM || "/usr/bin/chromium",
  args: [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
});
try {
  const times = [];
  let total = 0, cells = 0;
  for (let i = 0; i < runs; i++) {
    const page = await browser.newPage({ viewport: { width: 1366, height: 860 } });
    const start = Date.now();
    await page.goto(base + "/" + (process.env.OMBUD_QUERY || ""));
    await page.waitForSelector("#map[data-ready='1']", { timeout: 60000 });
    times.push(Date.now() - start);
    total = Number(await page.getAttribute("#map", "data-total"));
    cells = Number(await page.getAttribute("#map", "data-cells"));
    if (process.env.OMBUD_SCREENSHOT && i === 0) await page.screenshot({ path: process.env.OMBUD_SCREENSHOT });
    await page.close();
  }
  const sorted = [...times].sort((a, b) => a - b);
  console.log(JSON.stringify({ runs: times, median_ms: sorted[Math.floor(sorted.length / 2)], worst_ms: sorted[sorted.length - 1], incidents: total, cells }));
} finally {
  await browser.close();
}
