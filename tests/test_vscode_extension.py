"""The VS Code extension in vscode-extension/ builds offline and is what VS Code needs.

- `tsc` compiles it (strict) and ESLint (typescript-eslint, strict and type-checked) is clean;
- the unit tests of its vscode-free modules pass (node's test runner): settings mapping,
  server-command resolution, file-name association;
- `vsce package` makes a VSIX with the manifest, the esbuild bundle, README and LICENSE and
  nothing else (no node_modules, sources or tests), whose manifest activates on Dockerfiles and
  contributes the settings, commands and language association;
- the contract with the server: the manifest's defaults, mapped as the extension maps them,
  are the server's defaults; the command the extension resolves really starts the server, which
  applies the mapped settings (initializationOptions and workspace/configuration answers);
- the packaged extension itself, activated in a stand-in extension host
  (vscode-extension/test/host/fakeVscodeHost.cjs: VS Code cannot be downloaded offline) with the
  real server: which server it starts, what it sends, its status and its error messages.

Needs Node.js >= 20, npm and vscode-extension/node_modules: `make test` runs `npm ci` first
(the only step that needs the registry). Without them the module skips with a message.
Takes some 20 seconds.
"""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import pytest

from layerlint.rule import SEVERITIES
from layerlint.server.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
EXT = ROOT / "vscode-extension"
MANIFEST = json.loads((EXT / "package.json").read_text(encoding="utf-8"))
BUNDLE = EXT / "bundled" / "libs"


def _unavailable() -> str | None:
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        return "Node.js and npm are not installed: the VS Code extension is not built (install Node.js >= 20)"
    version = subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip()
    major = int(re.match(r"v(\d+)", version).group(1)) if re.match(r"v(\d+)", version) else 0
    if major < 20:
        return f"Node.js {version} is too old for the extension's build (@vscode/vsce 3 and ESLint 10 need >= 20)"
    if not (EXT / "node_modules" / ".package-lock.json").is_file():
        return ("vscode-extension/node_modules is missing: run `make extension-deps` (npm ci, needs the npm registry) "
                "or `make test`")
    return None


_SKIP = _unavailable()
pytestmark = pytest.mark.skipif(_SKIP is not None, reason=str(_SKIP))


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    # PYTHONDONTWRITEBYTECODE: the bundled server's run must not leave __pycache__ in bundled/libs
    env.update(NO_COLOR="1", FORCE_COLOR="0", CI="true", npm_config_update_notifier="false",
               PYTHONDONTWRITEBYTECODE="1")
    return env


