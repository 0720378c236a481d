// <household-mfe> in a real headless Chromium against the real stack.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, HOUSEHOLDS, SHOTS, launch, accessToken, fixturePage, mountElement, waitForEvent, shadowText } from "../support.mjs";

let browser;
let alice;
before(async () => {
  browser = await launch();
  alice = await accessToken("auth0|alice");
});
after(async () => browser?.close());

test("the element renders the household's vehicles and fires a composed ready event", async () => {
  const { context, page } = await fixturePage(browser);
  await mountElement(page, { household: HOUSEHOLDS.maple, token: alice });
  const ready = await waitForEvent(page, "household-mfe-ready");
  assert.equal(ready.bubbles, true);
  assert.equal(ready.composed, true);
  await page.waitForFunction(() => window.el.shadowRoot.textContent.includes("Family Wagon"));
  assert.match(await shadowText(page), /City Hatch/);
  assert.doesNotMatch(await shadowText(page), /Cabin Truck/, "nothing of another household");
  await page.screenshot({ path: `${SHOTS}element-maple.png`, fullPage: true });
  await context.close();
});

test("changing household-id re-renders for the new household without a reload", async () => {
  const { context, page } = await fixturePage(browser);
  await mountElement(page, { household: HOUSEHOLDS.maple, token: alice });
  await page.waitForFunction(() => window.el.shadowRoot.textContent.includes("Family Wagon"));
  await page.evaluate(() => { window.marker = "same page"; });
  await page.evaluate((id) => window.el.setAttribute("household-id", id), HOUSEHOLDS.lakeside);
  await page.waitForFunction(() => window.el.shadowRoot.textContent.includes("Cabin Truck"));
  await page.waitForFunction(() => !window.el.shadowRoot.textContent.includes("Family Wagon"), null, { timeout: 2000 });
  assert.equal(await page.evaluate(() => window.marker), "same page", "no reload");
  await page.evaluate(() => window.el.setAttribute("theme", "dark"));
  await page.screenshot({ path: `${SHOTS}element-lakeside-dark.png`, fullPage: true });
  await context.close();
});

test("fifty concurrent getInternalToken() calls make exactly one exchange", async () => {
  const { context, page, exchanges } = await fixturePage(browser);
  await mountElement(page, { household: HOUSEHOLDS.harbour, token: await accessToken("auth0|carol") });
  const tokens = await page.evaluate(() => Promise.all(Array.from({ length: 50 }, () => window.el.getInternalToken())));
  assert.equal(new Set(tokens).size, 1, "every caller got the same token");
  assert.equal(tokens[0].split(".").length, 3);
  await waitForEvent(page, "household-mfe-ready");
  assert.equal(exchanges.length, 1, `exchanges: ${exchanges.length}`);
  await context.close();
});

test("a household the user does not belong to shows access denied and raises an error event", async () => {
  const { context, page } = await fixturePage(browser);
  await mountElement(page, { household: HOUSEHOLDS.harbour, token: alice });
  const error = await waitForEvent(page, "household-mfe-error");
  assert.equal(error.detail.status, 403);
  assert.equal(error.composed, true);
  await page.waitForFunction(() => /denied|access/i.test(window.el.shadowRoot.textContent));
  assert.doesNotMatch(await shadowText(page), /Daily Driver/);
  await page.screenshot({ path: `${SHOTS}element-access-denied.png`, fullPage: true });
  await context.close();
});

test("without an access token provider the element asks the host to sign in", async () => {
  const { context, page } = await fixturePage(browser);
  await mountElement(page, { household: HOUSEHOLDS.maple, token: null });
  await waitForEvent(page, "household-mfe-auth-required");
  await context.close();
});

test("removing the element unmounts it, and defining it twice is harmless", async () => {
  const { context, page } = await fixturePage(browser);
  await mountElement(page, { household: HOUSEHOLDS.maple, token: alice });
  await waitForEvent(page, "household-mfe-ready");
  // Load the bundle a second time: the element is already defined.
  await page.evaluate(() => import("/mfe/mfe.js?again").then((m) => m.default()));
  const requests = [];
  page.on("request", (r) => { if (r.url().includes("/api/")) requests.push(r.url()); });
  await page.evaluate(() => window.el.remove());
  // What may stay is the empty mount point and the stylesheet: no rendered view.
  const rendered = await page.evaluate(() =>
    [...(window.el.shadowRoot?.children ?? [])].filter((n) => n.tagName !== "STYLE").map((n) => n.innerHTML).join(""));
  assert.equal(rendered, "", "the view is unmounted");
  await page.waitForTimeout(300);
  assert.deepEqual(requests, [], "no requests after removal");
  // Re-attaching mounts again.
  await page.evaluate(() => document.getElementById("slot").append(window.el));
  await page.waitForFunction(() => window.el.shadowRoot.textContent.includes("Family Wagon"));
  await context.close();
});

test("a viewer sees no write controls, and a forced write is refused", async () => {
  const { context, page } = await fixturePage(browser);
  await mountElement(page, { household: HOUSEHOLDS.lakeside, token: alice });
  await page.waitForFunction(() => window.el.shadowRoot.textContent.includes("Cabin Truck"));
  const buttons = await page.evaluate(() =>
    [...window.el.shadowRoot.querySelectorAll("button")].map((b) => b.textContent.trim().toLowerCase()));
  assert.ok(!buttons.some((b) => /add|edit|delete|save/.test(b)), `write controls: ${buttons}`);
  const status = await page.evaluate(async (household) => {
    const token = await window.el.getInternalToken();
    const response = await fetch(`/api/households/${household}/vehicles`, {
      method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "Sneaky" }),
    });
    return response.status;
  }, HOUSEHOLDS.lakeside);
  assert.equal(status, 403);
  await page.screenshot({ path: `${SHOTS}element-viewer.png`, fullPage: true });
  await context.close();
});

test("the base URL is reachable", async () => {
  assert.equal((await fetch(`${BASE}/healthz`)).status, 200);
});
