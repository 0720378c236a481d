// Standalone mode: the bundle served on its own at /mfe/, with its own PKCE sign-in and
// the dev toolbar.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, HOUSEHOLDS, SHOTS, launch } from "../support.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => browser?.close());

const byTestId = (page, id) => page.locator(`[data-testid="${id}"]`);
const text = (page) => page.evaluate(() => document.body.innerText + [...document.querySelectorAll("*")]
  .filter((e) => e.shadowRoot).map((e) => e.shadowRoot.textContent).join(" "));

async function signIn(page, name) {
  await page.goto(`${BASE}/mfe/`);
  await byTestId(page, "login").click();
  await page.waitForURL(/\/authorize\?/);
  await page.getByRole("link", { name: new RegExp(name) }).click();
  await page.waitForURL((url) => url.pathname.startsWith("/mfe/") && !url.search.includes("code="));
  await byTestId(page, "user").waitFor();
}

test("standalone: sign in, see vehicles, sign in again after a reload, switch household with one exchange, try a foreign one, sign out", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const exchanges = [];
  page.on("request", (r) => { if (new URL(r.url()).pathname === "/exchange") exchanges.push(r.postData()); });

  await signIn(page, "Alice");
  assert.ok(!page.url().includes("state="), "code and state are stripped from the URL");
  await byTestId(page, "household-select").selectOption(HOUSEHOLDS.maple);
  await page.waitForFunction(() => document.body.innerHTML.length > 0);
  await page.waitForFunction(() => (document.body.innerText + [...document.querySelectorAll("*")]
    .filter((e) => e.shadowRoot).map((e) => e.shadowRoot.textContent).join("")).includes("Family Wagon"), null, { timeout: 15000 });
  assert.match(page.url(), new RegExp(`/household/${HOUSEHOLDS.maple}/mfe`));
  await byTestId(page, "token-claims").waitFor();
  await page.screenshot({ path: `${SHOTS}standalone-maple.png`, fullPage: true });

  // A reload forgets the tokens (memory only); signing in again skips the issuer's user
  // picker, as an Auth0 session would, and comes back to the same household.
  await page.reload();
  await byTestId(page, "login").click();
  await byTestId(page, "user").waitFor();
  assert.match(page.url(), new RegExp(`/household/${HOUSEHOLDS.maple}/mfe`));

  // A deep link is the app too (the server falls back to its index.html).
  const deep = await fetch(`${BASE}/mfe/household/${HOUSEHOLDS.maple}/mfe`);
  assert.equal(deep.status, 200);
  assert.match(await deep.text(), /household-mfe-standalone/);

  const before = exchanges.length;
  await byTestId(page, "household-select").selectOption(HOUSEHOLDS.lakeside);
  await page.waitForFunction(() => (document.body.innerText + [...document.querySelectorAll("*")]
    .filter((e) => e.shadowRoot).map((e) => e.shadowRoot.textContent).join("")).includes("Cabin Truck"), null, { timeout: 15000 });
  await page.waitForTimeout(300);
  assert.equal(exchanges.length - before, 1, "switching households makes exactly one exchange");

  const count = async () => Number((await byTestId(page, "exchange-count").innerText()).match(/\d+/)[0]);
  const counted = await count();
  await byTestId(page, "force-refresh").click();
  await page.waitForFunction(() => true);
  for (let i = 0; i < 50 && (await count()) === counted; i++) await page.waitForTimeout(100);
  assert.equal(await count(), counted + 1, "a forced refresh makes one exchange");

  const beforeForeign = exchanges.length;
  await byTestId(page, "household-input").fill(HOUSEHOLDS.harbour);
  await byTestId(page, "household-apply").click();
  await page.waitForFunction(() => /denied/i.test(document.body.innerText + [...document.querySelectorAll("*")]
    .filter((e) => e.shadowRoot).map((e) => e.shadowRoot.textContent).join("")), null, { timeout: 15000 });
  assert.doesNotMatch(await text(page), /Daily Driver/);
  await page.waitForTimeout(300);
  assert.equal(exchanges.length - beforeForeign, 1, "a refused household is asked about once");
  await page.screenshot({ path: `${SHOTS}standalone-access-denied.png`, fullPage: true });

  await byTestId(page, "logout").click();
  await page.waitForLoadState("load");
  await page.goto(`${BASE}/mfe/`);
  const stored = await page.evaluate(async () => {
    const dbs = indexedDB.databases ? await indexedDB.databases() : [];
    return { local: { ...localStorage }, session: { ...sessionStorage }, cookies: document.cookie, dbs: dbs.map((d) => d.name) };
  });
  const all = JSON.stringify(stored);
  assert.ok(!/eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\./.test(all), `a token was left behind: ${all}`);
  assert.deepEqual(stored.dbs, []);
  assert.equal((await context.cookies()).filter((c) => /eyJ/.test(c.value)).length, 0);
  // Signing out ended the issuer's session too: the picker asks again.
  await byTestId(page, "login").click();
  await page.getByRole("link", { name: /Alice/ }).waitFor();
  await context.close();
});

test("standalone: the household list links to garages, back and forward follow, a bad id and an unknown path say so", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, "Alice");
  const link = byTestId(page, "household-list").locator(`a[href="/mfe/household/${HOUSEHOLDS.maple}/mfe"]`);
  await link.click();
  await page.waitForURL(new RegExp(`/mfe/household/${HOUSEHOLDS.maple}/mfe$`));
  await byTestId(page, "token-claims").waitFor();
  await page.goBack();
  await page.waitForURL((url) => url.pathname === "/mfe/");
  await byTestId(page, "household-list").locator("a").first().waitFor();
  await page.goForward();
  await page.waitForURL(new RegExp(`/mfe/household/${HOUSEHOLDS.maple}/mfe$`));
  await byTestId(page, "token-claims").waitFor();

  await byTestId(page, "household-input").fill("not a uuid");
  await byTestId(page, "household-apply").click();
  await page.waitForURL(/\/mfe\/household\/not%20a%20uuid\/mfe$/);
  assert.match(await byTestId(page, "invalid-household").innerText(), /“not a uuid” is not a household id/);

  await page.goto(`${BASE}/mfe/elsewhere`);
  await byTestId(page, "login").click();
  await byTestId(page, "user").waitFor();
  await page.getByText("There is no such page here.").waitFor();
  await context.close();
});
