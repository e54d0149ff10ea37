// The interpreter selected in the Python extension (ms-python.python), when it is installed.
//
// Dockerfile users are often not Python users, so the extension is an optional source:
// no `extensionDependencies`, no npm dependency on its API package. The few members used
// are declared here; anything missing or failing means "no interpreter from there".

import * as vscode from "vscode";

const PYTHON_EXTENSION_ID = "ms-python.python";
const ACTIVATION_TIMEOUT_MS = 10_000;

interface EnvironmentPath {
  id: string;
  path: string;
}

interface PythonExtensionApi {
  environments?: {
    getActiveEnvironmentPath(resource?: vscode.Uri): EnvironmentPath;
    resolveEnvironment(env: EnvironmentPath | string): Promise<{ executable: { uri?: vscode.Uri } } | undefined>;
    onDidChangeActiveEnvironmentPath: vscode.Event<unknown>;
  };
  settings?: {
    getExecutionDetails(resource?: vscode.Uri): { execCommand: string[] | undefined };
  };
}

function withTimeout<T>(promise: Thenable<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      resolve(undefined);
    }, ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

async function api(log: vscode.LogOutputChannel): Promise<PythonExtensionApi | undefined> {
  const extension = vscode.extensions.getExtension<PythonExtensionApi>(PYTHON_EXTENSION_ID);
  if (!extension) return undefined;
  try {
    if (extension.isActive) return extension.exports;
    const exports = await withTimeout(extension.activate(), ACTIVATION_TIMEOUT_MS);
    if (exports === undefined) log.warn(`the Python extension did not activate within ${ACTIVATION_TIMEOUT_MS} ms`);
    return exports;
  } catch (e) {
    log.warn(`the Python extension's API is not usable: ${String(e)}`);
    return undefined;
  }
}

/** The selected interpreter for `resource` (command plus arguments), or undefined. */
export async function pythonExtensionInterpreter(
  resource: vscode.Uri | undefined,
  log: vscode.LogOutputChannel,
): Promise<string[] | undefined> {
  const python = await api(log);
  try {
    const environments = python?.environments;
    if (environments) {
      const active = environments.getActiveEnvironmentPath(resource);
      const resolved = await environments.resolveEnvironment(active);
      const executable = resolved?.executable.uri?.fsPath;
      return executable ? [executable] : undefined;
    }
    const command = python?.settings?.getExecutionDetails(resource).execCommand;
    return command?.length ? command : undefined;
  } catch (e) {
    log.warn(`could not ask the Python extension for its interpreter: ${String(e)}`);
    return undefined;
  }
}

/** Calls `listener` when the Python extension's selected interpreter changes. */
export async function onPythonInterpreterChange(
  listener: () => void,
  log: vscode.LogOutputChannel,
): Promise<vscode.Disposable | undefined> {
  const python = await api(log);
  return python?.environments?.onDidChangeActiveEnvironmentPath(() => {
    listener();
  });
}
