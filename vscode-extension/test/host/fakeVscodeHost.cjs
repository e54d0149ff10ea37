// A stand-in for VS Code's extension host, enough to activate dist/extension.js under plain
// node and watch it start (or fail to start) the real server. VS Code cannot be downloaded in
// the offline build, so this is how tests/test_vscode_extension.py exercises extension.ts and
// pythonExtension.ts: activation, server resolution, initializationOptions, the answers to
// workspace/configuration, status and error messages, deactivation.
//
//   node fakeVscodeHost.cjs <extension dir> '<scenario JSON>'
//
// scenario: { settings: {...layerlint settings}, folder: "/path", trusted: true,
//             pythonExtensionInterpreter: "/path/to/python" | null, timeoutMs: 20000 }
// It prints one JSON object: { logs, popups, statuses, initializationOptions,
// configurationAnswers, commands }.
//
// Members that the extension or vscode-languageclient use but that matter for nothing here
// are answered by `inert` (callable, constructible, every property another inert value).
"use strict";
const Module = require("node:module");
const path = require("node:path");

const [extensionDir, scenarioJson] = process.argv.slice(2);
const scenario = { trusted: true, timeoutMs: 20000, ...JSON.parse(scenarioJson) };
// verbose tracing is how the host sees the LSP traffic (see onTrace)
const settings = { ...scenario.settings, "trace.server": "verbose" };
const report = { logs: [], popups: [], statuses: [], initializationOptions: null, configurationAnswers: [], commands: [] };

function inert(name) {
  const target = function () {};
  return new Proxy(target, {
    get(_t, prop) {
      if (prop === "then") return undefined; // not a promise
      if (prop === Symbol.toPrimitive) return () => `<${name}>`;
      if (prop === Symbol.iterator) return function* () {};
      return inert(`${name}.${String(prop)}`);
    },
    apply: () => inert(`${name}()`),
    construct: () => inert(`new ${name}`),
  });
}
const withFallback = (name, members) =>
  new Proxy(members, { get: (t, prop) => (prop in t ? t[prop] : inert(`${name}.${String(prop)}`)) });
const disposable = () => ({ dispose() {} });

const LogLevel = { Off: 0, Trace: 1, Debug: 2, Info: 3, Warning: 4, Error: 5 };
function onTrace(text) {
  // vscode-languageclient's verbose trace: "Sending request 'initialize - (0)'.\nParams: {...}"
  const json = (label) => {
    try {
      return JSON.parse(text.slice(text.indexOf(label) + label.length));
    } catch {
      report.logs.push(`host: no JSON after ${label} in ${text.slice(0, 200)}`);
      return {};
    }
  };
  if (text.startsWith("Sending request 'initialize")) report.initializationOptions = json("Params: ").initializationOptions;
  if (text.startsWith("Sending response 'workspace/configuration")) {
    report.configurationAnswers.push(json("Result: "));
    finish();
  }
}
const output = {
  name: "layerlint",
  logLevel: LogLevel.Trace,
  onDidChangeLogLevel: () => disposable(),
  trace: (text) => onTrace(String(text)),
  debug: () => {},
  info: (...a) => report.logs.push(`info: ${a.join(" ")}`),
  warn: (...a) => report.logs.push(`warn: ${a.join(" ")}`),
  error: (...a) => report.logs.push(`error: ${a.map((x) => (x instanceof Error ? x.message : String(x))).join(" ")}`),
  appendLine: (line) => report.logs.push(`line: ${line}`),
  append: () => {},
  replace: () => {},
  clear: () => {},
  show: () => {},
  hide: () => {},
  dispose: () => {},
};

