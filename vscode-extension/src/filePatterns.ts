// Which files are Dockerfiles, and how VS Code decides it from the manifest.
//
// The extension selects documents by language id (`dockerfile`) so that a user's
// `files.associations` keep the last word (a `Dockerfile.j2` template mapped to Jinja is not
// linted). The file names reach the `dockerfile` language through the `contributes.languages`
// entry in package.json, which must equal DOCKERFILE_LANGUAGE below (a unit test checks it).
// `matchesContribution` follows VS Code's rules for such entries: exact file names,
// extensions and glob patterns on the base name, all compared case-insensitively.
// No `vscode` import: this module is unit-tested with plain node.

export interface LanguageContribution {
  id: string;
  aliases?: string[];
  filenames?: string[];
  filenamePatterns?: string[];
  extensions?: string[];
}

/** The `contributes.languages` entry of package.json. */
export const DOCKERFILE_LANGUAGE: LanguageContribution = {
  id: "dockerfile",
  aliases: ["Dockerfile"],
  filenames: ["Dockerfile", "Containerfile"],
  filenamePatterns: ["Dockerfile.*", "Containerfile.*", "*.Dockerfile"],
  extensions: [".dockerfile"],
};

/**
 * A glob of VS Code's dialect, for one path segment: `*` (any run of characters other than
 * a separator), `?` (one such character), `{a,b}` (alternatives); everything else literal.
 */
export function globToRegExp(glob: string, flags = "i"): RegExp {
  let re = "";
  let inBraces = false;
  for (const ch of glob) {
    if (ch === "*") re += "[^/\\\\]*";
    else if (ch === "?") re += "[^/\\\\]";
    else if (ch === "{" && !inBraces) {
      inBraces = true;
      re += "(?:";
    } else if (ch === "}" && inBraces) {
      inBraces = false;
      re += ")";
    } else if (ch === "," && inBraces) re += "|";
    else re += ch.replace(/[.+^$()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`, flags);
}

function baseName(fileName: string): string {
  return fileName.split(/[\\/]/).pop() ?? fileName;
}

/** Whether VS Code gives `fileName` (a path or a base name) the contributed language. */
export function matchesContribution(fileName: string, contribution: LanguageContribution): boolean {
  const name = baseName(fileName).toLowerCase();
  if (!name) return false;
  if (contribution.filenames?.some((f) => f.toLowerCase() === name)) return true;
  if (contribution.extensions?.some((e) => name.endsWith(e.toLowerCase()))) return true;
  return contribution.filenamePatterns?.some((p) => globToRegExp(p).test(name)) ?? false;
}

/** Whether the extension treats `fileName` as a Dockerfile (absent other associations). */
export function isDockerfileName(fileName: string): boolean {
  return matchesContribution(fileName, DOCKERFILE_LANGUAGE);
}
