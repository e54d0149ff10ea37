// Which file names get the `dockerfile` language from the manifest, and that the manifest
// declares what the extension needs (activation, language association, commands, versions).
import { test } from "node:test";
import * as assert from "node:assert/strict";
import { DOCKERFILE_LANGUAGE, globToRegExp, isDockerfileName, matchesContribution } from "../src/filePatterns";
import { manifest } from "./manifest";

test("package.json contributes exactly the association the extension documents", () => {
  const languages = manifest().contributes.languages;
  assert.deepEqual(languages, [DOCKERFILE_LANGUAGE]);
});

test("Dockerfile names that get the dockerfile language", () => {
  for (const name of [
    "Dockerfile",
    "Containerfile",
    "app.dockerfile",
    "app.Dockerfile",
    "Dockerfile.dev",
    "Dockerfile.prod.arm64",
    "Containerfile.builder",
    "dockerfile", // VS Code compares file names case-insensitively
    "/src/services/api/Dockerfile",
    "C:\\src\\api\\Dockerfile.ci",
    "services/web/build.Dockerfile",
  ]) {
    assert.equal(isDockerfileName(name), true, name);
  }
});

test("names that are not Dockerfiles", () => {
  for (const name of [
    ".dockerignore",
    "Dockerfile-prod", // identify (pre-commit) does not tag it either
    "Dockerfiles",
    "Dockerfile/notes.txt",
    "docker-compose.yml",
    "Containerfile_old",
    "README.md",
    "",
  ]) {
    assert.equal(isDockerfileName(name), false, name);
  }
});

test("globToRegExp: *, ? and {a,b} stay within one path segment; other characters are literal", () => {
  assert.equal(globToRegExp("Dockerfile.*").test("Dockerfile.dev"), true);
  assert.equal(globToRegExp("Dockerfile.*").test("DockerfileXdev"), false);
  assert.equal(globToRegExp("*.Dockerfile").test("a/b.Dockerfile"), false);
  assert.equal(globToRegExp("Dockerfile.?").test("Dockerfile.1"), true);
  assert.equal(globToRegExp("{Docker,Container}file").test("Containerfile"), true);
  assert.equal(globToRegExp("a+b(c)").test("a+b(c)"), true);
  assert.equal(matchesContribution("x.FOO", { id: "foo", extensions: [".foo"] }), true);
});

test("the manifest activates on the dockerfile language and contributes the commands", () => {
  const m = manifest();
  assert.deepEqual(m.activationEvents, ["onLanguage:dockerfile"]);
  assert.deepEqual(
    m.contributes.commands.map((c) => c.command),
    ["layerlint.restart", "layerlint.showOutput"],
  );
});

test("versions: @types/vscode is the engines floor; the languageclient's floor is met", () => {
  const m = manifest();
  const floor = m.engines.vscode.replace(/^\^/, "");
  // vsce refuses @types/vscode newer than engines.vscode (ecosystem gotcha 1)
  assert.equal(m.devDependencies["@types/vscode"], floor);
  // vscode-languageclient 10 and 11 need VS Code ^1.91.0 (gotcha 2: vsce does not check it)
  assert.match(m.dependencies["vscode-languageclient"], /^11\./);
  const [major, minor] = floor.split(".").map(Number);
  assert.ok(major > 1 || minor >= 91, `engines.vscode ${m.engines.vscode} is below ^1.91.0`);
  // typescript-eslint 8 supports TypeScript < 6.1; TypeScript 7 has no JS compiler API (gotcha 4)
  assert.match(m.devDependencies.typescript, /^5\./);
});
