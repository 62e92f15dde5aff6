// Opens a flagged task in Label Studio's labeling UI in headless Chromium, as an annotator
// would (logged in), selects the region concordant flagged and saves a screenshot; fails
// unless the finding's message is on the page.
// Usage: node screenshot.mjs <Label Studio URL> <email> <password> <project> <task> <png>
import { createRequire } from "node:module";
const require = createRequire(new URL("../html/", import.meta.url));
const { chromium } = require("playwright-core");

const [url, email, password, project, task, png] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", args: ["--no-sandbox"] });
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(`${url}/user/login/`);
  await page.fill('input[name="email"]', email);
  await page.fill('input[name="password"]', password);
  await Promise.all([page.waitForNavigation(), page.click('button[type="submit"], input[type="submit"]')]);
  await page.goto(`${url}/projects/${project}/data?task=${task}`, { waitUntil: "networkidle" });
  // The task opens beside the list; if it did not, open it from the list.
  // (Not the breadcrumb, "concordant live validation".)
  const tab = page.getByText(/^concorda/).filter({ hasNotText: "live" }).first();
  try {
    await tab.waitFor({ timeout: 15000 });
  } catch {
    await page.getByText(String(task), { exact: true }).first().click();
    await tab.waitFor({ timeout: 15000 });
  }
  // The prediction's tab, then its flagged region.
  await tab.click();
  await page.waitForTimeout(1000);
  // The flagged box, where the prediction draws it on the image (x 90%, y 10%): selected,
  // its details show the finding.
  const image = await page.locator(".konvajs-content, canvas").first().boundingBox();
  if (image) {
    await page.mouse.click(image.x + image.width * 0.95, image.y + image.height * 0.15);
  }
  await page.waitForTimeout(1500);
  await page.screenshot({ path: png });
  const text = await page.evaluate(() => document.body.innerText);
  if (!/box-inside-image/.test(text)) {
    console.error(`the finding's message is not on the page; screenshot in ${png}`);
    process.exit(1);
  }
  console.log(`the labeling UI shows the finding; screenshot in ${png}`);
} finally {
  await browser.close();
}
