// ombud's pages in a real headless Chromium, driven by Playwright (playwright-core, with the
// operating system's Chromium: no browser download). Run by the CLI's integration test
// `the_web_pages_work_in_a_real_browser`, which serves the example corpus and passes:
//   OMBUD_URL        the server's address (http://127.0.0.1:PORT)
//   OMBUD_USER       a reviewer's account name, OMBUD_PASSWORD its password
//   OMBUD_PLACED     how many incidents have a place (each must be on the map, alone or in a cell)
//   OMBUD_CHROMIUM   the browser (default /usr/bin/chromium)
//   OMBUD_SCREENSHOTS  a folder to write a screenshot of each page to (optional)
// It prints what it saw as one JSON line and exits non-zero, naming the step, when a step fails.
import { chromium } from "playwright-core";

const base = process.env.OMBUD_URL;
const user = process.env.OMBUD_USER;
const password = process.env.OMBUD_PASSWORD;
const placed = Number(process.env.OMBUD_PLACED);
const shots = process.env.OMBUD_SCREENSHOTS || "";
const seen = {};

let step = "starting the browser";
const fail = (message) => {
  throw new Error(message);
};
const shot = async (page, name) => {
  if (shots) await page.screenshot({ path: `${shots}/${name}.png`, fullPage: name !== "incidents" });
};

const browser = await chromium.launch({
  executablePath: process.env.OMBUD_CHROMIUM || "/usr/bin/chromium",
  args: [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
});
try {
  const page = await browser.newPage({ viewport: { width: 1366, height: 860 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  // A script or style the security policy blocked, a missing file: the page is broken.
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });

  step = "signing in";
  await page.goto(base + "/");
  if (!page.url().endsWith("/login")) fail("an anonymous visitor was not sent to sign in: " + page.url());
  await shot(page, "login");
  await page.fill("input[name=name]", user);
  await page.fill("input[name=password]", password);
  await Promise.all([page.waitForURL(base + "/"), page.click("form.login button[type=submit]")]);

  step = "the map shows every placed incident";
  const started = Date.now();
  await page.waitForSelector("#map[data-ready='1']", { timeout: 15000 });
  seen.map_ms = Date.now() - started;
  const total = Number(await page.getAttribute("#map", "data-total"));
  const cells = Number(await page.getAttribute("#map", "data-cells"));
  if (total !== placed) fail(`the map holds ${total} incidents, the record ${placed} with a place`);
  if (cells < 1) fail("no marker or cell was drawn");
  seen.map = { total, cells };
  await page.waitForSelector("#timeline svg rect.bar");
  await shot(page, "incidents");

  step = "dragging over the timeline filters the table";
  const first = await page.getAttribute("#timeline", "data-first");
  const last = await page.getAttribute("#timeline", "data-last");
  const box = await page.locator("#timeline svg").boundingBox();
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width * 0.25, y);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.45, y, { steps: 5 });
  await Promise.all([page.waitForURL(/since=.*until=/), page.mouse.up()]);
  const url = new URL(page.url());
  const since = url.searchParams.get("since"), until = url.searchParams.get("until");
  if (!(first <= since && since <= until && until <= last)) fail(`the period ${since}..${until} is not inside ${first}..${last}`);
  const dates = await page.locator("table.incidents tbody tr td:nth-child(2)").allTextContents();
  for (const d of dates) {
    const [a, b] = d.includes("..") ? d.split("..") : [d, d];
    if (b < since || a > until) fail(`the table shows ${d}, outside ${since}..${until}`);
  }
  seen.timeline = { since, until, rows: dates.length };

  step = "a highlighted field shows its words in the document";
  await page.goto(base + "/?place=Barda");
  await Promise.all([page.waitForURL(/\/incidents\//), page.locator("table.incidents tbody a").first().click()]);
  const incidentUrl = page.url();
  await shot(page, "incident");
  const mark = page.locator("a.mark.place").first();
  const words = (await mark.textContent()).trim();
  await Promise.all([page.waitForURL(/\/documents\/.*#at-/), mark.click()]);
  const target = (await page.locator("mark:target").textContent()).trim();
  if (target !== words) fail(`clicked ${JSON.stringify(words)}, the document marks ${JSON.stringify(target)}`);
  seen.field = words;
  await page.click(".proof button");
  await page.waitForFunction(() => document.querySelector(".proof pre").textContent.startsWith("Verified"));
  await shot(page, "document");

  step = "a reviewer merges two incidents with a note";
  await page.goto(base + "/?place=Ganja&type=shelling");
  const ids = await page.locator("table.incidents tbody tr td:first-child a").allTextContents();
  if (ids.length < 2) fail("fewer than two strikes on Ganja to merge");
  const [a, b] = ids;
  await page.goto(base + "/incidents/" + a);
  const note = "one salvo seen from two sides (browser test)";
  await page.fill("form[action='/review/merge'] input[name=incidents]", b);
  await page.fill("form[action='/review/merge'] input[name=note]", note);
  await Promise.all([page.waitForURL(/\/incidents\//), page.click("form[action='/review/merge'] button")]);
  const history = await page.locator("ol.history").textContent();
  if (!history.includes(note)) fail("the merge is not in the incident's history");
  seen.merged = [a, b];
  seen.after_merge = new URL(page.url()).pathname.split("/").pop();

  step = "the review queue and upload pages";
  await page.goto(base + "/review");
  await shot(page, "review");
  await page.goto(base + "/upload");
  await shot(page, "upload");

  step = "printing an incident page";
  await page.goto(incidentUrl);
  await page.emulateMedia({ media: "print" });
  if (await page.locator("form[action='/review/merge']").isVisible()) fail("review forms show in print");
  await page.emulateMedia({ media: "screen" });

  if (errors.length > 0) fail("the pages' script failed: " + errors.join("; "));
  console.log(JSON.stringify(seen));
} catch (e) {
  console.error(`browser test failed while ${step}: ${e.message}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
