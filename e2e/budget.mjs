// Budgets of the micro-frontend: size of the element bundle host pages load (as served:
// the precompressed gzip and brotli of wasm + JS glue, each with its own budget; the
// standalone page's bundle is reported, not budgeted) and the
// time to the first render with data (navigation start → household-mfe-ready, median of
// 15 loads on loopback in headless Chromium, with a trace of where the time goes). Prints the figures; exits 1 over budget.
//   node e2e/budget.mjs               (E2E_BASE_URL: a running `server dev`; dist/: the release build)
//   node e2e/budget.mjs --size-only   (the bundle size alone: scripts/test runs this)

import { readFileSync } from "node:fs";
import { BASE, HOUSEHOLDS, launch, accessToken } from "./support.mjs";

// Both encodings a browser may be sent are budgeted, as served. Brotli is what every
// current browser is sent, and the budget the issues hold; gzip was raised from 160 to 161
// KB when members and join requests gained `name` and `email` (their decoding: +0.4 KB gzip,
// +0.3 KB brotli), until the views load on demand (the element's speed issue).
const GZIP_BUDGET = 161 * 1024;
const BROTLI_BUDGET = 130 * 1024;
const RENDER_BUDGET_MS = 150;
const dist = new URL("../dist/", import.meta.url);
// A bundle as a host page loads it: the entry, and what it references (by their content
// names, see scripts/finish-bundle.mjs): the wasm and the snippets (the custom element's
// class). Sizes are those of the files the server sends: raw, and the precompressed
// .gz and .br variants it chooses by Accept-Encoding.
const referenced = (entry, pattern) =>
  [...readFileSync(new URL(entry, dist), "utf8").matchAll(pattern)].map((m) => m[1].replace(/^\/mfe\//, ""));
const sizes = (names) => {
  const size = (suffix) => names.reduce((n, f) => n + readFileSync(new URL(f + suffix, dist)).length, 0);
  return { raw: size(""), gzip: size(".gz"), brotli: size(".br") };
};
const snippet = /['"](?:\.|\/mfe)\/(snippets\/[^'"]+\.js)['"]/g;
const element = sizes([
  "mfe.js",
  ...referenced("mfe.js", /['"](mfe_bg-[0-9a-f]{16}\.wasm)['"]/g),
  ...referenced("mfe.js", snippet),
]);
const [standaloneJs] = referenced("index.html", /href="\/mfe\/(standalone-[0-9a-f]{16}\.js)"/g);
const standalone = sizes([
  ...referenced("index.html", /src="\/mfe\/(standalone-boot-[0-9a-f]{16}\.js)"/g),
  standaloneJs,
  ...referenced(standaloneJs, /['"](standalone_bg-[0-9a-f]{16}\.wasm)['"]/g),
  ...referenced(standaloneJs, snippet),
]);
const kb = (n) => (n / 1024).toFixed(1);

const line = (s) => `${kb(s.raw)} KB raw, ${kb(s.gzip)} KB gzip, ${kb(s.brotli)} KB brotli (as served)`;
const sizeMet = element.gzip <= GZIP_BUDGET && element.brotli <= BROTLI_BUDGET;
console.log(`element bundle: ${line(element)} (budget ${kb(GZIP_BUDGET)} KB gzip, ${kb(BROTLI_BUDGET)} KB brotli: ${sizeMet ? "met" : "OVER"})`);
console.log(`standalone page bundle (not budgeted): ${line(standalone)}`);
if (process.argv.includes("--size-only")) {
  process.exit(sizeMet ? 0 : 1);
}

const token = await accessToken("auth0|alice");
const browser = await launch();
// Each load in a fresh context (no HTTP or code cache: a first visit). The page records
// milestones (ms since navigation start) from the Resource Timing entries of the requests
// and a mark around `init()`, so the median says where the first render's time goes.
const LOADS = 15;
const traces = [];
// The page is e2e/budget-page/, which scripts/budget serves from the server itself: no
// request is intercepted (while any route is set, Playwright holds every request of the
// page in its own process, 6-10 ms each here, which no host pays).
const url = `${BASE}/mfe/e2e-budget/?${new URLSearchParams({ token, household: HOUSEHOLDS.maple })}`;
for (let i = 0; i < LOADS; i++) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const response = await page.goto(url);
  if (!response.url().includes("/e2e-budget/") || !(await response.text()).includes("budget.js")) {
    throw new Error(`${url} is not the budget page: run scripts/budget, which serves it`);
  }
  await page.waitForFunction(() => window.readyAt !== undefined, null, { timeout: 15000 });
  traces.push(await page.evaluate(() => {
    const resources = performance.getEntriesByType("resource");
    const of = (re) => resources.filter((e) => re.test(new URL(e.name).pathname));
    const end = (entries) => Math.max(...entries.map((e) => e.responseEnd));
    const start = (entries) => Math.min(...entries.map((e) => e.startTime));
    const data = of(/^\/api\/households\//);
    return {
      "page fetched": performance.getEntriesByType("navigation")[0].responseEnd,
      "mfe.js fetched": end(of(/^\/mfe\/mfe\.js$/)),
      "wasm fetched": end(of(/\.wasm$/)),
      "wasm compiled and instantiated": window.initDone,
      "exchange sent": start(of(/^\/exchange$/)),
      "exchange answered": end(of(/^\/exchange$/)),
      "data sent": start(data),
      "data answered": end(data),
      "rendered (household-mfe-ready)": window.readyAt,
      // Apart from the milestones, where each request's time went: before the request left
      // (queued), until its first byte (of which the server's own time, from its
      // Server-Timing header), and the rest of the body.
      requests: Object.fromEntries(resources.filter((e) => /^\/(exchange|api\/|mfe\/)/.test(new URL(e.name).pathname))
        .map((e) => [new URL(e.name).pathname.split("/").at(-1), {
          queued: e.requestStart - e.startTime,
          "first byte": e.responseStart - e.requestStart,
          server: e.serverTiming.find((t) => t.name === "app")?.duration ?? NaN,
          body: e.responseEnd - e.responseStart,
        }])),
    };
  }));
  await context.close();
}
await browser.close();

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`first render with data, median of ${LOADS} loads (ms since navigation start; step = since the previous line):`);
let previous = 0;
for (const milestone of Object.keys(traces[0]).filter((k) => k !== "requests")) {
  const at = median(traces.map((t) => t[milestone]));
  console.log(`  ${milestone.padEnd(34)} ${at.toFixed(1).padStart(7)}   +${(at - previous).toFixed(1)}`);
  previous = at;
}
console.log("the requests, medians (ms):");
for (const [name, parts] of Object.entries(traces[0].requests)) {
  console.log(`  ${name.padEnd(10)} ${Object.keys(parts)
    .map((part) => `${part} ${median(traces.map((t) => t.requests[name]?.[part] ?? NaN)).toFixed(1)}`).join(", ")}`);
}
const ready = traces.map((t) => t["rendered (household-mfe-ready)"]);
const readyMedian = median(ready);
console.log(`first render with data: median ${readyMedian.toFixed(0)} ms of ${LOADS} loads (budget ${RENDER_BUDGET_MS}); all: ${ready.map((t) => t.toFixed(0)).join(", ")}`);
process.exitCode = sizeMet && readyMedian <= RENDER_BUDGET_MS ? 0 : 1;
