// Households have a life, through the UI: an owner invites in the element, a second user
// redeems the code in the standalone app, the owner approves and later removes them, and
// the removed member's element refuses on its next request. Each test makes its own
// household, so the demo data stays as seeded.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, SHOTS, launch, accessToken, fixturePage, mountElement, waitForEvent, shadowText } from "../support.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => browser?.close());

const element = (page) => page.locator("household-mfe");
const inElement = (page, text) => page.waitForFunction(
  (text) => document.querySelector("household-mfe")?.shadowRoot?.textContent.includes(text), text, { timeout: 15000 });
/// Collects the element's error events from now on.
const recordErrors = (page) => page.evaluate(() => {
  window.mfeErrors = [];
  document.addEventListener("household-mfe-error", (e) => window.mfeErrors.push(e.detail));
});

/// The dev issuer's user picker, after a page sent the browser there.
async function pickUser(page, name) {
  await page.waitForURL(/\/authorize\?/);
  await page.getByRole("link", { name: new RegExp(name) }).click();
}

/// JSON from the API with a bearer token; fails the test on an error answer.
async function api(method, path, token, body) {
  const response = await fetch(`${BASE}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  assert.ok(response.ok, `${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

const internal = async (auth0, household) =>
  (await api("POST", "/exchange", auth0, { household_id: household })).access_token;

test("an owner invites in the element, the invitee redeems in the standalone app, is approved, sees the vehicles, is removed and refused", async () => {
  const name = `Invite test ${Date.now()}`;
  // Alice creates the household in the host page's form and lands in its element.
  const owner = await browser.newContext();
  const alice = await owner.newPage();
  await alice.goto(`${BASE}/`);
  await pickUser(alice, "Alice");
  await alice.getByLabel("Name").fill(name);
  await alice.getByRole("button", { name: "Create", exact: true }).click();
  await alice.waitForURL(/\/household\/[0-9a-f-]{36}\/mfe$/);
  const household = alice.url().match(/household\/([0-9a-f-]{36})\/mfe/)[1];
  await inElement(alice, "No vehicles yet.");
  await element(alice).getByRole("button", { name: "Add vehicle" }).click();
  await element(alice).getByLabel("Name").fill("Shared Van");
  await element(alice).getByRole("button", { name: "Save" }).click();
  await inElement(alice, "Shared Van");

  // The invitation, made in the element's Members view.
  await element(alice).getByRole("button", { name: "Members" }).click();
  await inElement(alice, "(you)");
  assert.equal(await element(alice).getByRole("button", { name: "Members" }).getAttribute("aria-pressed"), "true");
  await element(alice).getByRole("button", { name: "Create invitation code" }).click();
  const code = element(alice).getByLabel("Invitation code");
  await code.waitFor();
  const invitation = await code.inputValue();
  assert.ok(invitation.length > 20, `a code: ${invitation}`);
  await alice.screenshot({ path: `${SHOTS}members-invitation.png`, fullPage: true });

  // Bob redeems it in the standalone app, in a browser context of his own.
  const invitee = await browser.newContext();
  const bob = await invitee.newPage();
  await bob.goto(`${BASE}/mfe/`);
  await bob.locator('[data-testid="login"]').click();
  await pickUser(bob, "Bob");
  await bob.locator('[data-testid="user"]').waitFor();
  await bob.getByRole("link", { name: "Join with a code" }).click();
  await bob.waitForURL(/\/mfe\/join$/);
  await bob.locator('[data-testid="invitation-code"]').fill(invitation);
  await bob.locator('[data-testid="redeem"]').click();
  await bob.getByText("Request sent, waiting for an owner.").waitFor();
  await bob.screenshot({ path: `${SHOTS}standalone-join-sent.png`, fullPage: true });

  // Alice approves.
  // Showing the view again loads it again.
  await element(alice).getByRole("button", { name: "Garage" }).click();
  await element(alice).getByRole("button", { name: "Members" }).click();
  await element(alice).getByRole("button", { name: "Approve auth0|bob" }).click();
  await inElement(alice, "Nobody is waiting to join.");
  await element(alice).getByLabel("Role of auth0|bob").waitFor();
  assert.equal(await element(alice).getByLabel("Role of auth0|bob").inputValue(), "member");

  // Bob opens the household in the host page (the issuer's session signs him in) and
  // sees its vehicles.
  await bob.goto(`${BASE}/household/${household}/mfe`);
  await bob.waitForURL(`${BASE}/household/${household}/mfe`);
  await inElement(bob, "Shared Van");
  await recordErrors(bob);

  // Alice removes him, with a confirmation.
  await element(alice).getByRole("button", { name: "Remove auth0|bob" }).click();
  await element(alice).getByRole("alertdialog").getByRole("button", { name: "Remove" }).click();
  await alice.waitForFunction(() => !document.querySelector("household-mfe").shadowRoot.textContent.includes("auth0|bob"),
    null, { timeout: 15000 });

  // Bob's element learns it on its next request: access denied, and the error event.
  await element(bob).getByRole("button", { name: "Members" }).click();
  await inElement(bob, "Access denied");
  const errors = await bob.evaluate(() => window.mfeErrors);
  assert.ok(errors.some((e) => e.status === 403), `error events: ${JSON.stringify(errors)}`);
  assert.doesNotMatch(await bob.evaluate(() => document.querySelector("household-mfe").shadowRoot.textContent), /Shared Van/);
  await bob.screenshot({ path: `${SHOTS}members-removed.png`, fullPage: true });
  await owner.close();
  await invitee.close();
});

test("a member who leaves is refused at once; the last owner cannot leave", async () => {
  const aliceAuth0 = await accessToken("auth0|alice");
  const bobAuth0 = await accessToken("auth0|bob");
  const { id: household } = await api("POST", "/api/households", aliceAuth0, { name: `Leave test ${Date.now()}` });
  const aliceInternal = await internal(aliceAuth0, household);
  const { code } = await api("POST", `/api/households/${household}/invitations`, aliceInternal, { role: "viewer" });
  await api("POST", "/api/invitations/redeem", bobAuth0, { code });
  await api("POST", `/api/households/${household}/join-requests/${encodeURIComponent("auth0|bob")}/approve`, aliceInternal);

  // Bob, a viewer, sees the members but none of the owner's controls, and leaves.
  const { context, page } = await fixturePage(browser);
  await mountElement(page, { household, token: bobAuth0 });
  await waitForEvent(page, "household-mfe-ready");
  await page.locator("household-mfe").getByRole("button", { name: "Members" }).click();
  await page.waitForFunction(() => window.el.shadowRoot.textContent.includes("auth0|bob (you)"));
  const text = await shadowText(page);
  assert.match(text, /auth0\|alice/);
  assert.doesNotMatch(text, /Invite someone|Join requests/);
  assert.equal(await page.locator("household-mfe select").count(), 0, "no role selects for a viewer");
  await page.locator("household-mfe").getByRole("button", { name: "Leave household" }).click();
  await page.locator("household-mfe").getByRole("alertdialog").getByRole("button", { name: "Leave" }).click();
  await page.waitForFunction(() => window.el.shadowRoot.textContent.includes("Access denied"), null, { timeout: 15000 });
  const error = await waitForEvent(page, "household-mfe-error");
  assert.equal(error.detail.status, 403);
  const members = await api("GET", `/api/households/${household}/members`, aliceInternal);
  assert.deepEqual(members.members.map((m) => m.sub), ["auth0|alice"]);
  await context.close();

  // Alice, the last owner, cannot: the 409 says why, and she stays in.
  const owner = await fixturePage(browser);
  await mountElement(owner.page, { household, token: aliceAuth0 });
  await waitForEvent(owner.page, "household-mfe-ready");
  await owner.page.locator("household-mfe").getByRole("button", { name: "Members" }).click();
  await owner.page.locator("household-mfe").getByRole("button", { name: "Leave household" }).click();
  await owner.page.locator("household-mfe").getByRole("alertdialog").getByRole("button", { name: "Leave" }).click();
  await owner.page.waitForFunction(() => window.el.shadowRoot.textContent.includes("keeps at least one owner"), null, { timeout: 15000 });
  assert.match(await shadowText(owner.page), /Conflict/);
  assert.doesNotMatch(await shadowText(owner.page), /Access denied/);
  await owner.page.screenshot({ path: `${SHOTS}members-last-owner.png`, fullPage: true });
  await owner.context.close();
});

test("the standalone app creates a household and opens its garage, whose owner the caller is", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${BASE}/mfe/`);
  await page.locator('[data-testid="login"]').click();
  await pickUser(page, "Carol");
  await page.locator('[data-testid="user"]').waitFor();
  await page.getByRole("link", { name: "Create a household" }).click();
  await page.waitForURL(/\/mfe\/households\/new$/);
  // Blank once trimmed: the browser's `required` lets it through, the shared rule does not.
  await page.locator('[data-testid="household-name"]').fill("   ");
  await page.locator('[data-testid="create-household"]').click();
  await page.getByText("The name is required.").waitFor();
  await page.locator('[data-testid="household-name"]').fill(`Standalone test ${Date.now()}`);
  await page.locator('[data-testid="create-household"]').click();
  await page.waitForURL(/\/mfe\/household\/[0-9a-f-]{36}\/mfe$/);
  await page.getByRole("button", { name: "Members" }).click();
  await page.getByText("auth0|carol (you)").waitFor();
  await page.getByRole("button", { name: "Create invitation code" }).waitFor();
  await context.close();
});
