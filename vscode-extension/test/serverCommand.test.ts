// Which command starts the server: the order of the sources, what each one runs, the
// fallbacks, and the message when nothing works.
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  IMPORT_CHECK,
  RestartBudget,
  chooseServer,
  describeFailure,
  findOnPath,
  formatCommand,
  runProbe,
  serverCandidates,
  type Command,
  type ProbeResult,
  type ResolveInputs,
} from "../src/serverCommand";

const onPath: Record<string, string> = { python3: "/usr/bin/python3", layerlint: "/home/ann/.local/bin/layerlint" };
const noSettings = { path: [], interpreter: [], args: [] };

function inputs(overrides: Partial<ResolveInputs> = {}): ResolveInputs {
  return {
    launch: noSettings,
    trusted: true,
    which: (name) => onPath[name],
    platform: "linux",
    ...overrides,
  };
}

function commandLines(i: ResolveInputs): string[] {
  return serverCandidates(i).map(formatCommand);
}

test("layerlint.path wins and runs `<path> server <args>`, nothing else is tried", () => {
  const candidates = serverCandidates(
    inputs({
      launch: { path: ["uvx", "layerlint"], interpreter: ["/opt/py/bin/python"], args: ["--tcp", "127.0.0.1:9000"] },
      pythonExtensionInterpreter: ["/proj/.venv/bin/python"],
      bundledLibs: "/ext/bundled/libs",
    }),
  );
  assert.equal(candidates.length, 1);
  const [c] = candidates;
  assert.deepEqual([c.source, c.explicit, c.command, c.args], [
    "path",
    true,
    "uvx",
    ["layerlint", "server", "--tcp", "127.0.0.1:9000"],
  ]);
  assert.deepEqual(c.probe, { command: "uvx", args: ["layerlint", "server", "--help"], env: {} });
});

test("layerlint.interpreter runs `<python> -m layerlint server`, probed by importing the server", () => {
  const [c, ...rest] = serverCandidates(
    inputs({ launch: { path: [], interpreter: ["/opt/py/bin/python", "-X", "utf8"], args: [] }, bundledLibs: "/b" }),
  );
  assert.equal(rest.length, 0);
  assert.equal(formatCommand(c), "/opt/py/bin/python -X utf8 -m layerlint server");
  assert.deepEqual(c.probe, { command: "/opt/py/bin/python", args: ["-X", "utf8", "-c", IMPORT_CHECK], env: {} });
  assert.equal(c.explicit, true);
});

test("without settings: Python extension, bundled copy, layerlint on PATH, python3 on PATH", () => {
  assert.deepEqual(
    commandLines(inputs({ pythonExtensionInterpreter: ["/proj/.venv/bin/python"], bundledLibs: "/ext/bundled/libs" })),
    [
      "/proj/.venv/bin/python -m layerlint server",
      "PYTHONPATH=/ext/bundled/libs /usr/bin/python3 -m layerlint server",
      "/home/ann/.local/bin/layerlint server",
      "/usr/bin/python3 -m layerlint server",
    ],
  );
  for (const c of serverCandidates(inputs({ pythonExtensionInterpreter: ["/p"], bundledLibs: "/b" }))) {
    assert.equal(c.explicit, false);
    assert.ok(c.probe.args.length > 0, `${c.origin} is probed`);
  }
});

test("the bundled copy keeps an inherited PYTHONPATH after its own libraries", () => {
  const [bundled] = serverCandidates(inputs({ bundledLibs: "/b", pythonPath: "/mine" }));
  assert.deepEqual(bundled.env, { PYTHONPATH: "/b:/mine" });
  assert.deepEqual(bundled.probe.env, { PYTHONPATH: "/b:/mine" });
  const [win] = serverCandidates(
    inputs({
      bundledLibs: "C:\\b",
      pythonPath: "C:\\mine",
      platform: "win32",
      which: (n) => (n === "python" ? "C:\\py\\python.exe" : undefined),
    }),
  );
  assert.equal(win.command, "C:\\py\\python.exe");
  assert.deepEqual(win.env, { PYTHONPATH: "C:\\b;C:\\mine" });
});

test("an untrusted workspace never runs the Python extension's (workspace-chosen) interpreter", () => {
  const lines = commandLines(
    inputs({ trusted: false, pythonExtensionInterpreter: ["/proj/.venv/bin/python"], bundledLibs: "/b" }),
  );
  assert.equal(lines.some((l) => l.includes("/proj/.venv")), false);
  assert.equal(lines[0], "PYTHONPATH=/b /usr/bin/python3 -m layerlint server");
});

test("no python on PATH: no bundled candidate; nothing at all gives an empty list", () => {
  assert.deepEqual(commandLines(inputs({ bundledLibs: "/b", which: (n) => (n === "layerlint" ? "/x/layerlint" : undefined) })), [
    "/x/layerlint server",
  ]);
  assert.deepEqual(serverCandidates(inputs({ which: () => undefined })), []);
});

test("python3 on PATH is not probed twice when it is the Python extension's interpreter", () => {
  const which = (n: string) => (n === "python3" ? "/usr/bin/python3" : undefined);
  const lines = commandLines(inputs({ pythonExtensionInterpreter: ["/usr/bin/python3"], which }));
  assert.deepEqual(lines, ["/usr/bin/python3 -m layerlint server"]);
});

const probeAnswers = (answers: Record<string, ProbeResult>) => (probe: Command) =>
  Promise.resolve(answers[probe.command] ?? { ok: false, reason: "unexpected probe" });

