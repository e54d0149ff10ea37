// Bundles the extension and vscode-languageclient into dist/extension.js (esbuild), so the
// VSIX needs no node_modules. `--dev` keeps it readable and adds a source map.
import * as esbuild from "esbuild";
import { fileURLToPath } from "node:url";
import * as path from "node:path";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const dev = process.argv.includes("--dev");

await esbuild.build({
  absWorkingDir: root,
  entryPoints: ["src/extension.ts"],
  outfile: "dist/extension.js",
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20", // VS Code 1.91 runs extensions on Electron 29 / Node 20
  external: ["vscode"],
  minify: !dev,
  sourcemap: dev,
  logLevel: "warning",
});
