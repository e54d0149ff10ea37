// package.json as the tests see it.
import * as fs from "node:fs";
import * as path from "node:path";

export interface Manifest {
  contributes: {
    languages: { id: string }[];
    configuration: { properties: Record<string, { default?: unknown; scope?: string }> };
    commands: { command: string }[];
  };
  activationEvents: string[];
  engines: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}

// out/test/manifest.js -> ../../package.json
const MANIFEST = path.resolve(__dirname, "..", "..", "package.json");

export function manifest(): Manifest {
  return JSON.parse(fs.readFileSync(MANIFEST, "utf8")) as Manifest;
}

/** The `layerlint` section as VS Code hands it out when nothing is set: every default. */
export function manifestDefaults(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(manifest().contributes.configuration.properties)) {
    const name = key.replace(/^layerlint\./, "");
    const parts = name.split(".");
    if (parts.length === 1) out[name] = schema.default;
    else out[parts[0]] = { ...(out[parts[0]] as object | undefined), [parts[1]]: schema.default };
  }
  return out;
}
