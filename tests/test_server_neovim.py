"""A real editor as the client: headless Neovim with its built-in LSP client runs `layerlint
server`, opens a Dockerfile, and writes what it shows (diagnostics, a hover) to a JSON file.

Skips when `nvim` is not installed (CI installs Debian's `neovim` where it can, see .ci/run).
Works with Neovim 0.7 (Debian bookworm: `vim.lsp.start_client` + `buf_attach_client`) and
later (`vim.lsp.start`). One Neovim run serves every test in this module.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time

import pytest

NVIM = shutil.which("nvim")
SERVER = [sys.executable, "-m", "layerlint", "server"]
NVIM_TIMEOUT = 25  # seconds for the whole Neovim session; the Lua side waits at most 10 s per step

# One line per finding, each at a position a user would look at; line 3 has a 4-byte emoji
# (2 UTF-16 units) before the package, so its column checks the position conversions end to end.
DOCKERFILE = (
    "from debian:12\n"
    "MAINTAINER someone\n"
    'RUN echo "\U0001F600" && apt-get install -y --no-install-recommends curl\n'
    "WORKDIR app\n"
)
HOVER_AT = (2, 1)  # inside the RUN keyword

INIT_LUA = r"""
-- Driven by tests/test_server_neovim.py through environment variables.
local out_path = os.getenv("LAYERLINT_NVIM_OUT")
local dockerfile = os.getenv("LAYERLINT_NVIM_FILE")
local cmd = vim.fn.json_decode(os.getenv("LAYERLINT_NVIM_CMD"))
local hover_at = vim.fn.json_decode(os.getenv("LAYERLINT_NVIM_HOVER"))
local wait_ms = 10000

local function write(result)
  local f = assert(io.open(out_path, "w"))
  f:write(vim.fn.json_encode(result))
  f:close()
end

local function hover_text(contents)
  -- MarkupContent, MarkedString or a list of them, as Neovim renders it in its hover window
  local lines = vim.lsp.util.convert_input_to_markdown_lines(contents)
  return table.concat(lines, "\n")
end

local function run(result)
  vim.cmd("edit " .. vim.fn.fnameescape(dockerfile))
  local bufnr = vim.api.nvim_get_current_buf()
  local published = 0
  local config = {
    name = "layerlint",
    cmd = cmd,
    root_dir = vim.fn.fnamemodify(dockerfile, ":h"),
    init_options = { settings = { debounceMs = 0 } },
    settings = { layerlint = { debounceMs = 0 } },
    get_language_id = function() return "dockerfile" end,
    handlers = {
      ["textDocument/publishDiagnostics"] = function(err, params, ctx, handler_config)
        published = published + 1
        local default = vim.lsp.diagnostic.on_publish_diagnostics
          or vim.lsp.handlers["textDocument/publishDiagnostics"]
        return default(err, params, ctx, handler_config)
      end,
    },
  }
  local client_id
  if vim.lsp.start then  -- Neovim >= 0.8: starts (or reuses) and attaches to the current buffer
    result.api = "vim.lsp.start"
    client_id = vim.lsp.start(config)
  else  -- Neovim 0.7
    result.api = "vim.lsp.start_client"
    client_id = vim.lsp.start_client(config)
    vim.lsp.buf_attach_client(bufnr, client_id)
  end
  assert(client_id, "the language client did not start")

  local uv = vim.uv or vim.loop
  local started = uv.hrtime()
  if not vim.wait(wait_ms, function() return published > 0 end, 10) then
    error("no diagnostics published within " .. wait_ms .. " ms")
  end
  result.diagnostics_ms = (uv.hrtime() - started) / 1e6
  result.diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(result.diagnostics, {
      code = d.code, line = d.lnum, col = d.col, end_line = d.end_lnum, end_col = d.end_col,
      severity = d.severity, source = d.source, message = d.message,
    })
  end

  local client = vim.lsp.get_client_by_id(client_id)
  result.offset_encoding = client.offset_encoding
  local caps = client.server_capabilities or {}
  result.hover_provider = caps.hoverProvider and true or false
  if result.hover_provider then
    local params = {
      textDocument = { uri = vim.uri_from_bufnr(bufnr) },
      position = { line = hover_at[1], character = hover_at[2] },
    }
    local answers, reason = vim.lsp.buf_request_sync(bufnr, "textDocument/hover", params, wait_ms)
    local answer = answers and answers[client_id]
    if not answer then
      result.hover_error = "no answer: " .. tostring(reason)
    elseif answer.err or answer.error then
      result.hover_error = vim.inspect(answer.err or answer.error)
    elseif answer.result and answer.result.contents then
      result.hover = hover_text(answer.result.contents)
    else
      result.hover = vim.NIL
    end
  end

  pcall(vim.lsp.stop_client, client_id)  -- shutdown + exit, so the server process ends with Neovim
  vim.wait(3000, function() return vim.lsp.get_client_by_id(client_id) == nil end, 10)
end

