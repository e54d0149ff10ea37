// The VS Code side of layerlint: finds a layerlint server, starts it with the editor's
// settings, restarts it when the launch settings, the workspace trust or the Python
// extension's interpreter change, and says clearly when no server could be started.
// The decisions (which command, which settings) live in vscode-free modules.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as vscode from "vscode";
import {
  CloseAction,
  DiagnosticCollectionSource,
  DidChangeConfigurationNotification,
  ErrorAction,
  LanguageClient,
  RevealOutputChannelOn,
  State,
  type DiagnosticCollectionProvider,
  type LanguageClientOptions,
  type ServerOptions,
} from "vscode-languageclient/node";
import { onPythonInterpreterChange, pythonExtensionInterpreter } from "./pythonExtension";
import {
  RestartBudget,
  chooseServer,
  describeFailure,
  findOnPath,
  formatCommand,
  runProbe,
  serverCandidates,
  type ServerCandidate,
} from "./serverCommand";
import {
  LAUNCH_SETTING_KEYS,
  SERVER_SETTING_KEYS,
  initializationOptions,
  launchSettings,
  toServerSettings,
  type VariableContext,
} from "./settings";

const SECTION = "layerlint";
const STOP_TIMEOUT_MS = 2000;

let output: vscode.LogOutputChannel;
let status: vscode.LanguageStatusItem;
let extensionPath: string;
let client: LanguageClient | undefined;
let running: ServerCandidate | undefined;
let launchKey: string | undefined; // the launch settings the current server was started with
let stopping = false;
let queue: Promise<void> = Promise.resolve(); // start/stop run one at a time, in order
let restartPending = false;
let pythonWatch: Promise<vscode.Disposable | undefined> | undefined;

export function activate(context: vscode.ExtensionContext): void {
  extensionPath = context.extensionPath;
  output = vscode.window.createOutputChannel("layerlint", { log: true });
  status = vscode.languages.createLanguageStatusItem("layerlint.status", { language: "dockerfile" });
  status.name = "layerlint";
  status.command = { title: "Show Output", command: "layerlint.showOutput" };
  context.subscriptions.push(
    output,
    status,
    vscode.commands.registerCommand("layerlint.restart", () => restart("the Restart Server command")),
    vscode.commands.registerCommand("layerlint.showOutput", () => {
      output.show();
    }),
    vscode.workspace.onDidChangeConfiguration(onConfigurationChanged),
    vscode.workspace.onDidGrantWorkspaceTrust(() => restart("the workspace became trusted")),
    // the server asks for each folder's settings again after a didChangeConfiguration
    vscode.workspace.onDidChangeWorkspaceFolders(() => {
      pushSettings();
    }),
    {
      dispose: () => {
        void pythonWatch?.then((watch) => {
          watch?.dispose();
        });
      },
    },
  );
  void restart("activation");
}

export async function deactivate(): Promise<void> {
  await enqueue(stopServer);
}

function enqueue(task: () => Promise<void>): Promise<void> {
  queue = queue.then(task).catch((e: unknown) => {
    output.error(`layerlint: ${String(e)}`);
  });
  return queue;
}

/** Stops and starts the server; restarts requested while one is waiting collapse into it. */
function restart(reason: string): Promise<void> {
  if (restartPending) return queue;
  restartPending = true;
  return enqueue(async () => {
    restartPending = false;
    output.info(`starting the server (${reason})`);
    await stopServer();
    await startServer();
  });
}

function folderContext(folder: vscode.WorkspaceFolder | undefined): VariableContext {
  return {
    workspaceFolder: folder?.uri.scheme === "file" ? folder.uri.fsPath : undefined,
    userHome: os.homedir(),
    env: process.env,
  };
}

