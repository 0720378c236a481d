// Hosts on their own origins that sign in with auth0-spa-js against `server dev`'s issuer:
// hosts/spa-host.js bundled once by esbuild (the page allows no inline script), served by a
// tiny node server with its /config.json and an optional CSP.

import { createServer } from "node:http";
import { build } from "esbuild";
import { BASE } from "./support.mjs";

let bundle;

/** The issuer and client as the API's /config.json names them, in auth0-spa-js's terms. */
export async function issuer() {
  const served = await (await fetch(`${BASE}/config.json`)).json();
  // An http issuer must be given with its scheme: auth0-spa-js prefixes bare domains with https.
  return { domain: served.issuer.replace(/\/$/, ""), clientId: served.client_id, audience: served.audience };
}

/**
 * Serves the host on `origin` (`http://<host>:<port>`): `config` completes the issuer's
 * settings, `csp` is the page's Content-Security-Policy (none if unset). Resolves to the
 * node server.
 */
export async function spaHost(origin, { config = {}, csp } = {}) {
  bundle ??= (await build({
    entryPoints: [new URL("./hosts/spa-host.js", import.meta.url).pathname],
    bundle: true, format: "esm", target: "es2022", write: false, logLevel: "warning",
  })).outputFiles[0].contents;
  const settings = JSON.stringify({ api: BASE, ...(await issuer()), ...config });
  const page = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>SDK host</title>
    <script type="module" src="/host.js"></script></head>
    <body><button id="sign-out" type="button">Sign out</button><main></main></body></html>`;
  const files = {
    "/host.js": ["text/javascript", bundle],
    "/config.json": ["application/json", settings],
  };
  const server = createServer((req, res) => {
    const [type, body] = files[new URL(req.url, origin).pathname] ?? ["text/html", page];
    const headers = { "content-type": type, "cache-control": "no-store" };
    if (type === "text/html" && csp) headers["content-security-policy"] = csp;
    res.writeHead(200, headers);
    res.end(body);
  });
  const { port } = new URL(origin);
  return new Promise((resolve) => server.listen(Number(port), "127.0.0.1", () => resolve(server)));
}

/** Records CSP violations from before the page's first script into `window.violations`. */
export async function recordViolations(page) {
  await page.addInitScript(() => {
    window.violations = [];
    document.addEventListener("securitypolicyviolation", (e) =>
      window.violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
}

/** The token endpoint's requests (grant type and the Auth0-Client header) made in `context`. */
export function tokenRequests(context) {
  const seen = [];
  context.on("request", (r) => {
    if (new URL(r.url()).pathname.endsWith("/oauth/token") && r.method() === "POST") {
      seen.push({ grant: new URLSearchParams(r.postData() ?? "").get("grant_type"), client: r.headers()["auth0-client"] ?? null });
    }
  });
  return seen;
}
