"""Shared pieces of the `user` and `security` rules (LL5001-LL5013).

- values: `expand_text` (a Dockerfile word as BuildKit expands it, None when a
  variable has no known value), `user_part`, `is_root_user`, `strip_quotes`;
- stages and users: `stage_chain`, `chain_instructions` (the stage and the
  stages it is built `FROM`, in build order), `users_in_chain`, `user_before`
  and `final_user` (the USER in effect, expanded), `root_image`, `image_known`,
  `is_windows`;
- base images, as small documented tables: `runs_as_non_root` (images whose
  default user is not root), `entrypoint_drops_privileges` (official images
  whose entrypoint switches to a service account), `image_has_user` (accounts
  an image is known to have);
- shell: `script_tree` (the tree-sitter parse of a RUN, positions mapped back
  to the Dockerfile), `redirect_targets`, `option_words` (option names per
  word, for precise ranges), `escalates` (run through sudo/doas/fakeroot);
- paths: `normpath`, `absolute`, `is_under`;
- `NonRootRunRule`: the dispatch shared by LL5002 and LL5003 (RUN as a known
  non-root USER, ONBUILD RUN as the image's final USER).

Everything here stays silent (returns None) on facts it cannot know.
"""

from __future__ import annotations

import os
import posixpath
import re

from layerlint.ast import Range
from layerlint.patterns import lazy_pattern
from layerlint.rules._stage_sources import along_chain

# -- values -------------------------------------------------------------------------------


def top(ins):
    """The instruction that carries scope: an ONBUILD trigger's ONBUILD, else itself."""
    return ins.parent if ins.parent is not None else ins


def expand_text(text: str, ins, ctx) -> str | None:
    """`text` (an ENV/ARG/USER/COPY... word) expanded as BuildKit would at `ins`.

    None when a referenced variable has no known value or the text does not lex.
    An ONBUILD trigger is expanded with the image's ENV only (the later build
    has none of this file's ARGs).
    """
    if "$" not in text and "'" not in text and '"' not in text and "\\" not in text:
        return text
    return ctx.model.expand_known(text, ins)


def user_part(value: str) -> str:
    return value.split(":", 1)[0]


def is_root_user(value: str) -> bool:
    return user_part(value) in ("root", "0")


# -- stages and users ----------------------------------------------------------------------


def stage_chain(stage) -> list:
    """The stage and the earlier stages it is built on, nearest first."""
    out, seen = [], set()
    while stage is not None and id(stage) not in seen:
        seen.add(id(stage))
        out.append(stage)
        stage = stage.parent
    return out


def chain_instructions(stage) -> list:
    """Every instruction of the stage chain in build order (the root-most stage first)."""
    out = []
    for s in reversed(stage_chain(stage)):
        out.extend(s.instructions)
    return out


def users_in_chain(stage) -> list:
    """The USER instructions (not ONBUILD triggers) of the stage chain, in build order."""
    return [i for i in chain_instructions(stage) if i.keyword == "USER" and i.value]


def user_value(user_ins, ctx) -> str | None:
    """The expanded value of a USER instruction; None when unknown."""
    if user_ins is None or not user_ins.value:
        return None
    value = expand_text(user_ins.value[0], user_ins, ctx)
    return value or None


def user_before(ins, ctx):
    """(USER instruction in effect at `ins`, its value or None) through the stage chain.

    (None, None) when no USER was set in this file before `ins`.
    """
    target = top(ins)
    stage = ctx.model.stage_of.get(id(target))
    if stage is None:
        return None, None
    before, final = _users(stage, ctx)
    last = before.get(id(target), final)
    return last, user_value(last, ctx)


def final_user(stage, ctx):
    """(last USER instruction of the chain, its value or None)."""
    last = _users(stage, ctx)[1]
    return last, user_value(last, ctx)


def _users(stage, ctx) -> tuple[dict, object]:
    """({id(instruction): the USER in effect before it} for the stage's instructions, the USER in
    effect at the stage's end), through the stages it is built on. Once per stage and file, each
    from its parent's: walking the whole chain for every RUN, or even once per stage, is
    quadratic on long FROM chains."""

    def users(s, below):
        last = below[1] if below is not None else None
        before: dict[int, object] = {}
        for i in s.instructions:
            before[id(i)] = last
            if i.keyword == "USER" and i.value:
                last = i
        return before, last

    return along_chain(stage, ctx._state.setdefault("users", {}), users)


