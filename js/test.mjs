// Runs the unit tests in tests/*.test.ts with node's own test runner: esbuild bundles each test
// (with the modules it imports) into node_modules/.cache/jupytorch-tests/, then `node --test`.
import { spawnSync } from "node:child_process";
import { readdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const outdir = join(here, "node_modules", ".cache", "jupytorch-tests");
const tests = readdirSync(join(here, "tests")).filter((name) => name.endsWith(".test.ts"));

rmSync(outdir, { recursive: true, force: true });
await esbuild.build({
  entryPoints: tests.map((name) => join(here, "tests", name)),
  outdir,
  outExtension: { ".js": ".mjs" },
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node18",
  loader: { ".css": "text" },
  logLevel: "warning",
});
const files = tests.map((name) => join(outdir, name.replace(/\.ts$/, ".mjs")));
const run = spawnSync(process.execPath, ["--test", "--test-reporter=spec", ...files], { stdio: "inherit" });
process.exit(run.status ?? 1);