def _run(cmd: list, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run([str(c) for c in cmd], cwd=EXT, env=_env(), capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=timeout)


def _npm(*args: str) -> subprocess.CompletedProcess:
    proc = _run([shutil.which("npm") or "npm", "run", "--silent", *args])
    assert proc.returncode == 0, f"npm run {' '.join(args)}: exit code {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc


def _node(script: str, *args: str) -> str:
    """Runs `script` with node in vscode-extension/ (compiled modules are under out/)."""
    proc = _run([shutil.which("node") or "node", "-e", script, *args])
    assert proc.returncode == 0, f"node failed: exit code {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


@pytest.fixture(scope="module")
def compiled() -> None:
    """`tsc -p .`: type-checks everything and builds src/ and test/ into out/."""
    _npm("compile")


# -- build, lint, unit tests --------------------------------------------------------------


def test_typescript_compiles_in_strict_mode(compiled):
    tsconfig = (EXT / "tsconfig.json").read_text(encoding="utf-8")
    assert re.search(r'"strict":\s*true', tsconfig)
    for module in ("extension", "settings", "serverCommand", "filePatterns", "pythonExtension"):
        assert (EXT / "out" / "src" / f"{module}.js").is_file(), f"tsc did not emit out/src/{module}.js"


def test_eslint_is_clean():
    proc = _npm("lint")
    assert proc.stdout.strip() == "", proc.stdout


def test_unit_tests_of_vscode_free_modules_pass(compiled):
    proc = _npm("test:unit")
    counts = dict(re.findall(r"^# (tests|pass|fail|cancelled|skipped|todo) (\d+)$", proc.stdout, re.M))
    assert counts.get("fail") == "0" and counts.get("cancelled") == "0", proc.stdout[-3000:]
    assert int(counts.get("pass", 0)) >= 30 and counts["pass"] == counts["tests"], counts
    for unit in ("settings", "serverCommand", "filePatterns"):
        assert (EXT / "out" / "test" / f"{unit}.test.js").is_file()


# -- the VSIX ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def vsix(tmp_path_factory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("vsix") / "layerlint.vsix"
    _npm("package", "--", "--out", str(out))  # runs vscode:prepublish (esbuild) first
    assert out.is_file(), f"vsce wrote no {out}"
    return zipfile.ZipFile(out)


def test_vsix_holds_manifest_bundle_readme_and_license(vsix):
    names = set(vsix.namelist())
    for required in ("extension.vsixmanifest", "[Content_Types].xml", "extension/package.json",
                     "extension/dist/extension.js", "extension/readme.md", "extension/LICENSE.txt"):
        assert required in names, f"{required} is not in the VSIX: {sorted(names)[:20]}"
    assert "Dockerfile" in vsix.read("extension/readme.md").decode()
    assert "MIT License" in vsix.read("extension/LICENSE.txt").decode()


def test_vsix_leaves_out_sources_tests_and_node_modules(vsix):
    names = vsix.namelist()
    unwanted = [n for n in names if n.startswith(("extension/node_modules/", "extension/src/", "extension/test/",
                                                    "extension/out/", "extension/scripts/"))
                or n.endswith((".ts", ".map", ".vsix", "tsconfig.json", "eslint.config.mjs", "package-lock.json"))
                or "/__pycache__/" in n or n.startswith("extension/bundled/libs/bin/")]
    assert unwanted == [], unwanted[:20]
    # everything else is the Python bundle (when `npm run bundle` filled bundled/libs)
    extra = [n for n in names if not n.startswith("extension/bundled/libs/")]
    assert len(extra) == 6, extra


def test_vsix_carries_the_bundled_server_exactly_when_it_was_built(vsix):
    names = set(vsix.namelist())
    if (BUNDLE / "layerlint").is_dir():
        assert "extension/bundled/libs/layerlint/server/__init__.py" in names
        assert "extension/bundled/libs/pygls/__init__.py" in names
    else:
        assert not any(n.startswith("extension/bundled/") for n in names)


def test_bundled_extension_js_needs_only_vscode_and_node_builtins(vsix):
    """esbuild inlined vscode-languageclient: the VSIX runs without node_modules."""
    code = vsix.read("extension/dist/extension.js").decode()
    required = set(re.findall(r'require\("([^"]+)"\)', code))
    builtins = set(json.loads(_node("process.stdout.write(JSON.stringify(require('node:module').builtinModules))")))
    foreign = {r for r in required if r != "vscode" and r.removeprefix("node:") not in builtins}
    assert "vscode" in required and not foreign, foreign
    assert "textDocument/publishDiagnostics" in code  # the language client is in the bundle


def test_vsix_manifest_activation_settings_commands_and_versions(vsix):
    pkg = json.loads(vsix.read("extension/package.json"))
    assert pkg["main"] == "./dist/extension.js"
    assert pkg["engines"]["vscode"] == "^1.91.0"
    assert pkg["activationEvents"] == ["onLanguage:dockerfile"]
    assert not pkg.get("extensionDependencies"), "the Python extension must stay optional"
    assert pkg["contributes"]["languages"] == [{
        "id": "dockerfile", "aliases": ["Dockerfile"], "filenames": ["Dockerfile", "Containerfile"],
        "filenamePatterns": ["Dockerfile.*", "Containerfile.*", "*.Dockerfile"], "extensions": [".dockerfile"]}]
    props = pkg["contributes"]["configuration"]["properties"]
    assert sorted(props) == sorted(f"layerlint.{k}" for k in (
        "enable", "interpreter", "path", "args", "select", "extendSelect", "ignore", "severity", "shellcheck",
        "debounceMs", "configPath", "trace.server"))
    assert {c["command"] for c in pkg["contributes"]["commands"]} == {"layerlint.restart", "layerlint.showOutput"}
    restricted = pkg["capabilities"]["untrustedWorkspaces"]["restrictedConfigurations"]
    assert set(restricted) == {"layerlint.path", "layerlint.interpreter", "layerlint.args"}
    manifest = vsix.read("extension.vsixmanifest").decode()
    assert '<Property Id="Microsoft.VisualStudio.Code.Engine" Value="^1.91.0" />' in manifest
    assert pkg["devDependencies"]["@types/vscode"] == "1.91.0"  # vsce rejects types newer than the engine


# -- the contract with the server ------------------------------------------------------------


def test_manifest_severities_are_the_servers():
    schema = MANIFEST["contributes"]["configuration"]["properties"]["layerlint.severity"]
    assert schema["additionalProperties"]["enum"] == [*SEVERITIES, "off"]


MAP_SETTINGS = """
const { initializationOptions } = require("./out/src/settings.js");
const { manifestDefaults } = require("./out/test/manifest.js");
const raw = { ...manifestDefaults(), ...JSON.parse(process.argv[1]) };
process.stdout.write(JSON.stringify(initializationOptions(raw, { workspaceFolder: process.argv[2] })));
"""


def test_manifest_defaults_mapped_by_the_extension_are_the_server_defaults(compiled, tmp_path):
    options = json.loads(_node(MAP_SETTINGS, "{}", str(tmp_path)))
    settings = Settings.from_json(options)
    assert settings.problems == []
    assert settings == Settings(), options


def test_user_settings_mapped_by_the_extension_are_understood_by_the_server(compiled, tmp_path):
    user = {"select": ["DL3008", "security"], "extendSelect": ["LL2001"], "ignore": ["DL3059"],
            "severity": {"DL3008": "error", "DL3015": "off"}, "shellcheck": True, "debounceMs": 40,
            "enable": False, "configPath": "ci/layerlint.toml", "interpreter": ["/x/python"], "path": ["/x/ll"]}
    settings = Settings.from_json(json.loads(_node(MAP_SETTINGS, json.dumps(user), str(tmp_path))))
    assert settings.problems == []
    assert settings == Settings(enable=False, config_path=str(tmp_path / "ci" / "layerlint.toml"),
                                select=["DL3008", "security"], extend_select=["LL2001"], ignore=["DL3059"],
                                severity={"DL3008": "error", "DL3015": "off"}, shellcheck=True, debounce_ms=40)


RESOLVE_SERVER = """
const { launchSettings, initializationOptions, toServerSettings } = require("./out/src/settings.js");
const { serverCandidates, chooseServer, runProbe, findOnPath } = require("./out/src/serverCommand.js");
const { manifestDefaults } = require("./out/test/manifest.js");
const [user, folder, bundledLibs] = JSON.parse(process.argv[1]);
const raw = { ...manifestDefaults(), ...user };
const ctx = { workspaceFolder: folder };
const candidates = serverCandidates({
  launch: launchSettings(raw, ctx), trusted: true, bundledLibs: bundledLibs || undefined,
  which: (name) => findOnPath(name),
});
chooseServer(candidates, (p) => runProbe(p, { cwd: process.cwd() })).then((choice) => {
  process.stdout.write(JSON.stringify({
    chosen: choice.chosen, attempts: choice.attempts.map((a) => [a.candidate.origin, a.reason]),
    initializationOptions: initializationOptions(raw, ctx), folderSettings: toServerSettings(raw, ctx),
  }));
});
"""


class StdioClient:
    """Just enough of an LSP client: framing, requests, and answers to the server's requests."""

    def __init__(self, command: list[str], env: dict[str, str], cwd: Path, folder_settings: dict):
        self.proc = subprocess.Popen(command, cwd=cwd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self.folder_settings = folder_settings
        self.configuration_answers: list = []
        self.messages: queue.Queue = queue.Queue()
        self.ids = iter(range(1, 1_000_000))
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        stream = self.proc.stdout
        while True:
            length = None
            while (line := stream.readline()) not in (b"\r\n", b""):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            if not line or length is None:
                self.messages.put(None)
                return
            self.messages.put(json.loads(stream.read(length)))

    def send(self, message: dict) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        self.proc.stdin.flush()

    def request(self, method: str, params) -> int:
        msg_id = next(self.ids)
        self.send({"id": msg_id, "method": method, "params": params})
        return msg_id

    def wait(self, predicate, timeout: float = 20.0) -> dict:
        """The first message matching `predicate`; the server's own requests are answered meanwhile."""
        while True:
            try:
                msg = self.messages.get(timeout=timeout)
            except queue.Empty:
                pytest.fail(f"no expected message within {timeout} s; server stderr:\n{self.stderr()}")
            if msg is None:
                pytest.fail(f"the server closed its output; stderr:\n{self.stderr()}")
            if "method" in msg and "id" in msg:  # a request from the server
                result = None
                if msg["method"] == "workspace/configuration":
                    result = [self.folder_settings if item.get("section") == "layerlint" else None
                              for item in msg["params"]["items"]]
                    self.configuration_answers.append(result)
                self.send({"id": msg["id"], "result": result})
            if predicate(msg):
                return msg

    def stderr(self) -> str:
        if self.proc.poll() is None:
            self.proc.kill()
        return self.proc.stderr.read().decode(errors="replace")[-4000:]

    def close(self) -> None:
        if self.proc.poll() is None:
            shutdown = self.request("shutdown", None)
            self.wait(lambda m: m.get("id") == shutdown)
            self.send({"method": "exit"})
            self.proc.wait(timeout=10)
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            stream.close()


DOCKERFILE = "FROM ubuntu\nRUN apt-get update && apt-get install -y curl\n"


@pytest.mark.parametrize("source", ["interpreter", "bundled"])
def test_the_server_command_the_extension_resolves_runs_the_server_with_its_settings(compiled, tmp_path, source):
    """Resolution as in the extension (settings -> candidates -> probe), then an LSP session with
    the resolved command, from the extension's directory, as VS Code would start it."""
    user = {"ignore": ["DL3009"], "severity": {"DL3008": "error"}, "debounceMs": 0}
    if source == "interpreter":
        user["interpreter"] = [sys.executable]
        bundle = ""
    else:
        if not (BUNDLE / "layerlint").is_dir():
            pytest.skip("no bundled server in vscode-extension/bundled/libs (`npm run bundle` or `make vsix`)")
        bundle = str(BUNDLE)
    resolved = json.loads(_node(RESOLVE_SERVER, json.dumps([user, str(tmp_path), bundle])))
    chosen = resolved["chosen"]
    assert chosen and chosen["source"] == source, resolved
    assert chosen["args"][-3:] == ["-m", "layerlint", "server"]
    if source == "bundled":
        assert chosen["env"]["PYTHONPATH"].split(os.pathsep)[0] == str(BUNDLE)
    # what the server gets: the empty `select` default is left out, client-only keys too
    assert resolved["folderSettings"] == {"enable": True, "extendSelect": [], "ignore": ["DL3009"],
                                          "severity": {"DL3008": "error"}, "debounceMs": 0}
    assert resolved["initializationOptions"] == {"settings": resolved["folderSettings"]}

    client = StdioClient([chosen["command"], *chosen["args"]], {**_env(), **chosen["env"]}, EXT,
                         resolved["folderSettings"])
    try:
        folder = tmp_path.as_uri()
        init = client.request("initialize", {
            "processId": os.getpid(), "rootUri": folder,
            "workspaceFolders": [{"uri": folder, "name": "ws"}],
            "initializationOptions": resolved["initializationOptions"],
            "capabilities": {"workspace": {"configuration": True, "workspaceFolders": True},
                             "textDocument": {"publishDiagnostics": {"versionSupport": True}}}})
        result = client.wait(lambda m: m.get("id") == init)["result"]
        assert result["serverInfo"]["name"] == "layerlint"
        assert result["capabilities"]["textDocumentSync"]["change"] == 2  # incremental
        client.send({"method": "initialized", "params": {}})
        client.wait(lambda m: m.get("method") == "workspace/configuration")
        assert client.configuration_answers == [[resolved["folderSettings"]]]

        uri = (tmp_path / "Dockerfile").as_uri()
        client.send({"method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": uri, "languageId": "dockerfile", "version": 1, "text": DOCKERFILE}}})
        published = client.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                                and m["params"]["uri"] == uri)["params"]
        found = {d["code"]: d for d in published["diagnostics"]}
        assert published["version"] == 1
        assert set(found) == {"DL3006", "DL3008", "DL3015"}  # DL3009 ignored by the setting
        assert found["DL3008"]["severity"] == 1  # error, from the severity setting
        assert found["DL3008"]["range"]["start"]["line"] == 1
    finally:
        client.close()