def root_image(stage):
    """The image the stage chain starts from (an ImageRef)."""
    return stage_chain(stage)[-1].image


_WINDOWS = lazy_pattern(r"windowsservercore|nanoserver|servercore|mcr\.microsoft\.com/windows", re.I)


def is_windows(stage) -> bool:
    for s in stage_chain(stage):
        if (s.platform or "").lower().startswith("windows") or _WINDOWS.search(s.image.resolved):
            return True
    return False


def image_known(image, model) -> bool:
    """Whether the FROM reference is fully known: no variable without a global ARG value."""
    from layerlint.shellwords import referenced_names

    if not image.resolved.strip():
        return False
    if "$" not in image.text:
        return True
    return all(model.global_args.get(n) for n in referenced_names(image.text))


# -- base images ---------------------------------------------------------------------------
#
# These tables are deliberately small; they document what the rules assume about
# images they cannot inspect. Repositories are matched without registry and
# `library/` prefix, lower-cased.

# Images whose default user is not root: repositories (an entry ending in `/` is a
# prefix), plus any image whose tag or last path part says so (`:nonroot`,
# `:debug-nonroot`, `-chiseled`, `-rootless`, `-unprivileged`).
NON_ROOT_REPOSITORIES = (
    "chainguard/",  # Chainguard images: `nonroot` (65532) by default
    "nginxinc/nginx-unprivileged",  # nginx (101)
    "bitnami/",  # Bitnami images run as 1001
    "jenkins/jenkins",  # jenkins
    "jenkins/inbound-agent",
    "jenkins/agent",
    "jupyter/",  # jovyan
    "selenium/",  # seluser
    "cimg/",  # circleci
    "circleci/",
    "gitpod/",  # gitpod
    "sonarqube",  # sonarqube
    "grafana/grafana",  # grafana (472)
    "grafana/loki",
    "grafana/promtail",
    "prom/",  # nobody
    "prometheus/",
    "docker.elastic.co/elasticsearch/",  # elasticsearch (1000)
    "confluentinc/",  # appuser
    "apache/airflow",  # airflow
    "mcr.microsoft.com/mssql/",  # mssql (10001)
    "quay.io/keycloak/",  # 1000
    "keycloak/keycloak",
    "sonatype/nexus3",  # nexus
    "fluent/fluentd",  # fluent
    "nodered/node-red",  # node-red
    "dpage/pgadmin4",  # pgadmin
    "renovate/renovate",  # ubuntu (12021)
    "paketobuildpacks/",  # cnb
)
_NON_ROOT_TAG = lazy_pattern(r"(^|[-_.])(nonroot|non-root|rootless|chiseled|unprivileged)([-_.]|$)", re.I)
_NON_ROOT_NAME = lazy_pattern(r"(^|[-_/.])(nonroot|non-root|rootless|unprivileged)([-_/.]|$)", re.I)
_NON_ROOT_REGISTRIES = ("cgr.dev", "quay.io/jupyter", "docker.elastic.co/elasticsearch")

# Official images whose entrypoint starts as root and switches to a service account
# (gosu/su-exec/setpriv) before running the server.
PRIVILEGE_DROPPING_IMAGES = frozenset({
    "postgres", "postgis/postgis", "timescale/timescaledb", "redis", "mysql", "mariadb", "mongo", "rabbitmq",
    "cassandra", "couchdb", "elasticsearch", "zookeeper", "solr", "memcached", "influxdb", "neo4j", "odoo",
    "percona", "couchbase",
})

# Programs that switch to another user before running the command they are given.
PRIVILEGE_DROPPERS = frozenset({"gosu", "su-exec", "setpriv", "runuser", "s6-setuidgid", "chpst", "setuidgid",
                                "su", "sudo", "doas", "suexec"})


