// Serves the built host (dist/) on its own origin as any static host would: the files,
// index.html for every other path (the app routes in the browser), /config.json from the
// environment, and a strict CSP (no inline script, no eval, no blob: worker).
//
//   HOUSEHOLD_API=http://127.0.0.1:8080 PORT=5173 node serve.mjs
//
// AUTH0_DOMAIN, AUTH0_CLIENT_ID and AUTH0_AUDIENCE default to what the API's /config.json
// names, which under `server dev` is its development issuer.

import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import { pathToFileURL } from "node:url";

const DIST = new URL("./dist/", import.meta.url);
const TYPES = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".map": "application/json" };

/** The host's settings from `env`, completed from the API's /config.json. */
export async function hostConfig(env = process.env) {
  const api = env.HOUSEHOLD_API ?? "http://127.0.0.1:8080";
  let { AUTH0_DOMAIN: domain, AUTH0_CLIENT_ID: clientId, AUTH0_AUDIENCE: audience } = env;
  if (!domain || !clientId || !audience) {
    const served = await (await fetch(`${api}/config.json`)).json();
    domain ??= served.issuer.replace(/\/$/, "");
    clientId ??= served.client_id;
    audience ??= served.audience;
  }
  return { api, domain, clientId, audience };
}

/** Listens on `port` of `host`; resolves to the server once it listens. */
export function serve({ port, host = "127.0.0.1", config }) {
  const issuer = new URL(/^https?:\/\//.test(config.domain) ? config.domain : `https://${config.domain}`).origin;
  const csp = [
    "default-src 'self'",
    `script-src 'self' ${config.api} 'wasm-unsafe-eval'`,
    `connect-src 'self' ${config.api} ${issuer}`,
    "style-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
  const server = createServer(async (req, res) => {
    const path = new URL(req.url, "http://host").pathname;
    if (path === "/config.json") {
      res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" });
      return res.end(JSON.stringify(config));
    }
    const type = TYPES[extname(path)];
    const file = type && !path.includes("..") ? path.slice(1) : "index.html";
    try {
      const body = await readFile(new URL(file, DIST));
      res.writeHead(200, {
        "content-type": TYPES[extname(file)],
        "content-security-policy": csp,
        "x-content-type-options": "nosniff",
        "cache-control": "no-cache",
      });
      res.end(body);
    } catch {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end(`${path}: not found (build the host first: node build.mjs)`);
    }
  });
  return new Promise((resolve) => server.listen(port, host, () => resolve(server)));
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const port = Number(process.env.PORT ?? 5173);
  const server = await serve({ port, config: await hostConfig() });
  console.log(`React host on http://localhost:${server.address().port}/ (API ${process.env.HOUSEHOLD_API ?? "http://127.0.0.1:8080"})`);
}