# -- the packaged extension in a stand-in extension host ------------------------------------


def _defaults() -> dict:
    """What VS Code hands out for `layerlint.*` when nothing is set."""
    return {key.removeprefix("layerlint."): schema["default"]
            for key, schema in MANIFEST["contributes"]["configuration"]["properties"].items()}


def _host(vsix, folder: Path, settings: dict, **scenario) -> dict:
    """Activates dist/extension.js (the file the VSIX carries) with `settings` over the manifest
    defaults, waits for the server's first workspace/configuration request, an error message
    or the "disabled" status, deactivates, and returns what the host saw."""
    assert vsix.read("extension/dist/extension.js") == (EXT / "dist" / "extension.js").read_bytes()
    scenario = {"folder": str(folder), "settings": {**_defaults(), **settings}, **scenario}
    proc = _run([shutil.which("node") or "node", "test/host/fakeVscodeHost.cjs", EXT, json.dumps(scenario)], timeout=60)
    assert proc.returncode == 0, f"the host failed: exit code {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    report = json.loads(proc.stdout)
    assert "host: timed out" not in report["logs"], report
    return report


SERVER_SETTINGS = {"ignore": ["DL3009"], "severity": {"DL3008": "error"}, "configPath": "ci/layerlint.toml"}


def _mapped(folder: Path) -> dict:
    return {"enable": True, "configPath": str(folder / "ci" / "layerlint.toml"), "extendSelect": [],
            "ignore": ["DL3009"], "severity": {"DL3008": "error"}, "debounceMs": 150}


