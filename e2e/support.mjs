// Shared by the browser tests: the running stack, a Chromium, and sign-in helpers.
// The stack is `server dev` started by scripts/test (E2E_BASE_URL); the browser is
// Debian's /usr/bin/chromium driven by playwright-core.

import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";

export const BASE = process.env.E2E_BASE_URL ?? "http://127.0.0.1:8080";
export const SHOTS = new URL("../target/e2e/", import.meta.url).pathname;
mkdirSync(SHOTS, { recursive: true });

export const HOUSEHOLDS = {
  maple: "11111111-1111-4111-8111-111111111111", // Alice owner, Bob member
  lakeside: "22222222-2222-4222-8222-222222222222", // Bob owner, Carol member, Alice viewer
  harbour: "33333333-3333-4333-8333-333333333333", // Carol owner
};

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
      "--disable-sync", "--no-first-run", "--disable-quic",
    ],
  });
}

/// An Auth0-style access token for `sub`, through the development issuer's real
/// Authorization Code + PKCE flow, driven from node.
export async function accessToken(sub, redirectUri = `${BASE}/callback`) {
  const { createHash, randomBytes } = await import("node:crypto");
  const b64 = (b) => b.toString("base64url");
  const config = await (await fetch(`${BASE}/config.json`)).json();
  const verifier = b64(randomBytes(48));
  const authorize = new URL(`${config.issuer}authorize`);
  authorize.search = new URLSearchParams({
    response_type: "code", client_id: config.client_id, redirect_uri: redirectUri, state: "s", nonce: "n",
    audience: config.audience, code_challenge: b64(createHash("sha256").update(verifier).digest()),
    code_challenge_method: "S256", login_hint: sub, scope: "openid profile email",
  });
  const redirect = await fetch(authorize, { redirect: "manual" });
  const code = new URL(redirect.headers.get("location")).searchParams.get("code");
  const tokens = await (await fetch(`${config.issuer}oauth/token`, {
    method: "POST",
    body: new URLSearchParams({ grant_type: "authorization_code", client_id: config.client_id, code, code_verifier: verifier, redirect_uri: redirectUri }),
  })).json();
  return tokens.access_token;
}

/// A blank page on the stack's origin that loads the bundle, for element tests. Served
/// by intercepting one URL, so the page shares the API's origin without a server route.
export async function fixturePage(browser) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const exchanges = [];
  page.on("request", (r) => { if (new URL(r.url()).pathname === "/exchange") exchanges.push(r); });
  await page.route(`${BASE}/e2e-fixture`, (route) => route.fulfill({
    contentType: "text/html",
    body: `<!doctype html><html><head><meta charset="utf-8"><title>fixture</title></head><body>
      <main id="slot"></main>
      <script type="module">
        import init from "/mfe/mfe.js";
        window.mfeLoaded = init();
      </script></body></html>`,
  }));
  await page.goto(`${BASE}/e2e-fixture`);
  await page.evaluate(() => window.mfeLoaded);
  return { context, page, exchanges };
}

/// Creates <household-mfe> in the fixture page with a token provider for `token`.
export async function mountElement(page, { household, token, attrs = {} }) {
  await page.evaluate(({ household, token, attrs }) => {
    const el = document.createElement("household-mfe");
    window.events = [];
    for (const name of ["household-mfe-ready", "household-mfe-error", "household-mfe-auth-required"]) {
      document.addEventListener(name, (e) => window.events.push({ name, detail: e.detail ?? null, composed: e.composed, bubbles: e.bubbles }));
    }
    if (token !== null) el.accessTokenProvider = () => Promise.resolve(token);
    el.setAttribute("household-id", household);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
    document.getElementById("slot").append(el);
    window.el = el;
  }, { household, token, attrs });
}

export async function waitForEvent(page, name) {
  await page.waitForFunction((name) => window.events?.some((e) => e.name === name), name, { timeout: 15000 });
  return page.evaluate((name) => window.events.find((e) => e.name === name), name);
}

/// Text inside the element's shadow root.
export async function shadowText(page) {
  return page.evaluate(() => window.el?.shadowRoot?.textContent ?? "");
}