def image_path(image) -> str:
    """`registry/repository` lower-cased, without `docker.io/` and `library/`."""
    repo = image.repository.lower()
    if repo.startswith("library/"):
        repo = repo[len("library/"):]
    reg = (image.registry or "").lower()
    if reg in ("", "docker.io", "index.docker.io", "registry-1.docker.io"):
        return repo
    return f"{reg}/{repo}"


def runs_as_non_root(image) -> bool:
    """Whether the image is known to run as a non-root user by default."""
    path = image_path(image)
    tag = (image.tag or "").lower()
    if _NON_ROOT_TAG.search(tag) or _NON_ROOT_NAME.search(path.rsplit("/", 1)[-1]):
        return True
    if path.startswith(_NON_ROOT_REGISTRIES):
        return True
    for key in NON_ROOT_REPOSITORIES:
        if path.startswith(key) if key.endswith("/") else (path == key or path.endswith("/" + key)):
            return True
    return False


def entrypoint_drops_privileges(image) -> bool:
    path = image_path(image)
    return path in PRIVILEGE_DROPPING_IMAGES


# Accounts present in the common distribution base images (Debian/Ubuntu, Alpine/BusyBox,
# Fedora/RHEL family) and therefore in the official images built on them.
SYSTEM_USERS = frozenset({
    "root", "daemon", "bin", "sys", "adm", "sync", "games", "man", "lp", "mail", "news", "uucp", "proxy",
    "www-data", "backup", "list", "irc", "gnats", "nobody", "nogroup", "_apt", "operator", "halt", "shutdown",
    "postmaster", "cron", "ftp", "sshd", "at", "squid", "xfs", "cyrus", "vpopmail", "ntp", "smmsp", "guest",
    "nfsnobody", "systemd-network", "systemd-resolve", "systemd-timesync", "messagebus", "tss", "dbus",
})
# Accounts that specific images add (repository as in `image_path` -> users).
IMAGE_USERS: dict[str, frozenset[str]] = {
    "node": frozenset({"node"}),
    "ghost": frozenset({"node"}),
    "n8nio/n8n": frozenset({"node"}),
    "nginx": frozenset({"nginx"}),
    "nginxinc/nginx-unprivileged": frozenset({"nginx"}),
    "postgres": frozenset({"postgres"}),
    "postgis/postgis": frozenset({"postgres"}),
    "timescale/timescaledb": frozenset({"postgres"}),
    "redis": frozenset({"redis"}),
    "mysql": frozenset({"mysql"}),
    "mariadb": frozenset({"mysql"}),
    "percona": frozenset({"mysql"}),
    "mongo": frozenset({"mongodb"}),
    "rabbitmq": frozenset({"rabbitmq"}),
    "memcached": frozenset({"memcache"}),
    "httpd": frozenset({"www-data", "daemon"}),
    "php": frozenset({"www-data"}),
    "wordpress": frozenset({"www-data"}),
    "nextcloud": frozenset({"www-data"}),
    "drupal": frozenset({"www-data"}),
    "ubuntu": frozenset({"ubuntu"}),  # 23.04 and later
    "jenkins/jenkins": frozenset({"jenkins"}),
    "jupyter/base-notebook": frozenset({"jovyan"}),
    "mcr.microsoft.com/devcontainers/": frozenset({"vscode"}),
    "mcr.microsoft.com/vscode/devcontainers/": frozenset({"vscode"}),
    "cimg/": frozenset({"circleci"}),
    "circleci/": frozenset({"circleci"}),
    "selenium/": frozenset({"seluser"}),
    "linuxserver/": frozenset({"abc"}),
    "lscr.io/linuxserver/": frozenset({"abc"}),
    "kasmweb/": frozenset({"kasm-user"}),
    "gcr.io/distroless/": frozenset({"nonroot"}),
    "cgr.dev/": frozenset({"nonroot"}),
    "chainguard/": frozenset({"nonroot"}),
    "elasticsearch": frozenset({"elasticsearch"}),
    "docker.elastic.co/": frozenset({"elasticsearch", "kibana", "logstash"}),
    "sonarqube": frozenset({"sonarqube"}),
    "grafana/grafana": frozenset({"grafana"}),
    "confluentinc/": frozenset({"appuser"}),
    "apache/airflow": frozenset({"airflow"}),
    "gradle": frozenset({"gradle"}),
    "eclipse-temurin": frozenset({"ubuntu"}),
    "quay.io/jupyter/": frozenset({"jovyan"}),
    "jupyter/": frozenset({"jovyan"}),
    "haproxy": frozenset({"haproxy"}),
    "cassandra": frozenset({"cassandra"}),
    "couchdb": frozenset({"couchdb"}),
    "zookeeper": frozenset({"zookeeper"}),
    "solr": frozenset({"solr"}),
    "influxdb": frozenset({"influxdb"}),
    "telegraf": frozenset({"telegraf"}),
    "neo4j": frozenset({"neo4j"}),
    "odoo": frozenset({"odoo"}),
    "sonatype/nexus3": frozenset({"nexus"}),
    "nodered/node-red": frozenset({"node-red"}),
    "jetty": frozenset({"jetty"}),
    "tomcat": frozenset(),
    "kong": frozenset({"kong"}),
    "hashicorp/vault": frozenset({"vault"}),
    "vault": frozenset({"vault"}),
    "hashicorp/consul": frozenset({"consul"}),
    "consul": frozenset({"consul"}),
    "gitlab/gitlab-runner": frozenset({"gitlab-runner"}),
    "moby/buildkit": frozenset({"user"}),
    "mcr.microsoft.com/dotnet/": frozenset({"app"}),  # .NET 8 and later
    "apache/kafka": frozenset({"appuser"}),
    "docker": frozenset({"rootless"}),
}


