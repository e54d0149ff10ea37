from layerlint.rule import Rule, register
from layerlint.patterns import lazy_pattern

_VAR = lazy_pattern(r"\$(?:\{[A-Za-z_][A-Za-z0-9_]*[^}]*\}|[A-Za-z_][A-Za-z0-9_]*)")
_SHELLS = ("sh", "bash", "ash", "dash", "zsh", "ksh")


@register
class VariableInExecForm(Rule):
    """An exec-form CMD, ENTRYPOINT or RUN argument refers to a `$VARIABLE`.

    In exec (JSON) form no shell runs, so Docker passes `$JAVA_OPTS` to the
    program as those literal characters. Not reported when the command is a
    shell started with `-c` (`["sh", "-c", "exec java $JAVA_OPTS -jar app.jar"]`),
    where the shell expands the variables itself.

    ## Why is this bad?
    The program receives the text `$JAVA_OPTS` instead of its value: options are
    silently ignored or the program fails on an argument it does not understand.

    ## Example
    ```dockerfile
    FROM eclipse-temurin:21-jre
    ENV JAVA_OPTS="-Xmx512m"
    CMD ["java", "$JAVA_OPTS", "-jar", "/app/app.jar"]
    ```

    ## Use instead
    ```dockerfile
    FROM eclipse-temurin:21-jre
    ENV JAVA_OPTS="-Xmx512m"
    CMD ["sh", "-c", "exec java $JAVA_OPTS -jar /app/app.jar"]
    ```
    """

    code = "LL3009"
    name = "variable-in-exec-form"
    groups = ("entrypoint",)
    severity = "warning"
    visits = ("CMD", "ENTRYPOINT", "RUN")
    onbuild = True

    def check(self, ins, ctx):
        if not ins.json or not ins.words:
            return
        first = ins.words[0].text.rsplit("/", 1)[-1]
        if first in _SHELLS and any(w.text == "-c" or (w.text.startswith("-") and "c" in w.text[1:])
                                    for w in ins.words[1:]):
            return  # the shell expands them
        for word in ins.words:
            m = _VAR.search(word.text)
            if m:
                ctx.report(self, word.range,
                           f"`{m.group()}` is passed to the program literally: exec (JSON) form runs no shell, "
                           f"so nothing expands variables; use `[\"sh\", \"-c\", \"...\"]` or set the value in the "
                           f"program's own configuration")
                return
