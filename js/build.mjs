// Bundles every widget front end in js/ (a .ts file whose name does not start with "_") into one
// self-contained ES module in jupytorch/notebook/static/, which the Python widget loads as `_esm`.
// `node build.mjs --watch` rebuilds on change.
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const outdir = join(here, "..", "jupytorch", "notebook", "static");
const entryPoints = readdirSync(here)
  .filter((name) => name.endsWith(".ts") && !name.startsWith("_") && !name.endsWith(".d.ts") && !name.includes(".config."))
  .map((name) => join(here, name));

const options = {
  entryPoints,
  outdir,
  bundle: true,
  format: "esm",
  target: "es2020",
  minify: true,
  legalComments: "eof",
  loader: { ".css": "text" },
  logLevel: "info",
};

if (process.argv.includes("--watch")) {
  const ctx = await esbuild.context(options);
  await ctx.watch();
} else {
  await esbuild.build(options);
}
