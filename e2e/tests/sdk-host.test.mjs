// A host page on another origin (E2E_HOST_ORIGIN, localhost) whose CSP is
// `script-src 'self' <api origin> 'wasm-unsafe-eval'` (and `connect-src` the API and the
// issuer, as a host's policy names its Auth0 domain): it bundles auth0-spa-js (esbuild, a
// file of its own origin, no inline script), signs in against the development issuer,
// loads <household-mfe> from the API's origin and shows the household. With refresh tokens
// kept across reloads, a reload shows the household again without the issuer's picker or
// any redirect; no CSP violation on the way.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, HOUSEHOLDS, SHOTS, launch } from "../support.mjs";
import { issuer, recordViolations, spaHost, tokenRequests } from "../sdk-host.mjs";

const HOST = process.env.E2E_HOST_ORIGIN;
const csp = (issuer) => `default-src 'self'; script-src 'self' ${BASE} 'wasm-unsafe-eval'; connect-src 'self' ${BASE} ${issuer}; style-src 'self'; base-uri 'none'; frame-ancestors 'none'`;

let browser;
let server;
before(async () => {
  assert.ok(HOST, "E2E_HOST_ORIGIN: scripts/lib.sh start_dev_stack sets it");
  browser = await launch();
  server = await spaHost(HOST, {
    csp: csp((await issuer()).domain),
    config: {
      signInOnArrival: true,
      household: HOUSEHOLDS.maple,
      options: { useRefreshTokens: true, cacheLocation: "localstorage" },
    },
  });
});
after(async () => {
  await browser?.close();
  server?.closeAllConnections();
  server?.close();
});

const shows = (page, text) => page.waitForFunction(
  (text) => window.el?.shadowRoot?.textContent.includes(text), text, { timeout: 20000 });

test("an auth0-spa-js host with a strict CSP signs in, shows the household, and after a reload shows it again without the picker", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await recordViolations(page);
  const tokens = tokenRequests(context);
  const issuerPages = [];
  const { domain } = await issuer();
  page.on("framenavigated", (frame) => { if (frame.url().startsWith(`${domain}/`)) issuerPages.push(frame.url()); });

  await page.goto(`${HOST}/`);
  await page.waitForURL(/\/authorize\?/);
  await page.getByRole("link", { name: /Alice/ }).click();
  await page.waitForURL(`${HOST}/`);
  await shows(page, "Family Wagon");
  assert.deepEqual(await page.evaluate(() => window.violations), []);
  await page.screenshot({ path: `${SHOTS}sdk-host.png`, fullPage: true });

  const signedIn = issuerPages.length;
  await page.reload();
  await shows(page, "Family Wagon");
  assert.equal(issuerPages.length, signedIn, "the reload went nowhere near the issuer");
  assert.deepEqual(await page.evaluate(() => window.violations), []);

  // The refresh token renews the session (its grant, from this page, under this CSP), and
  // the renewed token reads the API.
  const status = await page.evaluate(async (api) => {
    const token = await window.auth0.getTokenSilently({ cacheMode: "off" });
    return (await fetch(`${api}/api/me/households`, { headers: { authorization: `Bearer ${token}` } })).status;
  }, BASE);
  assert.equal(status, 200);
  assert.deepEqual(tokens.map((t) => t.grant), ["authorization_code", "refresh_token"]);
  assert.deepEqual(await page.evaluate(() => window.violations), []);
  await context.close();
});
