"""YAML read with locations: plain values, plus the line each place in the document is on.

Policy problems are reported by place (``masks[2].method``) and line, so reading keeps
both: :func:`load_located` returns plain Python values (dicts, lists, scalars) and
records in a :class:`~policies.errors.ProblemCollector` the line of every mapping key
and list item. Two YAML habits that hurt policies are handled here: mapping keys are
kept as the text written (``no:`` is the role "no", ``1001:`` the user "1001", not a
boolean and a number), and a key given twice is a problem rather than silently the
last one. Merge keys (``<<: *base``) work, the mapping's own keys winning.
"""

from __future__ import annotations

from typing import Any

import yaml

from policies.errors import ProblemCollector

__all__ = ["load_located"]


def load_located(text: str, problems: ProblemCollector) -> Any:
    """The document as plain Python values (None when empty or unreadable), recording
    each location's line in ``problems.lines`` and each YAML mistake in ``problems``."""
    loader = yaml.SafeLoader(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as e:
            mark = e.problem_mark or e.context_mark
            what = ", ".join(str(p) for p in (e.context, e.problem) if p)
            line = mark.line + 1 if mark else None
            problems.add("policy", f"not valid YAML: {what or e}", line=line)
            return None
        except yaml.YAMLError as e:
            problems.add("policy", f"not valid YAML: {e}")
            return None
        if node is None:
            return None
        return _Builder(loader, problems).build(node, "")
    finally:
        loader.dispose()


class _Builder:
    def __init__(self, loader: yaml.SafeLoader, problems: ProblemCollector) -> None:
        self.loader = loader
        self.problems = problems
        self.active: set[int] = set()

    def build(self, node: yaml.Node, path: str) -> Any:
        if path:
            self.problems.lines.setdefault(path, node.start_mark.line + 1)
        if id(node) in self.active:
            self.problems.add(path or "policy", "an alias refers to itself")
            return None
        if isinstance(node, yaml.ScalarNode):
            try:
                return self.loader.construct_object(node)
            except yaml.YAMLError as e:
                self.problems.add(path or "policy", f"bad value: {getattr(e, 'problem', e)}")
                return None
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                return [self.build(item, f"{path}[{i}]") for i, item in enumerate(node.value)]
            assert isinstance(node, yaml.MappingNode)
            return self._mapping(node, path)
        finally:
            self.active.discard(id(node))

    def _mapping(self, node: yaml.MappingNode, path: str) -> dict[str, Any]:
        own = sum(1 for k, _ in node.value if k.tag != "tag:yaml.org,2002:merge")
        try:
            self.loader.flatten_mapping(node)  # merged entries first, then the node's own
        except yaml.YAMLError as e:
            self.problems.add(path or "policy", f"bad merge: {getattr(e, 'problem', e)}")
            return {}
        merged = len(node.value) - own
        out: dict[str, Any] = {}
        seen: dict[str, int] = {}
        for i, (key_node, value_node) in enumerate(node.value):
            line = key_node.start_mark.line + 1
            if i < merged:  # merged in with `<<`: the node's own keys override them
                if isinstance(key_node, yaml.ScalarNode):
                    key = str(key_node.value)
                    out[key] = self.build(value_node, f"{path}.{key}" if path else key)
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.problems.add(
                    path or "policy", "a key must be a plain name, not a list", line=line
                )
                continue
            key = str(key_node.value)
            child = f"{path}.{key}" if path else key
            if key in seen:
                self.problems.add(
                    child, f"duplicate key {key!r} (first on line {seen[key]})", line=line
                )
                continue
            seen[key] = line
            self.problems.lines[child] = line
            out[key] = self.build(value_node, child)
        return out
