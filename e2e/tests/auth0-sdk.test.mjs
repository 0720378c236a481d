// @auth0/auth0-spa-js 2.x from npm, unchanged, against `server dev`'s development issuer,
// in a host on another origin (hosts/spa-host.js): loginWithRedirect, handleRedirectCallback,
// getTokenSilently both ways the SDK renews (a hidden iframe with prompt=none and
// response_mode=web_message by default; the rotating refresh-token grant with
// useRefreshTokens), and logout. Each token it gets passes the API's /exchange.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, HOUSEHOLDS, launch } from "../support.mjs";
import { issuer, spaHost, tokenRequests } from "../sdk-host.mjs";

// Another origin on the issuer's site (127.0.0.1, another port): the issuer's session cookie
// reaches the hidden iframe, as Auth0's reaches an app on the tenant's custom domain.
const SITE = process.env.E2E_SITE_ORIGIN;
// Another site (localhost): only refresh tokens renew there (the iframe's cookie is third-party).
const HOST = process.env.E2E_HOST_ORIGIN;

let browser;
let server;
before(async () => {
  assert.ok(SITE && HOST, "E2E_SITE_ORIGIN, E2E_HOST_ORIGIN: scripts/lib.sh start_dev_stack sets them");
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await stopHost();
});

async function stopHost() {
  if (!server) return;
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  server = undefined;
}

/// The host on `origin` (the previous one stopped), signing in on arrival.
async function host(origin, config) {
  await stopHost();
  server = await spaHost(origin, { config: { signInOnArrival: true, ...config } });
}

/// Opens the host, which sends the browser to the issuer; picks Alice; waits for the host.
async function signIn(page, origin) {
  await page.goto(`${origin}/`);
  await page.waitForURL(/\/authorize\?/);
  await page.getByRole("link", { name: /Alice/ }).click();
  await page.waitForURL(`${origin}/`);
  await page.waitForFunction(() => window.hostReady);
}

/// The /authorize requests of `context`, the iframe's among them.
function authorizeRequests(context) {
  const seen = [];
  context.on("request", (r) => {
    const url = new URL(r.url());
    if (url.pathname === "/authorize") seen.push(url.searchParams);
  });
  return seen;
}

async function exchangeStatus(accessToken) {
  const response = await fetch(`${BASE}/exchange`, {
    method: "POST",
    headers: { authorization: `Bearer ${accessToken}`, "content-type": "application/json" },
    body: JSON.stringify({ household_id: HOUSEHOLDS.maple }),
  });
  return response.status;
}

test("with its defaults it signs in by redirect, renews silently in a hidden iframe by web message, and signs out", async () => {
  await host(SITE, {});
  const context = await browser.newContext();
  const page = await context.newPage();
  const tokens = tokenRequests(context);
  const authorizes = authorizeRequests(context);

  await signIn(page, SITE);
  const user = await page.evaluate(() => window.auth0.getUser());
  assert.equal(user.sub, "auth0|alice");
  assert.deepEqual(tokens.map((t) => t.grant), ["authorization_code"]);
  assert.ok(tokens[0].client, "the SDK's Auth0-Client header went through the issuer's CORS");
  assert.equal(await exchangeStatus(await page.evaluate(() => window.auth0.getTokenSilently())), 200);

  const renewed = await page.evaluate(() => window.auth0.getTokenSilently({ cacheMode: "off" }));
  const silent = authorizes.at(-1);
  assert.equal(silent.get("prompt"), "none");
  assert.equal(silent.get("response_mode"), "web_message");
  assert.deepEqual(tokens.map((t) => t.grant), ["authorization_code", "authorization_code"]);
  assert.equal(await exchangeStatus(renewed), 200);

  // Signing out ends the issuer's session too: arriving again shows the user picker.
  await page.click("#sign-out");
  await page.waitForURL(/\/authorize\?/);
  await page.getByRole("link", { name: /Alice/ }).waitFor();
  await context.close();
});