test("chooseServer falls through implicit candidates whose probe fails and records why", async () => {
  const candidates = serverCandidates(inputs({ pythonExtensionInterpreter: ["/proj/.venv/bin/python"], bundledLibs: "/b" }));
  const choice = await chooseServer(
    candidates,
    probeAnswers({
      "/proj/.venv/bin/python": { ok: false, reason: "ModuleNotFoundError: No module named 'layerlint'" },
      "/usr/bin/python3": { ok: true },
    }),
  );
  assert.equal(choice.chosen?.source, "bundled");
  assert.deepEqual(
    choice.attempts.map((a) => [a.candidate.source, a.reason]),
    [["pythonExtension", "ModuleNotFoundError: No module named 'layerlint'"]],
  );
});

test("chooseServer stops at a failing explicit setting instead of using something else", async () => {
  const candidates = serverCandidates(inputs({ launch: { path: [], interpreter: ["/opt/py"], args: [] }, bundledLibs: "/b" }));
  const choice = await chooseServer(candidates, probeAnswers({ "/opt/py": { ok: false, reason: "not found" } }));
  assert.equal(choice.chosen, undefined);
  const message = describeFailure(choice, true);
  assert.match(message, /could not start the language server/);
  assert.match(message, /- setting layerlint\.interpreter: \/opt\/py -m layerlint server -> not found/);
  assert.match(message, /set layerlint\.interpreter or layerlint\.path/);
});

test("chooseServer: an explicit path is used when `server --help` works, reported when it does not", async () => {
  const candidates = serverCandidates(inputs({ launch: { path: ["/opt/layerlint"], interpreter: [], args: [] } }));
  assert.equal((await chooseServer(candidates, () => Promise.resolve({ ok: true }))).chosen?.command, "/opt/layerlint");
  const missing = await chooseServer(candidates, probeAnswers({ "/opt/layerlint": { ok: false, reason: "not found" } }));
  assert.equal(missing.chosen, undefined);
  assert.match(describeFailure(missing, false), /setting layerlint\.path: \/opt\/layerlint server -> not found/);
});

test("RestartBudget: at most `max` restarts within the window, then again once old ones age out", () => {
  let now = 0;
  const budget = new RestartBudget(2, 1000, () => now);
  assert.equal(budget.allow(), true);
  now = 100;
  assert.equal(budget.allow(), true);
  now = 900;
  assert.equal(budget.allow(), false);
  now = 1050; // the first restart (t=0) left the window
  assert.equal(budget.allow(), true);
  assert.equal(budget.allow(), false);
});

test("describeFailure without any candidate names the missing interpreter", () => {
  assert.match(describeFailure({ attempts: [] }, true), /No Python interpreter was found .* to run the bundled server/);
  assert.match(describeFailure({ attempts: [] }, false), /carries no bundled server/);
});

test("formatCommand quotes what a shell would need quoted", () => {
  assert.equal(formatCommand({ command: "/a b/python", args: ["-c", "import x"], env: {} }), '"/a b/python" -c "import x"');
});

test("findOnPath searches PATH in order and honours PATHEXT on Windows", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "layerlint-path-"));
  try {
    const first = path.join(dir, "first");
    const second = path.join(dir, "second");
    fs.mkdirSync(first);
    fs.mkdirSync(second);
    fs.writeFileSync(path.join(second, "python3"), "#!/bin/sh\n", { mode: 0o755 });
    fs.writeFileSync(path.join(first, "python3"), "not executable", { mode: 0o644 });
    const env = { PATH: [first, second].join(":") };
    const executable = (file: string) => fs.existsSync(file) && (fs.statSync(file).mode & 0o111) !== 0;
    assert.equal(findOnPath("python3", env, "linux", executable), path.join(second, "python3"));
    assert.equal(findOnPath("python4", env, "linux", executable), undefined);
    assert.equal(findOnPath(path.join(second, "python3"), env, "linux", executable), path.join(second, "python3"));

    const winFiles = new Set(["C:\\Py\\python.EXE"]);
    const winEnv = { Path: "C:\\Tools;C:\\Py", PATHEXT: ".COM;.EXE" };
    assert.equal(findOnPath("python", winEnv, "win32", (f) => winFiles.has(f)), "C:\\Py\\python.EXE");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("runProbe: success, the last stderr line on failure, a missing command, a timeout", async () => {
  const node = (script: string, env: Record<string, string> = {}) => ({ command: process.execPath, args: ["-e", script], env });
  assert.deepEqual(await runProbe(node("process.exit(0)")), { ok: true });
  assert.deepEqual(
    await runProbe(node("console.error('Traceback\\nModuleNotFoundError: No module named layerlint'); process.exit(1)")),
    { ok: false, reason: "ModuleNotFoundError: No module named layerlint" },
  );
  assert.deepEqual(await runProbe(node("process.exit(process.env.X === 'y' ? 0 : 3)", { X: "y" })), { ok: true });
  assert.deepEqual(await runProbe(node("process.exit(3)")), { ok: false, reason: "exit code 3" });
  assert.deepEqual(await runProbe({ command: "/nonexistent/layerlint-python", args: [], env: {} }), {
    ok: false,
    reason: "not found",
  });
  assert.deepEqual(await runProbe(node("setTimeout(() => {}, 10000)"), { timeoutMs: 200 }), {
    ok: false,
    reason: "no answer within 200 ms",
  });
});
