import re

from layerlint.ast import Pos, Range
from layerlint.rule import Rule, register
from layerlint.rules._package_calls import APT_LONG_VALUES, APT_SHORT_VALUES, after, apk_add, apt_subcommand, expand
from layerlint.rules._user_security import (chain_instructions, expand_text, image_has_user, image_known, is_windows,
                                          root_image, user_part)
from layerlint.shell import programs
from layerlint.patterns import lazy_pattern

ACCOUNT_CREATORS = frozenset({"useradd", "adduser", "usermod", "newusers"})
RPM_INSTALLERS = frozenset({"yum", "dnf", "dnf5", "microdnf", "tdnf", "zypper"})
SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh", "mksh"})
_CREATOR_TEXT = lazy_pattern(r"\b(useradd|adduser|usermod|newusers)\b")
STANDARD_BIN = lazy_pattern(r"^/(usr/)?(local/)?s?bin/")


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
        # One index per stage, filled by reading each instruction of the chain once, as far as the
        # USER being checked: a stage with many USER lines naming different users would otherwise
        # scan its chain again for each (quadratic; found by benchmarks/bench_compare.py)
        state = ctx.stage_state(self, stage)
        creations = state.get("creations")
        if creations is None:
            chain = chain_instructions(stage)
            creations = state["creations"] = _Creations(chain)
        return creations.created_before(target, ctx, user)


_WORD_USER = lazy_pattern(r"[\w.-]+")


class _Creations:
    """What the instructions of a stage chain create, in build order, read as far as needed:
    the first instruction that may create any account (a write to /etc/passwd, a script the
    linter cannot see, a variable without a value), the first creating each named account, and
    the first installing each package."""

    def __init__(self, chain: list) -> None:
        self.chain = chain
        self.order = {id(i): n for n, i in enumerate(chain)}
        self.read = 0  # instructions indexed so far
        self.any_user = len(chain)
        self.named: dict[str, int] = {}
        self.packages: dict[str, int] = {}

    def created_before(self, target, ctx, user: str) -> bool:
        end = self.order.get(id(target), len(self.chain))
        while self.read < end and self.any_user == len(self.chain):
            self._index(self.read, self.chain[self.read], ctx)
            self.read += 1
        if self.any_user < end or self.named.get(user, end) < end:
            return True
        if not _WORD_USER.fullmatch(user):
            # a user name with other characters: the word search of the creator text below
            # cannot be indexed by word; look at the text of each RUN before the USER
            pattern = re.compile(rf"(?<![\w.-]){re.escape(user)}(?![\w.-])")
            if any(i.keyword == "RUN" and _CREATOR_TEXT.search(i.original) and pattern.search(i.original)
                   for i in self.chain[:end]):
                return True
        return any(n < end and _related(user, pkg) for pkg, n in self.packages.items())

    def _name(self, name: str, n: int) -> None:
        self.named.setdefault(name, n)

    def _index(self, n: int, i, ctx) -> None:
        kw = i.keyword
        text = i.original
        if "passwd" in text and "/etc/passwd" in text:
            self.any_user = n
            return
        if kw in ("COPY", "ADD") and i.value:
            dest = expand_text(i.value[-1], i, ctx) or ""
            if dest.rstrip("/") in ("", "/etc", "/etc/passwd"):
                self.any_user = n
            return
        if kw != "RUN":
            return
        if _CREATOR_TEXT.search(text):
            for word in _WORD_USER.findall(text):  # also `sh -c "useradd app"` and heredoc scripts
                self._name(word, n)
        found = programs(i, ctx.model)
        if found is None:
            self.any_user = n  # PowerShell/cmd RUN: unknown
            return
        for p in found:
            if p.basename in ACCOUNT_CREATORS:
                for a in p.args:
                    values = expand(a, i, ctx)
                    if values is None:
                        self.any_user = n
                        return
                    for value in values:
                        self._name(value, n)
            elif _runs_opaque_script(p):
                self.any_user = n
                return
            elif p.basename == "chown":
                ops = p.operands()
                if ops:  # chown needs the account to exist, so it does
                    self._name(re.split(r"[:.]", ops[0].value, maxsplit=1)[0], n)
            else:
                for pkg in _installed_packages(p):
                    self.packages.setdefault(pkg, n)
