// A host on another origin (E2E_HOST_ORIGIN, which the stack's CORS_ALLOWED_ORIGINS admits)
// with a strict CSP loads the element from the API's origin; an origin not listed cannot
// read the API from script. Each host is a tiny node server on localhost (a real server
// on loopback, as Chromium's local network access checks expect of a page that calls one).

import { createServer } from "node:http";
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, HOUSEHOLDS, SHOTS, launch, accessToken } from "../support.mjs";

const HOST = process.env.E2E_HOST_ORIGIN;
const CSP = `default-src 'self'; script-src 'self' ${BASE} 'wasm-unsafe-eval'; connect-src ${BASE}; style-src 'self'; base-uri 'none'`;

// A host's page and its script (the CSP allows no inline script), on `port` of localhost.
function hostServer(port) {
  const server = createServer((req, res) => {
    if (req.url === "/host.js") {
      res.writeHead(200, { "content-type": "text/javascript", "cache-control": "no-store" });
      return res.end(server.script);
    }
    res.writeHead(200, { "content-type": "text/html", "content-security-policy": CSP, "cache-control": "no-store" });
    res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>host</title>
      <script type="module" src="/host.js"></script></head><body><main id="slot"></main></body></html>`);
  });
  return new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve(server)));
}

let browser;
let alice;
let listed;
let unlisted;
before(async () => {
  assert.ok(HOST, "E2E_HOST_ORIGIN: scripts/lib.sh start_dev_stack sets it");
  listed = await hostServer(Number(new URL(HOST).port));
  unlisted = await hostServer(0);
  browser = await launch();
  alice = await accessToken("auth0|alice");
});
after(async () => {
  await browser?.close();
  listed?.close();
  unlisted?.close();
});

// A page of `server`'s origin running `script`, recording CSP violations from before the
// page's first script.
async function hostPage(context, server, script) {
  server.script = script;
  const page = await context.newPage();
  await page.addInitScript(() => {
    window.violations = [];
    document.addEventListener("securitypolicyviolation", (e) =>
      window.violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  return page;
}

const embed = (token) => `
  const api = ${JSON.stringify(BASE)};
  const { default: init } = await import(api + "/mfe/mfe.js");
  await init();
  const el = document.createElement("household-mfe");
  el.setAttribute("api-base", api);
  el.setAttribute("household-id", ${JSON.stringify(HOUSEHOLDS.maple)});
  el.accessTokenProvider = () => Promise.resolve(${JSON.stringify(token)});
  el.addEventListener("household-mfe-error", (e) => window.violations.push("element error " + JSON.stringify(e.detail)));
  document.getElementById("slot").append(el);
  window.el = el;
`;

test("a host on another origin with a strict CSP renders the household, then loads it again from cache", async () => {
  const context = await browser.newContext();
  const page = await hostPage(context, listed, embed(alice));
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  // Per bundle request: whether the cache answered it (or the server with a 304, no body).
  let bundle = new Map();
  const isBundle = (url) => url.startsWith(`${BASE}/mfe/`);
  cdp.on("Network.requestWillBeSent", (e) => { if (isBundle(e.request.url)) bundle.set(e.requestId, { url: e.request.url, cached: false }); });
  cdp.on("Network.requestServedFromCache", (e) => { if (bundle.has(e.requestId)) bundle.get(e.requestId).cached = true; });
  cdp.on("Network.responseReceived", (e) => {
    const r = bundle.get(e.requestId);
    if (r) Object.assign(r, { status: e.response.status, encoding: e.response.headers["content-encoding"], cached: r.cached || e.response.fromDiskCache || e.response.status === 304 });
  });

  await page.goto(`${HOST}/`);
  await page.waitForFunction(() => window.el?.shadowRoot?.textContent.includes("Family Wagon"), null, { timeout: 20000 });
  assert.deepEqual(await page.evaluate(() => window.violations), []);
  const first = [...bundle.values()];
  assert.ok(first.some((r) => r.url.endsWith(".wasm")), JSON.stringify(first));
  assert.ok(first.every((r) => r.encoding === "br"), `brotli when asked: ${JSON.stringify(first)}`);
  await page.screenshot({ path: `${SHOTS}cross-origin-host.png`, fullPage: true });

  bundle = new Map();
  await page.goto(`${HOST}/`);
  await page.waitForFunction(() => window.el?.shadowRoot?.textContent.includes("Family Wagon"), null, { timeout: 20000 });
  const second = [...bundle.values()];
  assert.ok(second.length > 0, "the bundle was requested again");
  assert.ok(second.every((r) => r.cached), `no bundle bytes on the second load: ${JSON.stringify(second)}`);
  assert.deepEqual(await page.evaluate(() => window.violations), []);
  await context.close();
});

test("an origin not in CORS_ALLOWED_ORIGINS cannot read an API answer from script", async () => {
  const context = await browser.newContext();
  const other = `http://localhost:${unlisted.address().port}`;
  const page = await hostPage(context, unlisted, `
    const api = ${JSON.stringify(BASE)};
    const attempt = (path, init) => fetch(api + path, init).then(() => "read", (e) => e.name);
    window.results = {
      jwks: await attempt("/.well-known/jwks.json"),
      households: await attempt("/api/me/households", { headers: { authorization: "Bearer ${alice}" } }),
      exchange: await attempt("/exchange", { method: "POST", headers: { authorization: "Bearer ${alice}", "content-type": "application/json" }, body: JSON.stringify({ household_id: ${JSON.stringify(HOUSEHOLDS.maple)} }) }),
      bundle: await import(api + "/mfe/mfe.js").then(() => "read", (e) => e.name),
    };
  `);
  await page.goto(`${other}/`);
  await page.waitForFunction(() => window.results, null, { timeout: 15000 });
  const results = await page.evaluate(() => window.results);
  assert.deepEqual(results, { jwks: "TypeError", households: "TypeError", exchange: "TypeError", bundle: "TypeError" });
  await context.close();
});