def image_has_user(image, user: str) -> bool:
    """Whether `user` is known (or likely, by the image's name) to exist in the image."""
    if user in SYSTEM_USERS:
        return True
    path = image_path(image)
    for key, users in IMAGE_USERS.items():
        if (path.startswith(key) if key.endswith("/") else (path == key or path.endswith("/" + key))):
            if user in users:
                return True
    # an image named after its account (`gitpod/workspace-full`, `circleci/node`, `myorg/runner`)
    low = user.lower()
    if len(low) >= 3:
        for token in re.split(r"[/._-]+", path):
            if len(token) >= 3 and (token.startswith(low) or low.startswith(token)):
                return True
    return False


# -- paths ---------------------------------------------------------------------------------


def normpath(path: str) -> str:
    p = posixpath.normpath(path)
    return "/" if p == "//" else p


def is_under(path: str, root: str) -> bool:
    """`path` is `root` or inside it (both absolute, normalised)."""
    if root == "/":
        return path.startswith("/")
    return path == root or path.startswith(root.rstrip("/") + "/")


def absolute(path: str, workdir: str | None) -> str | None:
    """An absolute, normalised path; relative paths are joined to `workdir` ("/" when unset)."""
    if not path:
        return None
    if path.startswith("~"):
        return None
    if not path.startswith("/"):
        if re.match(r"^[A-Za-z]:", path):
            return None
        path = (workdir or "/").rstrip("/") + "/" + path
    return normpath(path)


# -- shell ---------------------------------------------------------------------------------


class ScriptTree:
    """The tree-sitter parse of a RUN's analysed shell text, with Dockerfile positions."""

    def __init__(self, script) -> None:
        self.script = script
        self.data = script.data
        self.root = script.tree.root_node

    def text(self, node) -> str:
        return self.script.node_text(node)

    def range(self, node) -> Range:
        return self.script.node_range(node)

    def word(self, node):
        from layerlint.shell import ShellWord

        span = (self.script.to_char(node.start_byte), self.script.to_char(node.end_byte))
        return ShellWord(node, self.data, span, self.script.smap)

    def walk(self):
        stack = [self.root]
        while stack:
            n = stack.pop()
            yield n
            stack.extend(reversed(n.children))


def script_tree(ins, ctx) -> ScriptTree | None:
    """The parse tree of a RUN (or ONBUILD RUN); None when it is not POSIX shell code."""
    from layerlint.shell import commands

    key = ("d4-tree", id(ins))
    cache = ctx.model.shell_cache
    if key not in cache:
        script = commands(ins, ctx.model)
        cache[key] = None if script is None or script.smap is None else ScriptTree(script)
    return cache[key]


