"""layerlint's rules, one per module. Each module registers one `Rule` subclass.

Modules are discovered with pkgutil (see `layerlint.rule.all_rules`); a module whose
name starts with `_` is a helper, not a rule.
"""