const folderUri = { scheme: "file", fsPath: scenario.folder, path: scenario.folder, toString: () => `file://${scenario.folder}` };
const folder = { uri: folderUri, name: path.basename(scenario.folder), index: 0 };
const Uri = {
  parse: (s) => ({ scheme: s.split(":")[0], fsPath: s.replace(/^file:\/\//, ""), toString: () => s }),
  file: (p) => ({ scheme: "file", fsPath: p, toString: () => `file://${p}` }),
};

function configuration(section) {
  // getConfiguration("layerlint").get("ignore") and getConfiguration().get("layerlint")
  const nested = {};
  for (const [key, value] of Object.entries(settings)) {
    const [head, ...rest] = key.split(".");
    if (rest.length) nested[head] = { ...nested[head], [rest.join(".")]: value };
    else nested[key] = value;
  }
  const root = section === "layerlint" ? settings : { layerlint: nested };
  return {
    get: (key, fallback) => (key in root ? root[key] : fallback),
    has: (key) => key in root,
    inspect: () => undefined,
    update: async () => {},
  };
}

const pythonExtension = scenario.pythonExtensionInterpreter && {
  isActive: false,
  activate: async () => pythonExtension.exports,
  exports: {
    environments: {
      getActiveEnvironmentPath: () => ({ id: "fake", path: scenario.pythonExtensionInterpreter }),
      resolveEnvironment: async (env) => ({ executable: { uri: Uri.file(env.path) } }),
      onDidChangeActiveEnvironmentPath: () => disposable(),
    },
  },
};

const vscodeMembers = {
  version: "1.91.0",
  env: withFallback("env", { appName: "Visual Studio Code", language: "en", machineId: "fake", sessionId: "fake", uiKind: 1 }),
  Uri,
  LogLevel,
  LanguageStatusSeverity: { Information: 0, Warning: 1, Error: 2 },
  EventEmitter: class {
    constructor() {
      this.listeners = [];
      this.event = (listener) => {
        this.listeners.push(listener);
        return disposable();
      };
    }
    fire(e) {
      for (const l of this.listeners) l(e);
    }
    dispose() {}
  },
  Disposable: class {
    constructor(fn) {
      this.fn = fn;
    }
    dispose() {
      this.fn?.();
    }
    static from(...ds) {
      return { dispose: () => ds.forEach((d) => d.dispose()) };
    }
  },
  window: withFallback("window", {
    createOutputChannel: () => output,
    showErrorMessage: async (message) => {
      report.popups.push(message);
      finish();
      return undefined;
    },
    activeTextEditor: undefined,
    visibleTextEditors: [],
    tabGroups: { all: [], onDidChangeTabs: () => disposable() },
  }),
  workspace: withFallback("workspace", {
    getConfiguration: configuration,
    workspaceFolders: [folder],
    getWorkspaceFolder: () => folder,
    isTrusted: scenario.trusted,
    textDocuments: [],
    notebookDocuments: [],
  }),
  languages: withFallback("languages", {
    createLanguageStatusItem: () =>
      new Proxy({}, {
        set(t, prop, value) {
          t[prop] = value;
          if (prop === "text") report.statuses.push(value);
          if (prop === "text" && value.endsWith(": disabled")) finish();
          return true;
        },
      }),
  }),
  extensions: withFallback("extensions", {
    getExtension: (id) => (id === "ms-python.python" ? pythonExtension || undefined : undefined),
    all: [],
  }),
  commands: withFallback("commands", {
    registerCommand: (id) => {
      report.commands.push(id);
      return disposable();
    },
  }),
};
// vscode-languageclient reads `require("vscode").X` (any X: the fallback answers); esbuild's
// wrapper for `import * as vscode` copies own properties, so those the extension uses are real.
const vscode = withFallback("vscode", vscodeMembers);

const load = Module._load;
Module._load = function (request, ...rest) {
  return request === "vscode" ? vscode : load.call(this, request, ...rest);
};

let finished = false;
let extension;
function finish() {
  if (finished) return;
  finished = true;
  // let the status and log settle, then stop the server as VS Code would on shutdown
  setTimeout(async () => {
    await extension.deactivate();
    process.stdout.write(JSON.stringify(report));
    process.exit(0);
  }, 200);
}

extension = require(path.join(extensionDir, "dist", "extension.js"));
extension.activate({ extensionPath: extensionDir, subscriptions: [], asAbsolutePath: (p) => path.join(extensionDir, p) });
setTimeout(() => {
  report.logs.push("host: timed out");
  finish();
}, scenario.timeoutMs);
