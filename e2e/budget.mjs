// Budgets of the micro-frontend: bundle size (gzip and brotli of wasm + JS glue) and the
// time to the first render with data (navigation start → household-mfe-ready, median of
// 7 loads on loopback in headless Chromium). Prints the figures; exits 1 over budget.
//   node e2e/budget.mjs   (E2E_BASE_URL: a running `server dev`; dist/: the release build)

import { readFileSync } from "node:fs";
import { gzipSync, brotliCompressSync, constants } from "node:zlib";
import { BASE, HOUSEHOLDS, launch, accessToken } from "./support.mjs";

const GZIP_BUDGET = 150 * 1024;
const RENDER_BUDGET_MS = 300;
const dist = new URL("../dist/", import.meta.url);
const files = ["mfe_bg.wasm", "mfe.js"].map((f) => readFileSync(new URL(f, dist)));
const gzip = files.reduce((n, b) => n + gzipSync(b, { level: 9 }).length, 0);
const brotli = files.reduce((n, b) => n + brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length, 0);
const raw = files.reduce((n, b) => n + b.length, 0);
const kb = (n) => (n / 1024).toFixed(1);

const token = await accessToken("auth0|alice");
const browser = await launch();
const times = [];
for (let i = 0; i < 7; i++) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.route(`${BASE}/e2e-budget`, (route) => route.fulfill({
    contentType: "text/html",
    body: `<!doctype html><meta charset="utf-8"><body><script type="module">
      import init from "/mfe/mfe.js";
      await init({ module_or_path: "/mfe/mfe_bg.wasm" });
      const el = document.createElement("household-mfe");
      el.accessTokenProvider = () => Promise.resolve(${JSON.stringify(token)});
      el.setAttribute("household-id", "${HOUSEHOLDS.maple}");
      el.addEventListener("household-mfe-ready", () => { window.readyAt = performance.now(); });
      document.body.append(el);
    </script></body>`,
  }));
  await page.goto(`${BASE}/e2e-budget`);
  await page.waitForFunction(() => window.readyAt !== undefined, null, { timeout: 15000 });
  times.push(await page.evaluate(() => window.readyAt));
  await context.close();
}
await browser.close();
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];

console.log(`bundle: ${kb(raw)} KB raw, ${kb(gzip)} KB gzip (budget ${kb(GZIP_BUDGET)}), ${kb(brotli)} KB brotli`);
console.log(`first render with data: median ${median.toFixed(0)} ms of ${times.length} loads (budget ${RENDER_BUDGET_MS}); all: ${times.map((t) => t.toFixed(0)).join(", ")}`);
process.exitCode = gzip <= GZIP_BUDGET && median <= RENDER_BUDGET_MS ? 0 : 1;
