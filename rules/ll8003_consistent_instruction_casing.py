from layerlint.rule import Edit, Fix, Rule, register

KNOWN = frozenset({"ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK", "LABEL",
                   "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR"})


@register
class ConsistentInstructionCasing(Rule):
    """An instruction keyword is not cased like the majority of the file's keywords.

    This is BuildKit's `ConsistentInstructionCasing` check. The keywords of the
    instructions inside stages (every FROM and what follows it; ARGs before the
    first FROM do not count, nor do ONBUILD triggers) are counted as all lower
    case or all upper case; the larger group is the majority, upper case on a
    tie. Every keyword that is not written in the majority's case is reported,
    on the keyword: `copy` in an upper-case file, `FROM` in a lower-case one,
    and mixed spellings such as `From` always.

    ## Why is this bad?
    BuildKit reads keywords in any case, so the build is the same; mixed casing
    only makes the file harder to read and to search.

    ## Example
    ```dockerfile
    FROM alpine:3.20
    copy app.sh /usr/local/bin/
    RUN chmod +x /usr/local/bin/app.sh
    ```

    ## Use instead
    ```dockerfile
    FROM alpine:3.20
    COPY app.sh /usr/local/bin/
    RUN chmod +x /usr/local/bin/app.sh
    ```

    ## Fix
    Rewrites the keyword in the majority's case. Safe: keyword case has no
    effect on the build.
    """

    code = "LL8003"
    name = "consistent-instruction-casing"
    groups = ("style",)
    severity = "style"
    aliases = ("ConsistentInstructionCasing",)
    fixable = "always"

    def file_end(self, ctx):
        keywords = [ins for ins in ctx.dockerfile.instructions
                    if ins.keyword in KNOWN and id(ins) in ctx.model.stage_of]
        # keywords are letters only: all lower case is islower(), all upper case isupper()
        lower = sum(1 for ins in keywords if ins.instruction.islower())
        upper = sum(1 for ins in keywords if ins.instruction.isupper())
        majority_lower = lower > upper
        for ins in keywords:
            word = ins.instruction
            wanted = word.lower() if majority_lower else word.upper()
            if word == wanted:
                continue
            casing = "lowercase" if majority_lower else "uppercase"
            ctx.report(self, ins.keyword_range,
                       f"Command '{word}' should match the case of the command majority ({casing}): BuildKit "
                       f"reads keywords in any case, but this file mostly writes them in {casing}",
                       fix=Fix((Edit(ins.keyword_range, wanted),), safe=True, title=f"Write `{wanted}`"))
