"""Versioned rule files (YAML under `rules/data/`), their schemas and the loader."""

from emcoder.rules.loader import RuleSet, load_ruleset

__all__ = ["RuleSet", "load_ruleset"]
