"""Shared shape of rules about instructions where only the last one in a stage counts."""

from layerlint.rule import Rule


class LastOneWins(Rule):
    """Collects the stage's instructions of one kind; reports all but the last at the stage end.

    Subclasses set `visits` to the one keyword they watch.
    """

    def check(self, ins, ctx):
        if ctx.stage is not None:
            ctx.stage_state(self).setdefault("seen", []).append(ins)

    def stage_end(self, stage, ctx):
        seen = ctx.stage_state(self, stage).get("seen", [])
        if len(seen) < 2:
            return
        last = seen[-1]
        for ins in seen[:-1]:
            ctx.report(self, ins.keyword_range,
                       f"Multiple {self.visits[0]} instructions found: only the last one (line {last.start_line}) "
                       f"takes effect")
