// The settings -> server mapping: what the server receives in initializationOptions and in
// answers to workspace/configuration, and what the launcher reads.
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as path from "node:path";
import {
  SERVER_SETTING_KEYS,
  expandVariables,
  initializationOptions,
  launchSettings,
  toServerSettings,
} from "../src/settings";
import { manifestDefaults } from "./manifest";

const folder = path.resolve("/work/project");
const ctx = { workspaceFolder: folder, userHome: "/home/ann", env: { VENV: "/opt/venv" } };

test("the manifest defaults map to the server's own defaults; unset select/shellcheck/configPath are left out", () => {
  // (tests/test_vscode_extension.py feeds this to the server's Settings.from_json and compares
  // with its defaults)
  assert.deepEqual(initializationOptions(manifestDefaults(), ctx), {
    settings: { enable: true, extendSelect: [], ignore: [], severity: {}, debounceMs: 150 },
  });
});

test("user values reach the server under the camelCase keys it reads", () => {
  const raw = {
    ...manifestDefaults(),
    enable: false,
    select: ["DL3008", "security"],
    extendSelect: ["LL2"],
    ignore: ["DL3059"],
    severity: { DL3008: "error", LL2001: "off" },
    shellcheck: true,
    debounceMs: 300,
    configPath: "/etc/layerlint.toml",
  };
  assert.deepEqual(initializationOptions(raw, ctx), {
    settings: {
      enable: false,
      select: ["DL3008", "security"],
      extendSelect: ["LL2"],
      ignore: ["DL3059"],
      severity: { DL3008: "error", LL2001: "off" },
      shellcheck: true,
      debounceMs: 300,
      configPath: "/etc/layerlint.toml",
    },
  });
});

test("client-only keys (interpreter, path, args, trace) never reach the server", () => {
  const raw = { interpreter: ["python3"], path: ["layerlint"], args: ["-v"], trace: { server: "verbose" }, ignore: ["X"] };
  assert.deepEqual(toServerSettings(raw, ctx), { ignore: ["X"] });
  const everything = toServerSettings({ ...manifestDefaults(), select: ["A"], shellcheck: true, configPath: "/c" }, ctx);
  assert.deepEqual(Object.keys(everything).sort(), [...SERVER_SETTING_KEYS].sort());
});

test("an empty select means 'the configuration's selection', not 'no rules'", () => {
  assert.equal("select" in toServerSettings({ select: [] }, ctx), false);
  assert.deepEqual(toServerSettings({ select: ["DL3008"] }, ctx), { select: ["DL3008"] });
  // empty extendSelect / ignore / severity are harmless and passed on as they are
  assert.deepEqual(toServerSettings({ ignore: [], severity: {} }, ctx), { ignore: [], severity: {} });
});

test("null shellcheck keeps the project configuration's choice; booleans are passed on", () => {
  assert.deepEqual(toServerSettings({ shellcheck: null }, ctx), {});
  assert.deepEqual(toServerSettings({ shellcheck: false }, ctx), { shellcheck: false });
});

test("configPath: variables expanded, relative paths resolved against the folder, empty dropped", () => {
  assert.deepEqual(toServerSettings({ configPath: "" }, ctx), {});
  assert.deepEqual(toServerSettings({ configPath: "   " }, ctx), {});
  assert.deepEqual(toServerSettings({ configPath: "ci/layerlint.toml" }, ctx), {
    configPath: path.join(folder, "ci", "layerlint.toml"),
  });
  assert.deepEqual(toServerSettings({ configPath: "${workspaceFolder}/.layerlint.toml" }, ctx), {
    configPath: `${folder}/.layerlint.toml`,
  });
  assert.deepEqual(toServerSettings({ configPath: "~/layerlint.toml" }, ctx), { configPath: "/home/ann/layerlint.toml" });
  // without a folder a relative path is left for the server to report
  assert.deepEqual(toServerSettings({ configPath: "rel.toml" }, { userHome: "/h" }), { configPath: "rel.toml" });
});

test("values of the wrong type are passed on for the server to report (it names the setting)", () => {
  assert.deepEqual(toServerSettings({ select: "DL3008", debounceMs: "fast" }, ctx), {
    select: "DL3008",
    debounceMs: "fast",
  });
});

test("non-object sections give empty settings", () => {
  for (const raw of [undefined, null, 3, "x", ["enable"]]) {
    assert.deepEqual(toServerSettings(raw, ctx), {});
  }
});

test("every key the server reads is a contributed setting", () => {
  const defaults = manifestDefaults();
  for (const key of SERVER_SETTING_KEYS) assert.ok(key in defaults, `layerlint.${key} is not in package.json`);
});

test("expandVariables: workspaceFolder, userHome, env, ~; unknown folder left visible", () => {
  assert.equal(expandVariables("${workspaceFolder}/.venv/bin/python", ctx), `${folder}/.venv/bin/python`);
  assert.equal(expandVariables("${userHome}/x", ctx), "/home/ann/x");
  assert.equal(expandVariables("${env:VENV}/bin/python", ctx), "/opt/venv/bin/python");
  assert.equal(expandVariables("${env:MISSING}x", ctx), "x");
  assert.equal(expandVariables("~", ctx), "/home/ann");
  assert.equal(expandVariables("a~b", ctx), "a~b");
  assert.equal(expandVariables("${workspaceFolder}/p", { userHome: "/h" }), "${workspaceFolder}/p");
});

test("launchSettings: executable paths expanded and resolved, bare names kept for PATH, args as they are", () => {
  assert.deepEqual(
    launchSettings({ interpreter: ["${workspaceFolder}/.venv/bin/python", "-X", "utf8"], args: ["--tcp"] }, ctx),
    { path: [], interpreter: [`${folder}/.venv/bin/python`, "-X", "utf8"], args: ["--tcp"] },
  );
  assert.deepEqual(launchSettings({ interpreter: [".venv/bin/python"] }, ctx).interpreter, [
    path.join(folder, ".venv", "bin", "python"),
  ]);
  assert.deepEqual(launchSettings({ path: ["uvx", "layerlint"] }, ctx).path, ["uvx", "layerlint"]);
  assert.deepEqual(launchSettings({ path: "~/.local/bin/layerlint" }, ctx).path, ["/home/ann/.local/bin/layerlint"]);
  assert.deepEqual(launchSettings({ path: ["", "  "], interpreter: 7, args: [1, "x"] }, ctx), {
    path: [],
    interpreter: [],
    args: ["x"],
  });
  assert.deepEqual(launchSettings(undefined, ctx), { path: [], interpreter: [], args: [] });
});