/** The window-level `layerlint` section as a plain object (folders' own come through the server's pull). */
function readSection(): Record<string, unknown> {
  const config = vscode.workspace.getConfiguration(SECTION);
  const keys = new Set<string>([...SERVER_SETTING_KEYS, ...LAUNCH_SETTING_KEYS]);
  return Object.fromEntries([...keys].map((k) => [k, config.get(k)]));
}

function currentLaunchKey(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  const section = readSection();
  return JSON.stringify([launchSettings(section, folderContext(folder)), section.enable !== false]);
}

async function startServer(): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  const ctx = folderContext(folder);
  const section = readSection();
  launchKey = currentLaunchKey();
  if (section.enable === false) {
    setStatus("disabled", vscode.LanguageStatusSeverity.Information, "layerlint.enable is false");
    output.info("layerlint.enable is false: the server is not started");
    return;
  }

  const launch = launchSettings(section, ctx);
  const trusted = vscode.workspace.isTrusted;
  let pythonInterpreter: string[] | undefined;
  if (!launch.path.length && !launch.interpreter.length && trusted) {
    pythonInterpreter = await pythonExtensionInterpreter(folder?.uri, output);
    pythonWatch ??= onPythonInterpreterChange(() => {
      // settings chose the server explicitly: the Python extension's choice does not matter
      if (!running?.explicit) void restart("the Python extension's interpreter changed");
    }, output);
  }
  const libs = path.join(extensionPath, "bundled", "libs");
  const bundledLibs = fs.existsSync(path.join(libs, "layerlint")) ? libs : undefined;
  const candidates = serverCandidates({
    launch,
    pythonExtensionInterpreter: pythonInterpreter,
    bundledLibs,
    trusted,
    which: (name) => findOnPath(name),
    pythonPath: process.env.PYTHONPATH,
  });
  const choice = await chooseServer(candidates, (probe) => runProbe(probe, { cwd: extensionPath }));
  for (const { candidate, reason } of choice.attempts) {
    output.warn(`not using ${candidate.origin} (${formatCommand(candidate)}): ${reason}`);
  }
  if (!choice.chosen) {
    reportFailure(describeFailure(choice, bundledLibs !== undefined));
    return;
  }
  await startClient(choice.chosen, initializationOptions(section, ctx));
}

async function startClient(server: ServerCandidate, initOptions: unknown): Promise<void> {
  const description = `${formatCommand(server)} (${server.origin})`;
  output.info(`server command: ${description}`);
  const budget = new RestartBudget();
  let started = false;
  const serverOptions: ServerOptions = {
    command: server.command,
    args: server.args,
    // Not the workspace: `python -m` puts the working directory on sys.path, and a
    // workspace must not be able to shadow the server's modules.
    options: { cwd: extensionPath, env: { ...process.env, ...server.env } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "dockerfile" },
      { scheme: "untitled", language: "dockerfile" },
    ],
    outputChannel: output,
    revealOutputChannelOn: RevealOutputChannelOn.Never,
    initializationOptions: initOptions,
    diagnosticCollectionProvider: sharedDiagnostics(),
    initializationFailedHandler: (error) => {
      output.error(`the server failed to initialize: ${String(error)}`);
      return false;
    },
    // Our own policy and messages instead of the client's pop-ups: a server that never
    // started is reported once (below); one that crashes later is restarted a few times.
    errorHandler: {
      error: (_error, _message, count) => ({
        action: (count ?? 0) <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown,
        handled: true,
      }),
      closed: () => {
        if (!started) return { action: CloseAction.DoNotRestart, handled: true };
        if (budget.allow()) {
          output.warn("the server stopped unexpectedly; restarting it");
          return { action: CloseAction.Restart, handled: true };
        }
        reportFailure(
          `layerlint: the language server stopped ${budget.max + 1} times within ${budget.windowMs / 60_000} minutes ` +
            `and is not restarted.\nCommand: ${description}\n` +
            "The layerlint output has its messages; run 'layerlint: Restart Server' to try again.",
        );
        return { action: CloseAction.DoNotRestart, handled: true };
      },
    },
    middleware: {
      workspace: {
        // The server pulls `layerlint` per workspace folder; answer in its terms.
        configuration: async (params, token, next) => {
          const answers = await next(params, token);
          if (!Array.isArray(answers)) return answers;
          return params.items.map((item, i): unknown => {
            if (item.section !== SECTION) return answers[i];
            const folder = item.scopeUri
              ? vscode.workspace.getWorkspaceFolder(vscode.Uri.parse(item.scopeUri))
              : undefined;
            return toServerSettings(answers[i], folderContext(folder));
          });
        },
      },
    },
  };
  const languageClient = new LanguageClient(SECTION, "layerlint", serverOptions, clientOptions);
  languageClient.onDidChangeState(({ newState }) => {
    if (client !== languageClient || stopping) return;
    if (newState === State.Stopped) {
      setStatus("stopped", vscode.LanguageStatusSeverity.Error, `the server stopped: ${description}`);
    } else if (newState === State.Running) {
      setStatus("running", vscode.LanguageStatusSeverity.Information, description);
    }
  });
  try {
    await languageClient.start();
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    reportFailure(
      `layerlint: the language server did not start.\nCommand: ${description}\nError: ${reason}\n` +
        "The layerlint output has the server's own messages.",
    );
    await languageClient.dispose(STOP_TIMEOUT_MS).catch(() => undefined);
    return;
  }
  started = true;
  client = languageClient;
  running = server;
  setStatus("running", vscode.LanguageStatusSeverity.Information, description);
}