def test_extension_starts_the_interpreters_server_and_answers_its_configuration(vsix, tmp_path):
    report = _host(vsix, tmp_path, {**SERVER_SETTINGS, "interpreter": [sys.executable]})
    assert report["popups"] == []
    assert report["statuses"] == ["layerlint: running"]
    command = f"{sys.executable} -m layerlint server"
    assert f"info: server command: {command} (setting layerlint.interpreter)" in report["logs"]
    # initializationOptions and the answer to the server's workspace/configuration request carry
    # the server's keys only, with the empty `select` left out and configPath made absolute
    assert report["initializationOptions"] == {"settings": _mapped(tmp_path)}
    assert report["configurationAnswers"] == [[_mapped(tmp_path)]]
    assert report["commands"] == ["layerlint.restart", "layerlint.showOutput"]


def test_extension_uses_the_python_extensions_interpreter_in_a_trusted_workspace(vsix, tmp_path):
    report = _host(vsix, tmp_path, SERVER_SETTINGS, pythonExtensionInterpreter=sys.executable)
    assert report["statuses"] == ["layerlint: running"], report
    assert (f"info: server command: {sys.executable} -m layerlint server (the Python extension's interpreter)"
            in report["logs"])


def test_extension_ignores_the_python_extensions_interpreter_in_an_untrusted_workspace(vsix, tmp_path):
    report = _host(vsix, tmp_path, SERVER_SETTINGS, pythonExtensionInterpreter=sys.executable, trusted=False)
    seen = "\n".join(report["logs"] + report["popups"])
    assert "Python extension" not in seen, report  # the workspace may have chosen that interpreter
    if (BUNDLE / "layerlint").is_dir():
        assert "(the bundled copy run by " in seen and report["statuses"] == ["layerlint: running"], report
    else:  # whatever PATH offers, or a clear failure
        assert "server command:" in seen or "could not start the language server" in seen, report


def test_extension_reports_a_failing_interpreter_setting_once_and_clearly(vsix, tmp_path):
    missing = str(tmp_path / "no-such-python")
    report = _host(vsix, tmp_path, {"interpreter": [missing]}, pythonExtensionInterpreter=sys.executable)
    assert report["statuses"] == ["layerlint: not running"]
    assert len(report["popups"]) == 1, report["popups"]
    message = report["popups"][0]
    assert message.startswith("layerlint: could not start the language server.\nTried:\n")
    assert f"- setting layerlint.interpreter: {missing} -m layerlint server -> not found" in message
    assert "set layerlint.interpreter or layerlint.path" in message
    assert "Python extension" not in message  # an explicit setting is not replaced by another server


def test_extension_disabled_for_the_window_starts_no_server(vsix, tmp_path):
    report = _host(vsix, tmp_path, {"enable": False, "interpreter": [sys.executable]})
    assert report["statuses"] == ["layerlint: disabled"]
    assert report["popups"] == [] and not any("server command" in line for line in report["logs"])
