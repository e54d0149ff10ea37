import re

from layerlint.ast import Pos, Range
from layerlint.rule import Rule, register
from layerlint.rules._package_calls import APT_LONG_VALUES, APT_SHORT_VALUES, after, apk_add, apt_subcommand, expand
from layerlint.rules._user_security import (chain_instructions, expand_text, image_has_user, image_known, is_windows,
                                          root_image, user_part)
from layerlint.shell import programs

ACCOUNT_CREATORS = frozenset({"useradd", "adduser", "usermod", "newusers"})
RPM_INSTALLERS = frozenset({"yum", "dnf", "dnf5", "microdnf", "tdnf", "zypper"})
SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh", "mksh"})
_CREATOR_TEXT = re.compile(r"\b(useradd|adduser|usermod|newusers)\b")
STANDARD_BIN = re.compile(r"^/(usr/)?(local/)?s?bin/")


def _runs_opaque_script(p) -> bool:
    """A script the linter cannot see (`./setup.sh`, `/tmp/x/common.sh`, `bash install.sh`): it may create users."""
    name = p.name.value
    if name.endswith((".sh", ".bash")) or ("/" in name and not STANDARD_BIN.match(name)):
        return True
    if p.basename in SHELLS:
        ops = p.operands("o", ())
        return bool(ops) and not p.has_short_flag("c")
    return p.basename in ("make", "ansible-playbook", "chef-solo", "puppet", "salt-call")


def _installed_packages(p) -> list[str]:
    found = apk_add(p)
    if found:
        return [w.value for w in found[1]]
    if p.basename in ("apt-get", "apt", "aptitude"):
        sub = apt_subcommand(p)
        if sub is not None and sub.value == "install":
            return [w.value for w in after(p.operands(APT_SHORT_VALUES, APT_LONG_VALUES), sub)]
    if p.basename in RPM_INSTALLERS:
        ops = [w.value for w in p.operands()]
        if ops and ops[0] in ("install", "in"):
            return ops[1:]
    if p.basename in ("dpkg", "rpm"):
        return [w.value for w in p.operands()]
    return []


def _owner_is(p, user: str) -> bool:
    """`chown app ...`, `chown app:grp ...`: chown needs the account to exist, so it does."""
    if p.basename != "chown":
        return False
    ops = p.operands()
    return bool(ops) and re.split(r"[:.]", ops[0].value, maxsplit=1)[0] == user


def _related(user: str, package: str) -> bool:
    """A package that may create the account (`postgresql` creates `postgres`, `nginx` creates `nginx`)."""
    name = re.split(r"[=<>~:@]", package.rsplit("/", 1)[-1], maxsplit=1)[0].lower()
    return len(user) >= 3 and (user in name or name in user) and len(name) >= 3


