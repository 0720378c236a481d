// The host wrapper at /household/:id/mfe: sign-in through the identity provider, the
// household switcher, reload, back/forward, and a viewer.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { BASE, HOUSEHOLDS, SHOTS, launch } from "../support.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => browser?.close());

/// Follows the sign-in redirect and picks a demo user on the issuer's page.
async function signIn(page, name) {
  await page.waitForURL(/\/authorize\?/);
  await page.getByRole("link", { name: new RegExp(name) }).click();
}

const shadow = (page) => page.evaluate(() => document.querySelector("household-mfe")?.shadowRoot?.textContent ?? "");
const waitShadow = (page, text) => page.waitForFunction(
  (text) => document.querySelector("household-mfe")?.shadowRoot?.textContent.includes(text), text, { timeout: 15000 });

test("sign in, switch households, go back and forward, reload", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${BASE}/household/${HOUSEHOLDS.maple}/mfe`);
  await signIn(page, "Alice");
  await page.waitForURL(`${BASE}/household/${HOUSEHOLDS.maple}/mfe`);
  assert.ok(!page.url().includes("code="), "code and state are stripped from the URL");
  await waitShadow(page, "Family Wagon");
  await page.screenshot({ path: `${SHOTS}host-maple.png`, fullPage: true });

  await page.selectOption("#switcher", HOUSEHOLDS.lakeside);
  await page.waitForURL(`${BASE}/household/${HOUSEHOLDS.lakeside}/mfe`);
  await waitShadow(page, "Cabin Truck");
  await page.waitForFunction(() => !document.querySelector("household-mfe").shadowRoot.textContent.includes("Family Wagon"),
    null, { timeout: 2000 });

  await page.goBack();
  await page.waitForURL(`${BASE}/household/${HOUSEHOLDS.maple}/mfe`);
  await waitShadow(page, "Family Wagon");
  assert.equal(await page.inputValue("#switcher"), HOUSEHOLDS.maple);
  await page.goForward();
  await page.waitForURL(`${BASE}/household/${HOUSEHOLDS.lakeside}/mfe`);
  await waitShadow(page, "Cabin Truck");

  // Tokens live in memory, so a reload signs in again: through the issuer's session,
  // without its user picker, back to the same household.
  await page.reload();
  await page.waitForURL(`${BASE}/household/${HOUSEHOLDS.lakeside}/mfe`);
  await waitShadow(page, "Cabin Truck");
  await context.close();
});

test("a viewer sees no write controls in the host, and the API refuses a forced write", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${BASE}/household/${HOUSEHOLDS.lakeside}/mfe`);
  await signIn(page, "Alice");
  await waitShadow(page, "Cabin Truck");
  const buttons = await page.evaluate(() =>
    [...document.querySelector("household-mfe").shadowRoot.querySelectorAll("button")].map((b) => b.textContent.trim().toLowerCase()));
  assert.ok(!buttons.some((b) => /add|edit|delete|save/.test(b)), `write controls: ${buttons}`);
  const status = await page.evaluate(async (household) => {
    const token = await document.querySelector("household-mfe").getInternalToken();
    const response = await fetch(`/api/households/${household}/vehicles`, {
      method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "Forced" }),
    });
    return response.status;
  }, HOUSEHOLDS.lakeside);
  assert.equal(status, 403);
  await page.screenshot({ path: `${SHOTS}host-viewer.png`, fullPage: true });
  await context.close();
});

test("a household the user is not in shows access denied in the host", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${BASE}/household/${HOUSEHOLDS.harbour}/mfe`);
  await signIn(page, "Alice");
  await page.waitForFunction(() => /denied|access/i.test(document.querySelector("household-mfe")?.shadowRoot?.textContent ?? ""));
  assert.doesNotMatch(await shadow(page), /Daily Driver/);
  await page.screenshot({ path: `${SHOTS}host-access-denied.png`, fullPage: true });
  await context.close();
});

/// GET `url` with `Host: host` (fetch may not set Host; node's http may).
function withHost(url, host) {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { headers: { host }, agent: false }, (response) => {
      response.resume();
      response.on("end", () => resolve(response.statusCode));
    });
    request.on("error", reject);
  });
}

test("server dev and its issuer answer only their own names (no DNS rebinding)", async () => {
  const config = await (await fetch(`${BASE}/config.json`)).json();
  const discovery = `${config.issuer}.well-known/openid-configuration`;
  for (const url of [`${BASE}/readyz`, discovery]) {
    const port = new URL(url).port;
    assert.equal(await withHost(url, `localhost:${port}`), 200, url);
    assert.equal(await withHost(url, `rebound.example:${port}`), 421, url);
  }
});
