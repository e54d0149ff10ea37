// The `layerlint.*` settings, as the server and the launcher need them.
//
// VS Code hands out every key of the section, defaults included; the server (see
// lint/server/settings.py) treats a missing key as "keep the default" and validates the
// types itself, reporting bad values in its log. So the mapping here only drops the
// client-only keys and the "empty means unset" values, and expands variables in paths.
// No `vscode` import: this module is unit-tested with plain node.

import * as os from "node:os";
import * as path from "node:path";

/** The keys the server reads, in the camelCase spelling it expects. */
export const SERVER_SETTING_KEYS = [
  "enable",
  "configPath",
  "select",
  "extendSelect",
  "ignore",
  "severity",
  "shellcheck",
  "debounceMs",
] as const;

/** Settings that decide how the server process is started: a change restarts it. */
export const LAUNCH_SETTING_KEYS = ["path", "interpreter", "args", "enable"] as const;

export type ServerSettings = Partial<Record<(typeof SERVER_SETTING_KEYS)[number], unknown>>;

/** What `${...}` variables and relative paths refer to. */
export interface VariableContext {
  /** File-system path of the workspace folder the settings belong to, if any. */
  workspaceFolder?: string;
  userHome?: string;
  env?: Record<string, string | undefined>;
}

export interface LaunchSettings {
  /** The layerlint executable plus arguments before `server` (empty: not set). */
  path: string[];
  /** A Python interpreter plus its arguments (empty: not set). */
  interpreter: string[];
  /** Extra arguments after `server`. */
  args: string[];
}

const VARIABLE = /\$\{(workspaceFolder|userHome|env:([^}]+))\}/g;

/**
 * Expands `${workspaceFolder}`, `${userHome}`, `${env:NAME}` and a leading `~` the way VS
 * Code's own settings do. `${workspaceFolder}` without a folder is left as it is, so that
 * the resulting error names it.
 */
export function expandVariables(value: string, ctx: VariableContext = {}): string {
  const home = ctx.userHome ?? os.homedir();
  const env = ctx.env ?? process.env;
  let out = value.replace(VARIABLE, (whole: string, name: string, envName: string | undefined) => {
    if (envName !== undefined) return env[envName] ?? "";
    if (name === "userHome") return home;
    return ctx.workspaceFolder ?? whole;
  });
  if (out === "~" || out.startsWith("~/") || out.startsWith("~\\")) out = home + out.slice(1);
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The server's view of one `layerlint` settings section (from `getConfiguration('layerlint')`
 * or a `workspace/configuration` answer).
 *
 * - only SERVER_SETTING_KEYS are kept (interpreter, path, args and trace are the client's);
 * - `null`/`undefined` values are dropped (the server keeps its default);
 * - an empty `select` is dropped: "no selection configured", not "check nothing";
 * - an empty `configPath` is dropped; otherwise variables are expanded and a relative path
 *   is resolved against the workspace folder (the server's working directory is not the
 *   workspace).
 */
export function toServerSettings(raw: unknown, ctx: VariableContext = {}): ServerSettings {
  const out: ServerSettings = {};
  if (!isRecord(raw)) return out;
  for (const key of SERVER_SETTING_KEYS) {
    const value = raw[key];
    if (value === undefined || value === null) continue;
    if (key === "select" && Array.isArray(value) && value.length === 0) continue;
    if (key === "configPath" && typeof value === "string") {
      if (value.trim() === "") continue;
      out.configPath = resolvePath(expandVariables(value.trim(), ctx), ctx.workspaceFolder);
      continue;
    }
    out[key] = value;
  }
  return out;
}

/** `initializationOptions` for the server: `{"settings": {...}}`. */
export function initializationOptions(raw: unknown, ctx: VariableContext = {}): { settings: ServerSettings } {
  return { settings: toServerSettings(raw, ctx) };
}

function resolvePath(p: string, base: string | undefined): string {
  if (path.isAbsolute(p) || base === undefined || p.includes("${")) return p;
  return path.resolve(base, p);
}

/**
 * A string-list setting: arrays keep their non-empty strings, a lone string (a common
 * hand-edited mistake) becomes a one-element list, anything else is empty.
 */
function stringList(value: unknown): string[] {
  if (typeof value === "string") return value.trim() ? [value.trim()] : [];
  if (!Array.isArray(value)) return [];
  return value.filter((v): v is string => typeof v === "string" && v.trim() !== "");
}

/**
 * The launch settings. In the executable (the first element) variables are expanded and a
 * relative path such as `.venv/bin/python` is resolved against the workspace folder; a bare
 * name such as `python3` is left for the PATH lookup. Arguments are passed as they are.
 */
export function launchSettings(raw: unknown, ctx: VariableContext = {}): LaunchSettings {
  const section = isRecord(raw) ? raw : {};
  const executable = (list: string[]): string[] => {
    if (!list.length) return [];
    const exe = expandVariables(list[0], ctx);
    const hasDirectory = exe.includes("/") || exe.includes("\\");
    return [hasDirectory ? resolvePath(exe, ctx.workspaceFolder) : exe, ...list.slice(1)];
  };
  return {
    path: executable(stringList(section.path)),
    interpreter: executable(stringList(section.interpreter)),
    args: stringList(section.args),
  };
}
