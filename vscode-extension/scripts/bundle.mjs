// Fills bundled/libs with layerlint and its dependencies, for the VSIX to carry a server
// that runs with a python3 >= 3.10 found on PATH (PYTHONPATH=bundled/libs).
//
//   npm run bundle [-- --python PYTHON] [-- --python-versions 3.10,3.11,...] [-- <pip options>]
//
// It builds layerlint's wheel from this repository and installs it with
// `pip install --target bundled/libs`. The packages come from the configured index, so this
// step needs the network (or a wheelhouse through PIP_FIND_LINKS / --find-links); offline CI
// skips it and ships a VSIX without a bundle.
//
// One resolution is not enough for every Python: compiled dependencies (tree-sitter) have one
// wheel per CPython version, and some dependencies exist only for older
// versions (tomli and exceptiongroup below 3.11). So the wheel is also resolved for each of
// --python-versions (default 3.10-3.14), with the versions already installed as constraints,
// and whatever that adds (extension modules, extra packages) is merged into the bundle.
// Versions without published wheels are reported and skipped. The bundle fits one operating
// system and architecture: for another platform pass pip's `--platform ... --only-binary=:all:`
// (they go to every install) and package with `npx vsce package --target <platform>`.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const extensionDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const repository = path.dirname(extensionDir);
const target = path.join(extensionDir, "bundled", "libs");

const argv = process.argv.slice(2);
function option(name, fallback) {
  const i = argv.indexOf(name);
  if (i === -1) return fallback;
  const [, value] = argv.splice(i, 2);
  return value;
}
const python = option("--python", process.env.PYTHON || (process.platform === "win32" ? "python" : "python3"));
const pythonVersions = option("--python-versions", "3.10,3.11,3.12,3.13,3.14").split(",").filter(Boolean);
const pipOptions = argv; // anything else goes to pip

function run(command, args, options = {}) {
  console.log(`$ ${[command, ...args].join(" ")}`);
  const result = spawnSync(command, args, { stdio: "inherit", ...options });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

function must(status, what) {
  if (status !== 0) {
    console.error(`error: ${what} failed`);
    process.exit(1);
  }
}

const pipCommon = ["--disable-pip-version-check", "--progress-bar", "off", ...pipOptions];
// --no-compile: .pyc files would be written for one Python version only
const pipInstall = (into, args) => run(python, ["-m", "pip", "install", "--target", into, "--no-compile", ...pipCommon, ...args]);

function walk(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? walk(full) : [full];
  });
}

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "layerlint-bundle-"));
try {
  const wheels = path.join(scratch, "wheels");
  must(run(python, ["-m", "pip", "wheel", "--no-deps", "--wheel-dir", wheels, ...pipCommon, repository]),
    "building the layerlint wheel");
  const wheel = path.join(wheels, fs.readdirSync(wheels).find((f) => f.endsWith(".whl")));

  fs.rmSync(target, { recursive: true, force: true });
  must(pipInstall(target, [wheel]), "installing layerlint into bundled/libs");

  const constraints = path.join(scratch, "constraints.txt");
  const pins = fs.readdirSync(target)
    .map((entry) => /^(.+)-([^-]+)\.dist-info$/.exec(entry))
    .filter((m) => m && m[1].toLowerCase() !== "layerlint")
    .map((m) => `${m[1]}==${m[2]}`);
  fs.writeFileSync(constraints, pins.join("\n") + "\n");

  const ownVersion = spawnSync(python, ["-c", "import sys; print('%d.%d' % sys.version_info[:2])"], { encoding: "utf8" })
    .stdout.trim();
  for (const version of pythonVersions.filter((v) => v !== ownVersion)) {
    const forVersion = ["--python-version", version, "--only-binary=:all:", "--constraint", constraints];
    const added = [];
    // Files pip installed into `from` that the bundle lacks (never overwrite: same versions).
    const merge = (from) => {
      for (const file of walk(from)) {
        const rel = path.relative(from, file);
        const dest = path.join(target, rel);
        if (rel.split(path.sep)[0] === "bin" || fs.existsSync(dest)) continue;
        fs.mkdirSync(path.dirname(dest), { recursive: true });
        fs.copyFileSync(file, dest);
        added.push(rel);
      }
    };
    let ok = pipInstall(path.join(scratch, `py${version}`), [...forVersion, wheel]) === 0;
    if (ok) merge(path.join(scratch, `py${version}`));
    // Dependencies behind markers such as python_version < "3.11" (see bundle_requirements.py).
    for (let round = 0; ok && round < 5; round++) {
      const missing = spawnSync(python, [path.join(extensionDir, "scripts", "bundle_requirements.py"), target, version], {
        encoding: "utf8",
      });
      must(missing.status ?? 1, "evaluating the dependency markers");
      const requirements = missing.stdout.split(/\r?\n/).filter(Boolean);
      if (!requirements.length) break;
      const into = path.join(scratch, `py${version}-markers${round}`);
      ok = pipInstall(into, [...forVersion, "--no-deps", ...requirements]) === 0;
      if (ok) merge(into);
    }
    if (!ok) {
      console.warn(`warning: layerlint's dependencies have no wheels for Python ${version}; the bundle will not run on it`);
      continue;
    }
    const summary = [...new Set(added.map((rel) => rel.split(path.sep)[0]))].join(", ");
    console.log(`Python ${version}: added ${added.length} files${summary ? ` (${summary})` : ""}`);
  }
} finally {
  fs.rmSync(scratch, { recursive: true, force: true });
}
// Console scripts carry this machine's interpreter path; the extension runs `-m layerlint`.
fs.rmSync(path.join(target, "bin"), { recursive: true, force: true });
// PyYAML's compiled accelerator is optional (its pure-Python loader reads the few lines of a
// hadolint or Compose file just as well) and would add a 2.7 MB binary per Python version.
for (const file of walk(path.join(target, "yaml"))) {
  if (/^_yaml\..*\.(so|pyd)$/.test(path.basename(file))) fs.rmSync(file);
}

// The bundle must import on its own, from a directory that is not the repository.
must(run(python, ["-c", "import layerlint.server, tree_sitter, tree_sitter_bash, sys; "
  + "print('bundled layerlint', layerlint.__version__, 'imports with Python', sys.version.split()[0])"], {
  cwd: target,
  env: { ...process.env, PYTHONPATH: target, PYTHONDONTWRITEBYTECODE: "1" },
}), "importing the bundle");
