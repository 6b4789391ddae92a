// Opens a perfgate dashboard in headless Chromium and checks what a reader sees.
// Usage: node dashboard.mjs <site dir> <expected.json> <artifacts dir> [<hostile site dir>]
// Run by tests/dashboard.rs; screenshots go to the artifacts dir.
import { chromium } from "playwright-core";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const [site, expectedPath, out, hostile] = process.argv.slice(2);
const expected = JSON.parse(readFileSync(expectedPath, "utf8"));
const url = pathToFileURL(join(resolve(site), "index.html")).href;

function check(ok, what) {
  if (!ok) throw new Error("FAILED: " + what);
  console.log("ok: " + what);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu"],
});
const errors = [];
async function open(target, scheme = "light") {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, colorScheme: scheme });
  const page = await context.newPage();
  page.on("console", (m) => { if (m.type() === "error" || m.type() === "warning") errors.push(m.text()); });
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(target);
  return page;
}

try {
  // First chart: time from navigation start to a drawn canvas.
  const page = await open(url);
  await page.waitForSelector(".chart canvas", { timeout: 10000 });
  const firstChart = await page.evaluate(() => performance.now());
  console.log(`first chart drawn ${firstChart.toFixed(0)} ms after navigation start`);

  // The list of what changed names the planted shifts' commits, biggest first.
  check((await page.locator("#changes li").count()) === Math.min(10, expected.changes.length), "10 changes shown first");
  await page.click("#all-changes");
  const items = await page.locator("#changes li").allTextContents();
  check(items.length === expected.changes.length, `all ${expected.changes.length} changes listed`);
  for (const c of expected.changes) {
    const hit = items.find((t) => t.includes(c.benchmark + " · time") && t.includes(c.commit.slice(0, 7)));
    check(Boolean(hit), `${c.benchmark} listed with commit ${c.commit.slice(0, 7)}`);
  }
  const commitLink = await page.locator("#changes li a.sha").first().getAttribute("href");
  check(/^https:\/\/github\.com\/octo\/app\/commit\/[0-9a-f]{40}$/.test(commitLink), "a change links its commit: " + commitLink);

  // A chart renders with its band: the band's fill is on the canvas.
  const card = page.locator(".card").first();
  check((await card.locator(".meta").textContent()).includes("next run expected within"), "the first card states its band");
  const bandPixels = await card.locator("canvas").evaluate((c) => {
    const ctx = c.getContext("2d");
    const { data } = ctx.getImageData(0, 0, c.width, c.height);
    let n = 0;
    for (let i = 0; i < data.length; i += 4) {
      // The fill, rgba(9, 105, 218, 0.12), on the canvas's transparent background.
      const [r, g, b, a] = [data[i], data[i + 1], data[i + 2], data[i + 3]];
      if (Math.abs(r - 9) < 8 && Math.abs(g - 105) < 8 && Math.abs(b - 218) < 8 && a > 20 && a < 45) n++;
    }
    return n;
  });
  await page.screenshot({ path: join(out, "dashboard.png"), fullPage: false });
  check(bandPixels > 500, `the band is drawn (${bandPixels} pixels of its fill)`);

  // Hover shows the run; the count of series; search narrows the list; a glob too.
  await card.scrollIntoViewIfNeeded();
  const box = await card.locator(".u-over").boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.move(box.x + box.width - 3, box.y + box.height / 2);
  await card.locator(".tip").waitFor({ state: "visible", timeout: 5000 });
  const tip = await card.locator(".tip").textContent();
  check(/samples/.test(tip) && /[0-9a-f]{7}/.test(tip), "hover shows commit, value and samples: " + tip);
  check((await page.textContent("#count")) === `${expected.series} series`, "every series counted");
  await page.keyboard.press("Escape");
  await page.keyboard.press("/");
  check(await page.evaluate(() => document.activeElement.id === "search"), "/ focuses the search");
  await page.keyboard.type("case=0007");
  await page.waitForFunction(() => document.querySelectorAll(".card").length === 1);
  check((await page.textContent("#count")) === `1 of ${expected.series} series`, "search narrows to one series");
  await page.fill("#search", "*case=001?-8");
  await page.waitForFunction(() => document.querySelectorAll(".card").length === 10);
  check(true, "a glob narrows to its 10 series");
  // A glob that a backtracking RegExp took minutes over (the page hung on such a link).
  await page.fill("#search", "?*?*?*?*?*?*?*?*?*?*?*x");
  await page.waitForFunction(() => document.querySelectorAll(".card").length === 0, null, { timeout: 10000 });
  check(true, "a glob with many wildcards matches in time");
  await page.fill("#search", "");
  await page.check("#shifted");
  await page.waitForFunction(() => document.querySelectorAll(".card").length === 25);
  check(true, "only series with level shifts: 25");

  // A deep link opens that chart, drawn, in view.
  const target = "BenchmarkParse/case=0040-8";
  const deep = await open(url + "#b=" + encodeURIComponent(target) + "&m=time");
  await deep.waitForSelector(".card .chart canvas");
  const titles = await deep.locator(".card h3 a").allTextContents();
  check(titles.length === 1 && titles[0] === target, "the deep link shows its series alone: " + titles);
  check(await deep.evaluate(() => document.activeElement.closest(".card") !== null), "the deep-linked card has the focus");
  await deep.screenshot({ path: join(out, "deep-link.png") });

  const dark = await open(url + "#b=" + encodeURIComponent(target) + "&m=time", "dark");
  await dark.waitForSelector(".card .chart canvas");
  const bg = await dark.evaluate(() => getComputedStyle(document.body).backgroundColor);
  check(bg === "rgb(13, 17, 23)", "dark mode follows the system: " + bg);
  await dark.screenshot({ path: join(out, "dark.png") });

  if (hostile) {
    const h = await open(pathToFileURL(join(resolve(hostile), "index.html")).href);
    await h.waitForSelector(".card .chart canvas");
    const pwned = await h.evaluate(() => window.__pwned);
    check(pwned === undefined, "hostile names run no script");
    check((await h.locator(".card img").count()) === 0, "hostile names make no element");
    const names = await h.locator(".card h3 a").allTextContents();
    check(names.some((n) => n.startsWith("<img")), "a hostile name is shown as text: " + names[0]);
  }

  check(errors.length === 0, "no console errors or warnings" + (errors.length ? ": " + errors.join(" | ") : ""));
} finally {
  await browser.close();
}
