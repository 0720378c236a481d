// The React 19 host of hosts/react (built by scripts/test: build_react_host) on another
// origin, as its own server serves it (strict CSP): sign in with @auth0/auth0-react, open a
// household by URL, switch to another (one new /exchange, none of the first household's
// rows on screen meanwhile), sign out.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { BASE, HOUSEHOLDS, SHOTS, accessToken, launch } from "../support.mjs";
import { issuer, recordViolations } from "../sdk-host.mjs";
import { serve } from "../../hosts/react/serve.mjs";

const HOST = process.env.E2E_HOST_ORIGIN;

let browser;
let server;
before(async () => {
  assert.ok(HOST, "E2E_HOST_ORIGIN: scripts/lib.sh start_dev_stack sets it");
  assert.ok(existsSync(new URL("../../hosts/react/dist/app.js", import.meta.url)),
    "hosts/react/dist: run build_react_host (scripts/lib.sh) first");
  browser = await launch();
  server = await serve({ port: Number(new URL(HOST).port), config: { api: BASE, ...(await issuer()) } });
});
after(async () => {
  await browser?.close();
  server?.closeAllConnections();
  server?.close();
});

const shadowText = (page) => page.evaluate(() => document.querySelector("household-mfe")?.shadowRoot?.textContent ?? "");
const shows = (page, text) => page.waitForFunction(
  (text) => document.querySelector("household-mfe")?.shadowRoot?.textContent.includes(text), text, { timeout: 20000 });

test("sign in, open a household by URL, switch to another with one exchange and no stale rows, sign out", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await recordViolations(page);
  const exchanges = [];
  page.on("request", (r) => { if (r.url() === `${BASE}/exchange` && r.method() === "POST") exchanges.push(r.url()); });

  await page.goto(`${HOST}/household/${HOUSEHOLDS.maple}/mfe`);
  await page.waitForURL(/\/authorize\?/);
  await page.getByRole("link", { name: /Alice/ }).click();
  await page.waitForURL(`${HOST}/household/${HOUSEHOLDS.maple}/mfe`);
  await shows(page, "Family Wagon");
  const options = await page.$$eval("#switcher option", (os) => os.map((o) => o.value));
  // Exactly what the API says are Alice's households (other tests may have made her more).
  const mine = await fetch(`${BASE}/api/me/households`, {
    headers: { authorization: `Bearer ${await accessToken("auth0|alice")}` },
  }).then((r) => r.json());
  const expected = mine.households.map((h) => h.household_id);
  assert.ok(expected.includes(HOUSEHOLDS.maple) && expected.includes(HOUSEHOLDS.lakeside));
  assert.deepEqual(options.sort(), expected.sort(), "Alice's households");
  assert.equal(exchanges.length, 1);

  // Every frame from the switch on: the element never shows Maple's rows for Lakeside.
  await page.evaluate((lakeside) => {
    window.stale = 0;
    const el = document.querySelector("household-mfe");
    const sample = () => {
      if (el.getAttribute("household-id") === lakeside && el.shadowRoot.textContent.includes("Family Wagon")) window.stale++;
      window.sampling = requestAnimationFrame(sample);
    };
    sample();
  }, HOUSEHOLDS.lakeside);
  await page.selectOption("#switcher", HOUSEHOLDS.lakeside);
  await page.waitForURL(`${HOST}/household/${HOUSEHOLDS.lakeside}/mfe`);
  await shows(page, "Cabin Truck");
  await page.waitForLoadState("networkidle");
  assert.equal(await page.evaluate(() => { cancelAnimationFrame(window.sampling); return window.stale; }), 0);
  assert.doesNotMatch(await shadowText(page), /Family Wagon/);
  assert.equal(exchanges.length, 2, "exactly one new exchange for the new household");
  assert.equal(await page.$eval("#switcher", (s) => s.value), HOUSEHOLDS.lakeside);
  assert.deepEqual(await page.evaluate(() => window.violations), []);
  await page.screenshot({ path: `${SHOTS}react-host.png`, fullPage: true });

  // Signing out ends the issuer's session: the host asks again, and the picker shows.
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL(/\/authorize\?/);
  await page.getByRole("link", { name: /Alice/ }).waitFor();
  await context.close();
});
