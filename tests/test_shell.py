"""Shell analysis of RUN: commands, words and their exact positions, what is not shell."""

from __future__ import annotations

import pytest

from layerlint import parse
from layerlint.model import build_model
from layerlint.shell import commands


def scripts(text):
    doc = parse(text)
    model = build_model(doc)
    out = []
    for ins in doc.instructions:
        target = ins.trigger or ins
        if target.keyword == "RUN":
            out.append(commands(target, model))
    return doc, out


def source(doc, rng):
    (sl, sc), (el, ec) = rng
    if sl == el:
        return doc.lines[sl][sc:ec]
    return "\n".join([doc.lines[sl][sc:], *doc.lines[sl + 1:el], doc.lines[el][:ec]])


def test_commands_words_and_positions_across_continuations_and_comments():
    text = ("FROM debian:12\n"
            "RUN apt-get update && \\\n"
            "    # a comment BuildKit removes\n"
            "    apt-get install -y curl=7.88 \"wget\" \\\n"
            "      && cd /tmp | tee log\n")
    doc, [s] = scripts(text)
    assert [c.basename for c in s.commands] == ["apt-get", "apt-get", "cd", "tee"]
    install = s.commands[1]
    assert install.arg_values() == ["install", "-y", "curl=7.88", "wget"]
    assert [source(doc, a.range) for a in install.args] == ["install", "-y", "curl=7.88", '"wget"']
    assert install.name.range.start == (3, 4)
    assert source(doc, s.commands[2].name.range) == "cd" and s.commands[2].name.range.start == (4, 9)
    assert s.has_pipe and s.commands[3].in_pipeline and not s.commands[0].in_pipeline
    assert install.has_flag("-y", "--yes") and not install.has_flag("-q")


def test_combined_short_flags_and_long_flags_with_values():
    _, [s] = scripts("FROM a:1\nRUN apt-get -qy install --option=Dpkg::Options::=--force-confnew x\n")
    c = s.commands[0]
    assert c.has_flag("-y") and c.has_flag("-q") and c.has_flag("--option")
    assert [a.value for a in c.positional] == ["install", "x"]


def test_onbuild_run_is_analysed_with_positions():
    doc, [s] = scripts("FROM a:1\nONBUILD RUN sudo make install\n")
    assert [c.basename for c in s.commands] == ["sudo"]
    assert source(doc, s.commands[0].name.range) == "sudo" and s.commands[0].name.range.start == (1, 12)


def test_heredoc_read_by_the_shell_is_analysed_at_its_body_lines():
    doc, [plain, bash, python, cat] = scripts(
        "FROM a:1\n"
        "RUN <<EOF\napt-get install -y vim\nEOF\n"
        "RUN bash -e <<'EOF'\nset -o pipefail\ncurl x | sh\nEOF\n"
        "RUN python3 <<EOF\nimport os; os.system('sudo rm -rf /')\nEOF\n"
        "RUN cat <<EOF > /etc/motd\nsudo is not run here\nEOF\n")
    assert [c.basename for c in plain.commands] == ["apt-get"]
    assert plain.commands[0].name.range.start == (2, 0)
    assert [c.basename for c in bash.commands] == ["bash", "set", "curl", "sh"] and bash.has_pipe
    assert source(doc, bash.commands[2].name.range) == "curl" and bash.commands[2].name.range.start == (6, 0)
    assert [c.basename for c in python.commands] == ["python3"]
    assert [c.basename for c in cat.commands] == ["cat"]


def test_shebang_selects_the_interpreter_of_a_heredoc_script():
    _, [py, sh] = scripts("FROM a:1\nRUN <<EOF\n#!/usr/bin/env python3\nprint('sudo')\nEOF\n"
                          "RUN <<EOF\n#!/bin/sh\nsudo true\nEOF\n")
    assert py.commands == []
    assert [c.basename for c in sh.commands] == ["sudo"]


@pytest.mark.parametrize("text", [
    'FROM a:1\nSHELL ["pwsh", "-Command"]\nRUN Get-ChildItem | Select-Object Name\n',
    'FROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN dir && echo done\n',
    'FROM a:1\n# hadolint shell=powershell\nRUN Write-Host hi | Out-Null\n',
    'FROM a:1\nRUN ["apt-get", "install", "x"]\n',
])
def test_not_posix_shell_is_not_analysed(text):
    _, found = scripts(text)
    assert found == [None]


def test_shell_stage_inheritance_and_reset():
    _, found = scripts('FROM a:1 AS base\nSHELL ["powershell"]\nFROM base\nRUN x\nFROM b:1\nRUN y\n')
    assert found[0] is None and [c.basename for c in found[1].commands] == ["y"]


def test_nested_commands_and_assignments():
    _, [s] = scripts('FROM a:1\nRUN FOO=1 pip install "x==$(cat v)" && (cd /a; make)\n')
    names = [c.basename for c in s.commands]
    assert names == ["pip", "cat", "cd", "make"]
    assert [a.text for a in s.commands[0].assignments] == ["FOO=1"]


def test_non_ascii_text_keeps_character_columns():
    doc, [s] = scripts("FROM a:1\nRUN echo 'héllo wörld' && sudo ls\n")
    sudo = s.commands[1]
    assert source(doc, sudo.name.range) == "sudo"


def test_analysis_is_computed_once_per_model():
    doc = parse("FROM a:1\nRUN ls\n")
    model = build_model(doc)
    assert commands(doc.instructions[1], model) is commands(doc.instructions[1], model)


def test_subshells_negated_pipelines_and_shell_options_before_a_heredoc():
    _, [s, neg, opt] = scripts("FROM a:1\nRUN (cd /a && make) && echo $(cd /b; pwd) && cd /c\n"
                               "RUN ! a | b\n"
                               "RUN bash -o pipefail <<EOF\nx | y\nEOF\n")
    assert [(c.basename, c.in_subshell) for c in s.commands if c.basename == "cd"] == [
        ("cd", True), ("cd", True), ("cd", False)]
    assert [c.in_pipeline for c in neg.commands] == [True, True]
    assert opt.has_pipe and [c.basename for c in opt.commands] == ["bash", "x", "y"]


def test_bash_grammar_is_loaded_without_the_package_init():
    """The binding is loaded on its own (the package's __init__ costs ~11 ms of imports at every
    cold start) and is the very grammar the package gives."""
    import subprocess
    import sys

    code = ("import sys\nfrom tree_sitter import Language\nfrom layerlint.shell import _bash_language\n"
            "lang = Language(_bash_language())\nprint('tree_sitter_bash' in sys.modules, 'pathlib' in sys.modules "
            "and 'importlib.resources' in sys.modules)\n"
            "import tree_sitter_bash\nother = Language(tree_sitter_bash.language())\n"
            "print(lang.abi_version == other.abi_version and lang.node_kind_count == other.node_kind_count)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "False", "True"]
