// Accessibility of the element: axe-core (from npm) inside its shadow root finds no serious
// or critical violation in either theme, with the list, the fuel logs and a form open; and
// a keyboard alone reaches every control with Tab and works them with Enter and Space.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { HOUSEHOLDS, launch, accessToken, fixturePage, mountElement, waitForEvent } from "../support.mjs";

const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

let browser;
let alice;
before(async () => {
  browser = await launch();
  alice = await accessToken("auth0|alice");
});
after(async () => browser?.close());

async function garage(theme = "light") {
  const fixture = await fixturePage(browser);
  await fixture.page.addScriptTag({ path: AXE });
  await mountElement(fixture.page, { household: HOUSEHOLDS.maple, token: alice, attrs: { theme } });
  // Where keyboard walks start: the host's control just before the element.
  await fixture.page.evaluate(() => {
    const start = Object.assign(document.createElement("button"), { id: "start", textContent: "Host" });
    document.getElementById("slot").before(start);
  });
  await waitForEvent(fixture.page, "household-mfe-ready");
  await fixture.page.waitForFunction(() => window.el.shadowRoot.textContent.includes("Family Wagon"));
  return fixture;
}

/// Serious and critical violations axe finds in the element (its shadow tree included).
async function serious(page) {
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(window.el, { resultTypes: ["violations"] });
    return result.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map((n) => `${n.target.flat().join(" >> ")}: ${n.failureSummary}`),
    }));
  });
  return violations.filter((v) => v.impact === "serious" || v.impact === "critical");
}

/// Clicks the shadow root's button named `name` (exactly).
const press = (page, name) => page.locator("household-mfe").getByRole("button", { name, exact: true }).first().click();

for (const theme of ["light", "dark"]) {
  test(`axe finds no serious or critical violation in the ${theme} theme`, async () => {
    const { context, page } = await garage(theme);
    assert.deepEqual(await serious(page), [], "the list and the summary");
    await press(page, "Fuel logs");
    await page.locator("household-mfe").getByRole("table").first().waitFor();
    await press(page, "Add vehicle");
    await page.locator("household-mfe").getByRole("textbox", { name: "Name" }).waitFor();
    assert.deepEqual(await serious(page), [], "fuel logs and the vehicle form open");
    await context.close();
  });
}

/// The element's controls a keyboard must reach: enabled, rendered, in the shadow root.
const controls = (page) => page.evaluate(() => [...window.el.shadowRoot.querySelectorAll(
  "button, input, select, textarea, a[href], [tabindex]:not([tabindex='-1'])")]
  .filter((c) => !c.disabled && c.getClientRects().length > 0)
  .map((c) => c.outerHTML.slice(0, 120)));

/// Tabs from the host's control before the element until focus leaves the element; what
/// was focused in it.
async function tabThrough(page) {
  await page.focus("#start");
  const reached = [];
  for (let i = 0; i < 200; i++) {
    await page.keyboard.press("Tab");
    const focused = await page.evaluate(() => {
      const inner = document.activeElement === window.el ? window.el.shadowRoot.activeElement : null;
      return inner ? inner.outerHTML.slice(0, 120) : null;
    });
    if (focused === null && reached.length > 0) break;
    if (focused !== null) reached.push(focused);
  }
  return reached;
}

/// Tabs from the host's control before the element until the focused control's text is `name`.
async function tabTo(page, name) {
  await page.focus("#start");
  for (let i = 0; i < 200; i++) {
    await page.keyboard.press("Tab");
    const text = await page.evaluate(() => {
      const f = window.el.shadowRoot.activeElement;
      return f ? (f.getAttribute("aria-label") ?? f.textContent).trim() : "";
    });
    if (text === name) return;
  }
  assert.fail(`no control named ${name} reached by Tab`);
}

test("every control is reached by Tab and works with Enter and Space", async () => {
  const { context, page } = await garage();
  const el = page.locator("household-mfe");
  assert.deepEqual(await tabThrough(page), await controls(page), "the list's controls, in order");

  // Space opens a vehicle's fuel logs; Enter closes them.
  await tabTo(page, "Fuel logs");
  await page.keyboard.press(" ");
  await el.getByRole("button", { name: "Hide fuel logs" }).first().waitFor();
  assert.deepEqual(await tabThrough(page), await controls(page), "with the fuel logs open");
  await tabTo(page, "Hide fuel logs");
  await page.keyboard.press("Enter");
  await el.getByRole("button", { name: "Fuel logs", exact: true }).first().waitFor();

  // Enter opens the vehicle form; typing and Enter save; Space deletes it again.
  await tabTo(page, "Add vehicle");
  await page.keyboard.press("Enter");
  const name = el.getByRole("textbox", { name: "Name" });
  await name.waitFor();
  assert.deepEqual(await tabThrough(page), await controls(page), "with the form open");
  await name.focus();
  const car = `Keyboard Car ${Date.now()}`;
  await page.keyboard.type(car);
  await page.keyboard.press("Enter");
  const card = el.locator("li.hh-card").filter({ hasText: car });
  await card.waitFor();
  await card.getByRole("button", { name: "Delete" }).focus();
  await page.keyboard.press(" ");
  const confirm = card.getByRole("alertdialog");
  await confirm.getByRole("button", { name: "Delete" }).focus();
  await page.keyboard.press(" ");
  await card.waitFor({ state: "detached" });
  await context.close();
});
