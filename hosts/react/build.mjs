// Builds the host into dist/: the page, its style sheet and the app bundle (esbuild).

import { build } from "esbuild";
import { copyFileSync, mkdirSync, rmSync } from "node:fs";

const here = new URL(".", import.meta.url).pathname;
const dist = `${here}dist/`;
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist);
await build({
  entryPoints: [`${here}src/main.tsx`],
  outfile: `${dist}app.js`,
  bundle: true,
  format: "esm",
  target: "es2022",
  minify: true,
  sourcemap: true,
  jsx: "automatic",
  define: { "process.env.NODE_ENV": '"production"' },
  logLevel: "warning",
});
copyFileSync(`${here}index.html`, `${dist}index.html`);
copyFileSync(`${here}app.css`, `${dist}app.css`);
