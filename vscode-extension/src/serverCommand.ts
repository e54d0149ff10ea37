// Which command starts the layerlint server, and why.
//
// Order (the first that applies wins; explicit settings never fall back silently):
//   1. `layerlint.path`         -> `<path...> server <args>`
//   2. `layerlint.interpreter`  -> `<python...> -m layerlint server <args>`
//   3. the Python extension's interpreter, when that extension is installed and the
//      workspace is trusted, if layerlint can be imported there;
//   4. the bundled copy (`bundled/libs` in the VSIX) run by a `python3` found on PATH;
//   5. a `layerlint` executable on PATH (pipx, a system package), then `python3 -m layerlint`.
// Every candidate is probed first (an import check, or `server --help` for an executable):
// for steps 3-5 so that a project interpreter without layerlint falls through to the bundled
// copy, and for the settings so that a mistake is reported in one clear message instead of
// the language client's connection errors.
// No `vscode` import: this module is unit-tested with plain node.

import * as fs from "node:fs";
import * as path from "node:path";
import { spawn } from "node:child_process";
import type { LaunchSettings } from "./settings";

export type ServerSource = "path" | "interpreter" | "pythonExtension" | "bundled" | "environment";

export interface Command {
  command: string;
  args: string[];
  /** Variables added to the inherited environment. */
  env: Record<string, string>;
}

export interface ServerCandidate extends Command {
  source: ServerSource;
  /** Where the command comes from, for messages ("setting layerlint.interpreter"). */
  origin: string;
  /** A quick check that the command can run the server. */
  probe: Command;
  /** Set by the user: a failure is reported, never skipped over. */
  explicit: boolean;
}

export interface ResolveInputs {
  launch: LaunchSettings;
  /** The Python extension's interpreter for the workspace (command plus arguments), if any. */
  pythonExtensionInterpreter?: string[];
  /** `bundled/libs` of the installed extension, when the VSIX carries the server. */
  bundledLibs?: string;
  /** Whether the workspace is trusted (restricted mode ignores workspace-chosen interpreters). */
  trusted: boolean;
  /** PATH lookup; returns the absolute path or undefined. */
  which: (name: string) => string | undefined;
  platform?: NodeJS.Platform;
  /** The inherited PYTHONPATH, kept after the bundled libraries. */
  pythonPath?: string;
}

// The probe of a Python candidate: the version first (an older Python would fail with some
// unrelated syntax or import error), then the server and its compiled dependencies.
export const IMPORT_CHECK =
  "import sys; sys.version_info >= (3, 10) or sys.exit('layerlint needs Python >= 3.10, this is ' + sys.version.split()[0]); " +
  "import layerlint.server, tree_sitter, tree_sitter_bash";

function pythonCandidate(
  source: ServerSource,
  origin: string,
  interpreter: string[],
  args: string[],
  explicit: boolean,
  env: Record<string, string> = {},
): ServerCandidate {
  const [command, ...pre] = interpreter;
  return {
    source,
    origin,
    command,
    args: [...pre, "-m", "layerlint", "server", ...args],
    env,
    explicit,
    probe: { command, args: [...pre, "-c", IMPORT_CHECK], env },
  };
}

/** The commands to try, in order. */
export function serverCandidates(inputs: ResolveInputs): ServerCandidate[] {
  const { launch } = inputs;
  const platform = inputs.platform ?? process.platform;
  if (launch.path.length) {
    const [command, ...pre] = launch.path;
    return [
      {
        source: "path",
        origin: "setting layerlint.path",
        command,
        args: [...pre, "server", ...launch.args],
        env: {},
        explicit: true,
        probe: { command, args: [...pre, "server", "--help"], env: {} },
      },
    ];
  }
  if (launch.interpreter.length) {
    return [pythonCandidate("interpreter", "setting layerlint.interpreter", launch.interpreter, launch.args, true)];
  }

  const out: ServerCandidate[] = [];
  if (inputs.trusted && inputs.pythonExtensionInterpreter?.length) {
    out.push(
      pythonCandidate(
        "pythonExtension",
        "the Python extension's interpreter",
        inputs.pythonExtensionInterpreter,
        launch.args,
        false,
      ),
    );
  }
  const python = pythonOnPath(inputs.which, platform);
  if (inputs.bundledLibs && python) {
    const sep = platform === "win32" ? ";" : ":";
    const pythonPath = inputs.pythonPath ? inputs.bundledLibs + sep + inputs.pythonPath : inputs.bundledLibs;
    out.push(
      pythonCandidate("bundled", `the bundled copy run by ${python}`, [python], launch.args, false, {
        PYTHONPATH: pythonPath,
      }),
    );
  }
  const exe = inputs.which("layerlint");
  if (exe) {
    out.push({
      source: "environment",
      origin: "layerlint on PATH",
      command: exe,
      args: ["server", ...launch.args],
      env: {},
      explicit: false,
      probe: { command: exe, args: ["server", "--help"], env: {} },
    });
  }
  const alreadyTried = out.some((c) => c.source === "pythonExtension" && c.command === python);
  if (python && !alreadyTried) {
    out.push(pythonCandidate("environment", `${python} on PATH`, [python], launch.args, false));
  }
  return out;
}

/**
 * `python3`, else `python` (on Windows the other way round: python.org installers provide
 * only `python.exe`). The `py` launcher is not tried.
 */