@register
class UserNotCreated(Rule):
    """USER names an account that neither the Dockerfile nor the base image provides.

    For `USER name` (the user part of `name:group`), looks at the stage and the
    stages it is built `FROM`, before the USER instruction, for something that
    creates the account: `useradd`, `adduser`, `usermod` or `newusers` with the
    name among their arguments (or any argument that is a variable without a
    value), a write to `/etc/passwd` (any instruction mentioning it, or a COPY
    of `/`, `/etc` or `/etc/passwd`), a script the linter cannot see
    (`./setup.sh`, `bash install.sh`, `make`), or a package whose name contains
    the user name (`postgresql` creates `postgres`). If nothing does and the base
    image is not known to have the account, the USER is reported on its user
    part.

    Known accounts: the system accounts of Debian, Ubuntu, Alpine and the
    Fedora family (`root`, `nobody`, `daemon`, `www-data`, `nogroup`, ...) in any
    image except `scratch`; a small table of images and the accounts they add
    (`node` in `node`, `nginx` in `nginx`, `postgres`, `redis`, `mysql` in
    `mysql`/`mariadb`, `mongodb` in `mongo`, `www-data` in `php`/`httpd`,
    `ubuntu` in `ubuntu`, `jovyan` in Jupyter images, `vscode` in dev-container
    images, `nonroot` in distroless and Chainguard images, ...); and any account
    named after a part of the image's name (`gitpod` in `gitpod/workspace-full`,
    `runner` in `actions-runner`). Numeric ids, variables without a value,
    base images given by such variables and Windows images are never reported.

    ## Why is this bad?
    A user name is looked up in the image's `/etc/passwd` when a RUN executes
    or the container starts. If the account does not exist, the next RUN fails
    with "unable to find user app: no matching entries in passwd file", and so
    does every container started from the image.

    ## Example
    ```dockerfile
    FROM python:3.12-slim
    COPY app.py /app/
    USER app
    CMD ["python", "/app/app.py"]
    ```

    ## Use instead
    ```dockerfile
    FROM python:3.12-slim
    RUN useradd --system --uid 10001 app
    COPY app.py /app/
    USER app
    CMD ["python", "/app/app.py"]
    ```
    """

    code = "LL5005"
    name = "user-not-created"
    groups = ("user",)
    severity = "warning"
    visits = ("USER",)

    def check(self, ins, ctx):
        stage = ctx.stage_of(ins)
        if ins.parent is not None or stage is None or not ins.value or not ins.words or is_windows(stage):
            return
        value = expand_text(ins.value[0], ins, ctx)
        if not value:
            return
        user = user_part(value)
        if not user or user.isdigit() or user == "root":
            return
        image = root_image(stage)
        if not image_known(image, ctx.model):
            return
        if not image.is_scratch and image_has_user(image, user):
            return
        if self._created_before(ins, ctx, stage, user):
            return
        word = ins.words[0]
        rng = word.range
        if word.text.startswith(user + ":") and rng.start.line == rng.end.line:
            rng = Range(rng.start, Pos(rng.start.line, rng.start.column + len(user)))
        where = "`scratch` has no accounts at all" if image.is_scratch else \
            f"`{image.resolved}` is not known to have it"
        ctx.report(self, rng,
                   f"Nothing before this USER creates the user `{user}` and {where}, so the next RUN and every "
                   f"container fail with \"unable to find user {user}\"")

    def _created_before(self, target, ctx, stage, user: str) -> bool:
        # the first instruction creating `user` is found once per stage and user: a stage with many
        # USER lines would otherwise scan its whole chain again for each
        state = ctx.stage_state(self, stage)
        if "chain" not in state:
            state["chain"] = chain_instructions(stage)
            state["order"] = {id(i): n for n, i in enumerate(state["chain"])}
            state["first"] = {}
        first = state["first"]
        if user not in first:
            first[user] = next((n for n, i in enumerate(state["chain"]) if self._creates(i, ctx, user)),
                               len(state["chain"]))
        return first[user] < state["order"].get(id(target), len(state["chain"]))

    def _creates(self, i, ctx, user: str) -> bool:
        """Whether instruction `i` creates `user` (or writes the account files wholesale)."""
        kw = i.keyword
        text = i.original
        if "passwd" in text and "/etc/passwd" in text:
            return True
        if kw in ("COPY", "ADD") and i.value:
            dest = expand_text(i.value[-1], i, ctx) or ""
            return dest.rstrip("/") in ("", "/etc", "/etc/passwd")
        if kw != "RUN":
            return False
        if _CREATOR_TEXT.search(text) and re.search(rf"(?<![\w.-]){re.escape(user)}(?![\w.-])", text):
            return True  # also `sh -c "useradd app"` and heredoc scripts
        found = programs(i, ctx.model)
        if found is None:
            return True  # PowerShell/cmd RUN: unknown
        for p in found:
            if p.basename in ACCOUNT_CREATORS:
                for a in p.args:
                    values = expand(a, i, ctx)
                    if values is None or user in values:
                        return True
            elif _runs_opaque_script(p) or _owner_is(p, user):
                return True
            elif any(_related(user, pkg) for pkg in _installed_packages(p)):
                return True
        return False
