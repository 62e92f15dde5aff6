// Opens a Concordant HTML report in headless Chromium and checks it as a user would see it:
// no console errors, as many findings rendered as the JSON output has, a severity filter
// that hides what it should (and a clear that brings it back), a bar that shows its record
// on focus (with FRAMES=N: at least N boxes in the frame view, and a box that shows its record
// on focus); then saves a screenshot.
//
//   node check.mjs REPORT.html FINDINGS.jsonl SCREENSHOT.png
import { chromium } from "playwright-core";
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [report, findingsFile, screenshot] = process.argv.slice(2);
const lines = readFileSync(findingsFile, "utf8").split("\n").filter(Boolean).map(l => JSON.parse(l));
const findings = lines.filter(l => l.type === "finding");
const errors = findings.filter(f => f.severity === "error");

let failed = false;
const check = (ok, what) => {
  console.log(`${ok ? "ok" : "FAIL"}: ${what}`);
  if (!ok) failed = true;
};

// Focuses an element and checks that the tip then shows its record's place (`place`).
const focusShowsPlace = async (element, place, what) => {
  await element.focus();
  const page = element.page();
  const tip = await page.locator("#tip").textContent();
  check(await page.locator("#tip").isVisible() && place.test(tip ?? ""), what);
  await element.blur();
};

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1500 } });
  const problems = [];
  page.on("console", m => { if (m.type() === "error") problems.push(m.text()); });
  page.on("pageerror", e => problems.push(String(e)));
  page.on("dialog", d => { problems.push(`a dialog opened: ${d.message()}`); d.dismiss(); });
  page.on("request", r => { if (!r.url().startsWith("file:")) problems.push(`network request: ${r.url()}`); });
  await page.goto(pathToFileURL(report).href);
  await page.waitForSelector("li.finding");

  const rendered = await page.locator("li.finding").count();
  check(rendered === findings.length, `${rendered} findings rendered, ${findings.length} in the JSON output`);

  await page.selectOption("#f-severity", "error");
  const shown = await page.locator("li.finding").count();
  const shownErrors = await page.locator('li.finding[data-severity="error"]').count();
  check(shown === errors.length && shownErrors === shown,
    `the error filter shows the ${errors.length} errors and nothing else (${shown} shown, ${shownErrors} errors)`);
  await page.click("#f-clear");
  check(await page.locator("li.finding").count() === findings.length, "clearing the filters shows every finding again");

  if (process.env.FRAMES) {
    // Boxes without times: the frame view draws each boxed record, those a finding names in
    // their severity's colour, and focusing one shows where it is in the file.
    const regions = await page.locator(".frame .region").count();
    const involved = await page.locator(".frame .region.involved").count();
    check(regions >= Number(process.env.FRAMES) && involved > 0,
      `the frame view draws ${regions} boxes (at least ${process.env.FRAMES}), ${involved} of them named by findings`);
    await focusShowsPlace(page.locator(".frame .region.involved").first(), /\.json:\d+/,
      "focusing a box shows its record with file and line");
  } else {
    await focusShowsPlace(page.locator(".timeline [tabindex]").first(), /\.jsonl:\d+/,
      "focusing a timeline bar shows its record with file and line");
  }

  check(problems.length === 0, `no console errors or network requests${problems.length ? ": " + problems.join("; ") : ""}`);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(`screenshot: ${screenshot}`);
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
