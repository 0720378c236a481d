// Finishes dist/ for serving to the world (called by build_mfe in scripts/lib.sh):
// 1. names every file an entry point loads after its content (`<stem>-<16 hex>.<ext>`: the
//    wasm, the snippets, the standalone page's JS) and rewrites the references to them, so
//    the server caches those for a year while the entry points hosts pin (mfe.js,
//    index.html) stay `no-cache` and a release reaches every host without a purge;
// 2. puts the element's snippets into mfe.js (one fetch fewer before the wasm) and moves the
//    standalone page's inline loader script into a file, so its CSP needs no
//    'unsafe-inline' and no hash, and recomputes the page's subresource integrity;
// 3. writes brotli (.br) and gzip (.gz) variants of every text and wasm file, which the
//    server sends by Accept-Encoding.
//   node scripts/finish-bundle.mjs <dist>

import { createHash } from "node:crypto";
import { readFileSync, writeFileSync, renameSync, readdirSync, statSync } from "node:fs";
import { join, relative, dirname, basename, extname } from "node:path";
import { execFileSync } from "node:child_process";
import { brotliCompressSync, constants } from "node:zlib";

const dist = process.argv[2];
if (!dist) throw new Error("usage: node scripts/finish-bundle.mjs <dist>");

const files = (dir) => readdirSync(dir).flatMap((name) => {
  const path = join(dir, name);
  return statSync(path).isDirectory() ? files(path) : [path];
});
const read = (name) => readFileSync(join(dist, name), "utf8");
const write = (name, text) => writeFileSync(join(dist, name), text);
const digest = (bytes, algorithm = "sha256") => createHash(algorithm).update(bytes);

// Replaces every occurrence of `from` in `name`; the reference must be there.
function rewrite(name, from, to) {
  const text = read(name);
  if (!text.includes(from)) throw new Error(`${name} does not reference ${from}`);
  write(name, text.split(from).join(to));
}

// Renames `name` (a path relative to dist/) after its content; returns the new name.
function contentName(name) {
  const ext = extname(name);
  const hash = digest(readFileSync(join(dist, name))).digest("hex").slice(0, 16);
  const renamed = join(dirname(name), `${basename(name, ext)}-${hash}${ext}`);
  renameSync(join(dist, name), join(dist, renamed));
  return renamed;
}

// The element's snippets go into mfe.js itself: a module it imports is one more fetch in
// series before its wasm is even asked for (the first render's trace, `scripts/budget`).
// A snippet is one exported function (`export function name(`); the import becomes a
// binding to it.
for (const match of read("mfe.js").matchAll(/import\{(\w+) as (\w+)\}from"\.\/(snippets\/[^"]+\.js)";/g)) {
  const [statement, exported, local, name] = match;
  const code = read(name);
  if (!code.includes(`export function ${exported}(`)) throw new Error(`${name}: expected \`export function ${exported}(\``);
  rewrite("mfe.js", statement, `${code.replace(`export function ${exported}(`, `function ${exported}(`)}\nconst ${local}=${exported};`);
}
// Snippets first: the glue imports them, and hashing the glue must see the final names.
for (const path of files(join(dist, "snippets"))) {
  const name = relative(dist, path);
  const renamed = contentName(name);
  rewrite("standalone.js", name, renamed);
  rewrite("index.html", `/mfe/${name}`, `/mfe/${renamed}`);
}
// The element bundle: mfe.js stays the stable entry; `init()` without an argument loads the
// wasm by its relative URL, now content-named.
rewrite("mfe.js", "mfe_bg.wasm", contentName("mfe_bg.wasm"));
// The standalone page: the wasm, then the glue that names it, then the page.
const standaloneWasm = contentName("standalone_bg.wasm");
rewrite("standalone.js", "standalone_bg.wasm", standaloneWasm);
rewrite("index.html", "/mfe/standalone_bg.wasm", `/mfe/${standaloneWasm}`);
rewrite("index.html", "/mfe/standalone.js", `/mfe/${contentName("standalone.js")}`);

let page = read("index.html");
const inline = [...page.matchAll(/<script type="module">([\s\S]*?)<\/script>/g)];
if (inline.length !== 1) throw new Error(`index.html: expected one inline loader script, found ${inline.length}`);
write("standalone-boot.js", inline[0][1].trim() + "\n");
const boot = contentName("standalone-boot.js");
page = page.replace(inline[0][0], `<script type="module" src="/mfe/${boot}"></script>`);
// trunk's integrity attributes name the files' old content.
page = page.replace(/href="\/mfe\/([^"]+)"([^>]*?)integrity="sha384-[^"]*"/g, (_, name, between) =>
  `href="/mfe/${name}"${between}integrity="sha384-${digest(readFileSync(join(dist, name)), "sha384").digest("base64")}"`);
write("index.html", page);

const compressible = new Set([".js", ".wasm", ".html", ".ts", ".css", ".json", ".svg"]);
for (const path of files(dist)) {
  if (!compressible.has(extname(path))) continue;
  const bytes = readFileSync(path);
  writeFileSync(`${path}.br`, brotliCompressSync(bytes, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
  }));
  // GNU gzip -9 rather than node's zlib at level 9: about 1 KB (0.7 %) smaller on the
  // element's wasm (measured), and gzip is on every Debian machine. -n: no name or time in
  // the header, so a rebuild of the same bytes gives the same file.
  writeFileSync(`${path}.gz`, execFileSync("gzip", ["-9", "-n", "-c"], { input: bytes, maxBuffer: 1 << 30 }));
}