/// Alice signed in on HOST with refresh tokens (`options` beyond `useRefreshTokens`).
/// `renewTwice()` renews twice by the refresh-token grant, never by the iframe (its cookie is
/// third-party here), each token passing /exchange, the SDK's Auth0-Client header on each.
async function withRefreshTokens(options) {
  await host(HOST, { options: { useRefreshTokens: true, ...options } });
  const context = await browser.newContext();
  const page = await context.newPage();
  const tokens = tokenRequests(context);
  const authorizes = authorizeRequests(context);
  await signIn(page, HOST);
  const signedIn = authorizes.length;
  const renewTwice = async () => {
    for (let i = 0; i < 2; i++) {
      const renewed = await page.evaluate(() => window.auth0.getTokenSilently({ cacheMode: "off" }));
      assert.equal(await exchangeStatus(renewed), 200);
    }
    assert.equal(authorizes.length, signedIn, "no /authorize: no iframe");
    assert.deepEqual(tokens.map((t) => t.grant), ["authorization_code", "refresh_token", "refresh_token"]);
    assert.ok(tokens.every((t) => t.client), "the SDK's Auth0-Client header on every grant");
  };
  return { context, page, renewTwice };
}

// With refresh tokens and its default memory cache, the SDK keeps the refresh token in a web
// worker, which sends only to `<issuer origin>/oauth/token` and `/oauth/revoke`: the
// development issuer has its own origin, as an Auth0 tenant has, so the worker reaches it.
test("with useRefreshTokens and its default memory cache, its web worker renews through the refresh-token grant and revokes the token", async () => {
  const { context, page, renewTwice } = await withRefreshTokens({});
  assert.equal(await page.evaluate(() => localStorage.length), 0, "nothing in localStorage");
  await renewTwice();

  // The worker revokes the refresh token it holds at the issuer; the next renewal has none.
  const { domain } = await issuer();
  const revoked = context.waitForEvent("response", (r) => r.url() === `${domain}/oauth/revoke`);
  await page.evaluate(() => window.auth0.revokeRefreshToken());
  assert.equal((await revoked).status(), 200, "the issuer took the revocation");
  const next = await page.evaluate(() => window.auth0.getTokenSilently({ cacheMode: "off" })
    .then(() => null, (e) => e.error ?? e.message));
  assert.ok(next, "no renewal after the revocation");
  await context.close();
});

// The same grant with the cache (refresh token included) in localStorage, where a test can
// read the token and replay it. `max_age` makes the SDK check each ID token's `auth_time` too.
test("with useRefreshTokens it renews through the rotating refresh-token grant, with no iframe; a replayed refresh token ends its session", async () => {
  const { context, page, renewTwice } = await withRefreshTokens({
    cacheLocation: "localstorage", authorizationParams: { max_age: 3600 },
  });
  // localStorage holds the SDK's cache entry, refresh token included.
  const stored = () => page.evaluate(() => Object.keys(localStorage)
    .map((k) => JSON.parse(localStorage.getItem(k))?.body?.refresh_token).find(Boolean));
  const first = await stored();
  assert.ok(first, "a refresh token after sign-in");
  await renewTwice();
  const current = await stored();
  assert.ok(current && current !== first, "rotated");

  // Someone replays the first one: refused, and the family with it.
  const { domain, clientId } = await issuer();
  const replay = await fetch(`${domain}/oauth/token`, {
    method: "POST",
    body: new URLSearchParams({ grant_type: "refresh_token", client_id: clientId, refresh_token: first }),
  });
  assert.equal(replay.status, 400);
  assert.equal((await replay.json()).error, "invalid_grant");
  const next = await page.evaluate(() => window.auth0.getTokenSilently({ cacheMode: "off" })
    .then(() => null, (e) => ({ error: e.error, message: e.message })));
  assert.equal(next?.error, "invalid_grant");
  assert.match(next.message, /invalid refresh token/);
  await context.close();
});