export function pythonOnPath(which: (name: string) => string | undefined, platform: NodeJS.Platform): string | undefined {
  const names = platform === "win32" ? ["python", "python3"] : ["python3", "python"];
  for (const name of names) {
    const found = which(name);
    if (found) return found;
  }
  return undefined;
}

/**
 * Looks `name` up like a shell: in each PATH directory, with the PATHEXT extensions on
 * Windows. A name with a directory part is returned as it is if it exists.
 */
export function findOnPath(
  name: string,
  env: Record<string, string | undefined> = process.env,
  platform: NodeJS.Platform = process.platform,
  isExecutable: (file: string) => boolean = defaultIsExecutable,
): string | undefined {
  const win = platform === "win32";
  const extensions = win
    ? ["", ...(env.PATHEXT ?? ".COM;.EXE;.BAT;.CMD").split(";").filter(Boolean)]
    : [""];
  if (name.includes("/") || (win && name.includes("\\"))) {
    return extensions.map((ext) => name + ext).find(isExecutable);
  }
  const dirs = (env.PATH ?? env.Path ?? "").split(win ? ";" : ":").filter(Boolean);
  const paths = win ? path.win32 : path.posix;
  for (const dir of dirs) {
    for (const ext of extensions) {
      const file = paths.join(dir, name + ext);
      if (isExecutable(file)) return file;
    }
  }
  return undefined;
}

function defaultIsExecutable(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) return false;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Shell-like rendering of a command, for messages. */
export function formatCommand(c: Command): string {
  const quote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : JSON.stringify(s));
  const env = Object.entries(c.env).map(([k, v]) => `${k}=${quote(v)} `).join("");
  return env + [c.command, ...c.args].map(quote).join(" ");
}

export interface ProbeResult {
  ok: boolean;
  /** Why not, in one line (the last line of stderr, a spawn error, a timeout). */
  reason?: string;
}

export type Prober = (probe: Command) => Promise<ProbeResult>;

export interface Attempt {
  candidate: ServerCandidate;
  reason: string;
}

export interface Choice {
  chosen?: ServerCandidate;
  /** Candidates that were tried and rejected, in order. */
  attempts: Attempt[];
}

/**
 * The first candidate whose probe passes. When an explicit candidate fails, the search stops
 * there: the caller reports the failure instead of using something the user did not ask for.
 */
export async function chooseServer(candidates: ServerCandidate[], probe: Prober): Promise<Choice> {
  const attempts: Attempt[] = [];
  for (const candidate of candidates) {
    const result = await probe(candidate.probe);
    if (result.ok) return { chosen: candidate, attempts };
    attempts.push({ candidate, reason: result.reason ?? "failed" });
    if (candidate.explicit) return { attempts };
  }
  return { attempts };
}

/** The error message when no server could be started: what was tried and how to fix it. */
export function describeFailure(choice: Choice, bundled: boolean): string {
  const lines = ["layerlint: could not start the language server."];
  if (choice.attempts.length === 0) {
    lines.push(
      bundled
        ? "No Python interpreter was found (python3 or python on PATH) to run the bundled server."
        : "No Python interpreter was found (python3 or python on PATH) " +
            "and this build of the extension carries no bundled server.",
    );
  } else {
    lines.push("Tried:");
    for (const { candidate, reason } of choice.attempts) {
      lines.push(`- ${candidate.origin}: ${formatCommand(candidate)} -> ${reason}`);
    }
  }
  lines.push(
    "Install layerlint (pip install layerlint) in a Python >= 3.10, or set layerlint.interpreter or layerlint.path; " +
      "then run the command 'layerlint: Restart Server'.",
  );
  return lines.join("\n");
}

/** Runs a probe command with a timeout; the reason is the last line of its stderr. */
export function runProbe(probe: Command, options: { cwd?: string; timeoutMs?: number } = {}): Promise<ProbeResult> {
  return new Promise((resolve) => {
    let stderr = "";
    let settled = false;
    const finish = (result: ProbeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const child = spawn(probe.command, probe.args, {
      cwd: options.cwd,
      env: { ...process.env, ...probe.env },
      stdio: ["ignore", "ignore", "pipe"],
      windowsHide: true,
    });
    const timer = setTimeout(() => {
      child.kill();
      finish({ ok: false, reason: `no answer within ${options.timeoutMs ?? 15000} ms` });
    }, options.timeoutMs ?? 15000);
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      if (stderr.length < 64 * 1024) stderr += chunk;
    });
    child.on("error", (err: NodeJS.ErrnoException) => {
      finish({ ok: false, reason: err.code === "ENOENT" ? "not found" : err.message });
    });
    child.on("close", (code, signal) => {
      if (code === 0) {
        finish({ ok: true });
        return;
      }
      const last = stderr.trim().split(/\r?\n/).pop();
      finish({ ok: false, reason: last || (signal ? `killed by ${signal}` : `exit code ${String(code)}`) });
    });
  });
}

/**
 * How often a server that crashes after a successful start is restarted: at most `max` times
 * within `windowMs` (the language client's own default policy, which however also retries a
 * server that never started and shows its own messages).
 */
export class RestartBudget {
  private readonly restarts: number[] = [];

  constructor(
    readonly max = 4,
    readonly windowMs = 3 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether one more restart is allowed now (and counts it if so). */
  allow(): boolean {
    const t = this.now();
    while (this.restarts.length && t - this.restarts[0] > this.windowMs) this.restarts.shift();
    if (this.restarts.length >= this.max) return false;
    this.restarts.push(t);
    return true;
  }
}