def redirect_targets(ins, ctx) -> list:
    """The words a RUN's output redirections (`>`, `>>`, `&>`, `>|`) write to."""
    tree = script_tree(ins, ctx)
    if tree is None:
        return []
    out = []
    for n in tree.walk():
        if n.type != "file_redirect":
            continue
        ops = [c.type for c in n.children if not c.is_named]
        if not any(op in (">", ">>", "&>", "&>>", ">|") for op in ops):
            continue
        dest = n.child_by_field_name("destination")
        if dest is None:
            named = [c for c in n.children if c.is_named and c.type != "file_descriptor"]
            dest = named[-1] if named else None
        if dest is not None:
            out.append(tree.word(dest))
    return out


def option_words(program, short_values: str = "", long_values=()) -> list:
    """(word, [option names]) for each option word of a program before `--`.

    A short cluster lists its letters up to the first one in `short_values` (which
    takes the rest of the cluster, or the next word, as its value); a long option
    gives its name without `--` and value. Value words are skipped.
    """
    out = []
    args = program.args
    i = 0
    while i < len(args):
        a = args[i]
        v = a.value
        i += 1
        if v == "--":
            break
        if not a.is_flag:
            continue
        if v.startswith("--"):
            name = v[2:].partition("=")[0]
            out.append((a, [name]))
            if "=" not in v and name in long_values:
                i += 1
            continue
        letters = []
        for k, ch in enumerate(v[1:]):
            letters.append(ch)
            if ch in short_values:
                if k == len(v) - 2:
                    i += 1
                break
        out.append((a, letters))
    return out


def basename(word_value: str) -> str:
    return os.path.basename(word_value.rstrip("/")) if word_value not in ("", "/") else word_value


FALSY = frozenset({"0", "false", "no", "off", "n"})


def strip_quotes(s: str) -> str:
    if len(s) >= 2 and s[0] == s[-1] and s[0] in "'\"":
        return s[1:-1]
    return s


# -- RUN as a non-root user ------------------------------------------------------------------

ESCALATING_WRAPPERS = frozenset({"sudo", "doas", "fakeroot", "su"})


def escalates(program) -> bool:
    """The program runs through sudo/doas/fakeroot (DL3004 reports sudo itself)."""
    return any(basename(w.value) in ESCALATING_WRAPPERS for w in program.wrappers)


class NonRootRunRule:
    """Mixin for rules about RUN instructions executed as a non-root USER.

    Calls `check_run(ins, ctx, user, user_ins, onbuild)` for every RUN whose USER
    in effect (through the stage chain) is known and not root. An ONBUILD RUN
    runs in a later build as the image's final USER (changed by earlier ONBUILD
    USER triggers): those are judged at the end of the stage.
    """

    visits = ("RUN", "USER")
    onbuild = True

    def check(self, ins, ctx):
        if ins.parent is not None:
            ctx.stage_state(self).setdefault("triggers", []).append(ins)
            return
        if ins.keyword != "RUN":
            return
        user_ins, value = user_before(ins, ctx)
        if value is None or is_root_user(value):
            return
        self.check_run(ins, ctx, value, user_ins, False)

    def stage_end(self, stage, ctx):
        triggers = ctx.stage_state(self, stage).get("triggers")
        if not triggers:
            return
        user_ins, value = final_user(stage, ctx)
        for trig in triggers:
            if trig.keyword == "USER":
                user_ins = trig
                value = expand_text(trig.value[0], trig, ctx) if trig.value else None
                continue
            if value and not is_root_user(value):
                self.check_run(trig, ctx, value, user_ins, True)

    def check_run(self, ins, ctx, user, user_ins, onbuild):
        raise NotImplementedError


def runs_as(user: str, user_ins, onbuild: bool) -> str:
    """`runs as `app` (USER on line 4)` for messages."""
    where = f" (USER on line {user_ins.range.start.line + 1})" if user_ins is not None else ""
    if onbuild:
        return f"this ONBUILD trigger runs as `{user}`, the image's final user{where}"
    return f"this RUN runs as `{user}`{where}"