vim.api.nvim_create_autocmd("VimEnter", {
  once = true,
  callback = function()
    local v = vim.version()
    local result = { nvim = string.format("%d.%d.%d", v.major, v.minor, v.patch) }
    local ok, err = pcall(run, result)
    if not ok then result.error = tostring(err) end
    write(result)
    vim.cmd("qall!")
  end,
})
"""


def nvim_version() -> tuple[int, ...] | None:
    try:
        first = subprocess.run([NVIM, "--version"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"NVIM v(\d+)\.(\d+)\.(\d+)", first)
    return tuple(int(x) for x in match.groups()) if match else None


@pytest.fixture(scope="module")
def session(tmp_path_factory) -> dict:
    """Runs Neovim once and returns what it wrote, plus `elapsed` (s) and `dir`."""
    if NVIM is None:
        pytest.skip("nvim is not installed (Debian: apt-get install neovim); the Neovim client test needs it")
    version = nvim_version()
    if version is None or version < (0, 7, 0):
        pytest.skip(f"Neovim >= 0.7 is needed for vim.diagnostic and the LSP client API (found {version})")
    tmp = tmp_path_factory.mktemp("neovim")
    project = tmp / "project"
    project.mkdir()
    dockerfile = project / "Dockerfile"
    dockerfile.write_text(DOCKERFILE, encoding="utf-8")
    init = tmp / "init.lua"
    init.write_text(INIT_LUA, encoding="utf-8")
    out = tmp / "result.json"
    home = tmp / "home"  # keeps Neovim's state, cache (lsp.log) and data out of the user's home
    env = {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(home / "config"),
           "XDG_DATA_HOME": str(home / "data"), "XDG_STATE_HOME": str(home / "state"),
           "XDG_CACHE_HOME": str(home / "cache"),
           "LAYERLINT_NVIM_OUT": str(out), "LAYERLINT_NVIM_FILE": str(dockerfile),
           "LAYERLINT_NVIM_CMD": json.dumps(SERVER), "LAYERLINT_NVIM_HOVER": json.dumps(list(HOVER_AT))}
    start = time.monotonic()
    try:
        proc = subprocess.run([NVIM, "--headless", "--clean", "-n", "-i", "NONE", "-u", str(init)],
                              env=env, cwd=project, stdin=subprocess.DEVNULL, capture_output=True,
                              text=True, timeout=NVIM_TIMEOUT)
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"Neovim did not finish within {NVIM_TIMEOUT} s; stderr: {e.stderr!r}")
    elapsed = time.monotonic() - start
    assert out.exists(), f"Neovim wrote no result (exit {proc.returncode}); stderr: {proc.stderr}"
    result = json.loads(out.read_text(encoding="utf-8"))
    assert "error" not in result, f"{result['error']}\nNeovim stderr: {proc.stderr}"
    return {**result, "elapsed": elapsed, "dir": project, "file": dockerfile}


def byte_column(line: str, code_points: int) -> int:
    """Neovim's diagnostic columns are byte offsets into the UTF-8 line."""
    return len(line[:code_points].encode("utf-8"))


def test_neovim_shows_the_servers_diagnostics_at_the_right_words(session):
    shown = {d["code"]: d for d in session["diagnostics"]}
    lines = DOCKERFILE.splitlines()
    curl = byte_column(lines[2], lines[2].index("curl"))
    expected = {  # code: (line, col, end_line, end_col) in Neovim's 0-based line / byte columns
        "LL8003": (0, 0, 0, 4),    # `from` in lower case
        "DL4000": (1, 0, 1, 10),   # MAINTAINER
        "DL3008": (2, curl, 2, curl + 4),  # the unpinned `curl`, after the emoji
        "DL3000": (3, 8, 3, 11),   # the relative `app`
    }
    for code, position in expected.items():
        assert code in shown, f"{code} missing from {sorted(shown)}"
        d = shown[code]
        assert (d["line"], d["col"], d["end_line"], d["end_col"]) == position, (code, d)
        assert d["source"] == "layerlint"
    assert shown["DL4000"]["severity"] == 1  # vim.diagnostic.severity.ERROR
    assert "MAINTAINER is deprecated" in shown["DL4000"]["message"]
    assert "`curl`" in shown["DL3008"]["message"]


def test_neovim_shows_exactly_what_the_cli_reports(session):
    """The editor and `layerlint check` use one engine and one configuration lookup."""
    cli = subprocess.run([sys.executable, "-m", "layerlint", "check", "--format", "json", "--exit-zero",
                          str(session["file"])], capture_output=True, text=True, timeout=60, cwd=session["dir"])
    assert cli.returncode == 0, cli.stderr
    lines = DOCKERFILE.splitlines()
    from_cli = sorted((f["code"], f["line"] - 1, byte_column(lines[f["line"] - 1], f["column"] - 1), f["message"])
                      for f in json.loads(cli.stdout))
    in_editor = sorted((d["code"], d["line"], d["col"], d["message"]) for d in session["diagnostics"])
    assert in_editor == from_cli


def test_neovim_hover_on_an_instruction_mentions_it(session):
    if not session["hover_provider"]:
        pytest.skip("the server does not advertise hoverProvider (hover not implemented yet); diagnostics were checked")
    assert "hover_error" not in session, session.get("hover_error")
    assert session.get("hover"), "no hover on the RUN keyword"
    assert "RUN" in session["hover"]

