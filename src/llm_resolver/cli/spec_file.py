"""``--spec FILE``: one DependencySpec, or a Dependencies map from which ``--name`` picks one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from llm_resolver.config.safe_load import load_json, load_yaml, read_config_text
from llm_resolver.errors import SpecError
from llm_resolver.host.dependencies import Dependencies
from llm_resolver.resolution.spec import DependencySpec


def load_spec(path: str, name: str) -> DependencySpec:
    """The dependency ``name`` of the file (see ``load_specs``)."""
    specs = load_specs(path, name)
    if name not in specs:
        declared = ", ".join(sorted(specs)) or "none"
        raise SpecError(
            f"{path}: no dependency named {name!r}; declared: {declared} (use --name)", field=name
        )
    return specs[name]


def load_specs(path: str, single_name: str = "llm") -> dict[str, DependencySpec]:
    """A mapping with ``class_name`` is a single spec (named ``single_name``); anything else is read as a
    Dependencies map."""
    data = _parse(path)
    if "class_name" in data:
        data = {single_name: data}
    return dict(Dependencies.from_dict(data).specs)


def declared_names(path: str) -> set[str]:
    """The dependency names a --spec map declares; none for a file holding one spec."""
    data = _parse(path)
    return set() if "class_name" in data else set(Dependencies.from_dict(data).specs)


def with_overrides(spec: DependencySpec, overrides: Mapping[str, Any]) -> DependencySpec:
    """Command-line options win over the spec's properties."""
    given = {k: v for k, v in overrides.items() if v is not None}
    if not given:
        return spec
    return DependencySpec(class_name=spec.class_name, properties={**spec.properties, **given})


def _parse(path: str) -> dict[str, Any]:
    where = f"--spec {path}"
    try:
        text = read_config_text(path, where)
    except OSError as exc:
        raise SpecError(f"{where}: cannot read it ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise SpecError(f"{where} is not UTF-8 text; save it as UTF-8") from None
    data = load_json(text, where) if path.endswith(".json") else load_yaml(text, where)
    if not isinstance(data, dict):
        raise SpecError(
            f"--spec {path}: expected a mapping (a spec with class_name, or name -> spec), "
            f"got {type(data).__name__}"
        )
    return data
