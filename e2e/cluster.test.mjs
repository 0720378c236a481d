// The production-shaped stack of scripts/cluster (which runs this file): nginx in front of
// two `server serve` replicas that share their rate limits through Redis and reach
// PostgreSQL through PgBouncer. Run by `scripts/cluster test`, not by `node --test tests/`.

import { test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { readFileSync } from "node:fs";
import { HOUSEHOLDS, SHOTS, accessToken, fixturePage, launch, mountElement, waitForEvent } from "./support.mjs";

const BASE = new URL(process.env.CLUSTER_BASE_URL);
const BURST = Number(process.env.CLUSTER_EXCHANGE_BURST);
const REPLICAS = process.env.CLUSTER_REPLICAS.split(" ");

/// POST /exchange without a token from the loopback address `from` (a client of its own to
/// nginx), with a forged X-Forwarded-For that nginx must drop: 401 under the limit, 429 over.
function exchangeFrom(from) {
  return new Promise((resolve, reject) => {
    const request = http.request({
      host: BASE.hostname, port: BASE.port, path: "/exchange", method: "POST", localAddress: from, agent: false,
      headers: { "content-type": "application/json", "x-forwarded-for": "192.0.2.66" },
    }, (response) => {
      response.resume();
      response.on("end", () => resolve({ status: response.statusCode, retryAfter: response.headers["retry-after"] }));
    });
    request.on("error", reject);
    request.end(JSON.stringify({ household_id: HOUSEHOLDS.maple }));
  });
}

test("a client gets one burst across both replicas; another client is limited apart", async () => {
  const started = Date.now();
  let passed = 0;
  let refusal;
  while (!refusal && passed <= 2 * BURST) {
    const answer = await exchangeFrom("127.0.0.11");
    if (answer.status === 429) refusal = answer;
    else { assert.equal(answer.status, 401); passed += 1; }
  }
  const seconds = Math.floor((Date.now() - started) / 1000);
  // Each replica on its own would let a burst through each (2 × BURST); shared, one burst
  // and what the rate (1/s) refilled meanwhile.
  assert.ok(refusal, `no 429 after ${passed} requests`);
  assert.ok(passed >= BURST && passed <= BURST + seconds, `${passed} passed in ${seconds} s`);
  assert.ok(Number(refusal.retryAfter) >= 1, "429 carries Retry-After");

  assert.equal((await exchangeFrom("127.0.0.12")).status, 401, "another client has its own burst");

  // nginx's access log names the replica of each request: both served the first client.
  const upstreams = new Set(readFileSync(process.env.CLUSTER_ACCESS_LOG, "utf8").split("\n")
    .filter((line) => line.startsWith("127.0.0.11 ") && line.includes("/exchange"))
    .map((line) => line.split(" ").at(-2)));
  assert.deepEqual([...upstreams].sort(), [...REPLICAS].sort());
});

test("nginx's access log keeps no query string: a code in a link stays out of it", async () => {
  const secret = `code-${Date.now()}`;
  const response = await fetch(new URL(`/join?code=${secret}`, BASE));
  await response.arrayBuffer();
  const lines = readFileSync(process.env.CLUSTER_ACCESS_LOG, "utf8").split("\n");
  assert.ok(lines.some((line) => line.includes('"GET /join"')), "the request is logged, by its path");
  assert.ok(!lines.some((line) => line.includes(secret)), "the code is not in the log");
});

test("the element loads through nginx and shows the household from PostgreSQL via PgBouncer", async () => {
  // A callback the issuer accepts: `server dev`'s own (its host page's).
  const token = await accessToken("auth0|alice", process.env.CLUSTER_CALLBACK);
  assert.ok(token, "the development issuer minted an access token");
  const browser = await launch();
  try {
    const { context, page, exchanges } = await fixturePage(browser);
    await mountElement(page, { household: HOUSEHOLDS.maple, token });
    await waitForEvent(page, "household-mfe-ready");
    await page.waitForFunction(() => window.el.shadowRoot.textContent.includes("Family Wagon"), null, { timeout: 15000 });
    assert.equal(exchanges.length, 1, "one exchange through nginx");
    await page.screenshot({ path: `${SHOTS}cluster-element.png`, fullPage: true });
    await context.close();
  } finally {
    await browser.close();
  }
});