async function stopServer(): Promise<void> {
  const current = client;
  client = undefined;
  running = undefined;
  if (!current) return;
  stopping = true;
  try {
    await current.dispose(STOP_TIMEOUT_MS);
  } catch (e) {
    output.warn(`the server did not stop cleanly: ${String(e)}`);
  } finally {
    stopping = false;
  }
}

function onConfigurationChanged(event: vscode.ConfigurationChangeEvent): void {
  if (!event.affectsConfiguration(SECTION)) return;
  if (currentLaunchKey() !== launchKey) {
    void restart("the launch settings changed");
    return;
  }
  pushSettings();
}

/** Sends the window-level settings; the server then pulls each folder's own. */
function pushSettings(): void {
  const current = client;
  if (!current) return;
  const folder = vscode.workspace.workspaceFolders?.[0];
  const settings = { [SECTION]: toServerSettings(readSection(), folderContext(folder)) };
  current.sendNotification(DidChangeConfigurationNotification.type, { settings }).catch((e: unknown) => {
    output.warn(`could not send the new settings: ${String(e)}`);
  });
}

function setStatus(text: string, severity: vscode.LanguageStatusSeverity, detail: string): void {
  status.text = `layerlint: ${text}`;
  status.severity = severity;
  status.detail = detail;
}

function reportFailure(message: string): void {
  output.error(message);
  setStatus("not running", vscode.LanguageStatusSeverity.Error, message.split("\n")[0]);
  void vscode.window.showErrorMessage(message, "Show Output", "Open Settings").then((answer) => {
    if (answer === "Show Output") output.show();
    if (answer === "Open Settings") void vscode.commands.executeCommand("workbench.action.openSettings", SECTION);
  });
}

/**
 * One diagnostic collection for the push and the pull model. The server both publishes
 * diagnostics and answers `textDocument/diagnostic`; with two collections VS Code would
 * list every finding twice.
 */
function sharedDiagnostics(): DiagnosticCollectionProvider {
  let collection: vscode.DiagnosticCollection | undefined;
  const users = new Set<DiagnosticCollectionSource>();
  return {
    create(name, source) {
      collection ??= vscode.languages.createDiagnosticCollection(name ?? SECTION);
      users.add(source);
      return collection;
    },
    dispose(_collection, source) {
      users.delete(source);
      if (users.size === 0) {
        collection?.dispose();
        collection = undefined;
      }
    },
  };
}
