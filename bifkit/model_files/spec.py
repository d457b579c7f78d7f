"""A model's full definition as JSON (``Model.to_spec``) and its exact rebuild (``Model.from_spec``).

A spec is what a saved branch stores so that it reloads truthfully in a fresh
process: the model name, state and parameter names, the current parameter
values, the structural build options (such as the mode count ``M`` of
``shotnoise_chain``), the right-hand sides and observables (as exact
expression trees, plus readable strings) and a digest of the equations.

Rebuilding (:func:`model_from_spec`):

* a model registered under the spec's name (catalogue or
  :func:`bifkit.register_model`) is rebuilt through the registry with the
  stored build options, and must have the same digest -- otherwise
  :class:`ModelMismatchError` names both definitions;
* an unregistered model is rebuilt from its stored equations (user models);
* a model built by Python code (hand-written kernels) that is not registered
  cannot be rebuilt: a clear error says so.
"""
from __future__ import annotations

import hashlib
import json

import sympy as sp

from .._json import to_jsonable  # the one JSON encoding
from .expressions import from_tree, to_tree

SPEC_FORMAT = "bifkit-model/1"


class ModelMismatchError(ValueError):
    """A saved model spec differs from the model registered under the same name."""


# --------------------------------------------------------------------------- #
# Definition -> spec                                                           #
# --------------------------------------------------------------------------- #
def _equations(definition) -> dict | None:
    """The symbolic part of a spec, or None for kernel-built definitions."""
    sym = definition.symbolic
    if sym is None:
        return None
    return {
        "rows": [[to_tree(e), part] for e, part in sym.rows],
        "observables": [[name, to_tree(e), part] for name, (e, part) in sym.observables.items()],
        "rhs_text": [str(e) if part != "im" else "(same as above)" for e, part in sym.rows],
        "observables_text": {name: str(e) for name, (e, _) in sym.observables.items()},
    }


def digest_of(definition) -> str:
    """SHA-256 (16 hex digits) of what determines a definition's equations.

    Covers the name, state and parameter names, structural options and, for
    symbolic models, the exact expression trees of right-hand sides and
    observables.  Default values, units and descriptions are not included.
    For models built from hand-written kernels (the z_n chains) the kernels'
    code is not covered: names and build options are.
    """
    cached = getattr(definition, "_digest", None)
    if cached is not None:
        return cached
    eq = _equations(definition)
    core = {"name": definition.name, "states": list(definition.states),
            "complex_states": sorted(definition.complex_states),
            "state_names": list(definition.state_names),
            "param_names": list(definition.param_names),
            "observable_names": list(definition.observable_names),
            "structural": to_jsonable(definition.structural),
            "rows": eq and eq["rows"], "observables": eq and eq["observables"]}
    digest = hashlib.sha256(json.dumps(core, sort_keys=True).encode()).hexdigest()[:16]
    object.__setattr__(definition, "_digest", digest)
    return digest


def model_to_spec(model) -> dict:
    """The JSON-serialisable spec of ``model`` (see the module docstring)."""
    d = model.definition
    from ..registry import is_catalogue_model
    spec = {
        "format": SPEC_FORMAT,
        "name": d.name,
        "digest": digest_of(d),
        "builder": "catalogue" if is_catalogue_model(d.name) else (
            "symbolic" if d.symbolic is not None else "kernels"),
        "states": list(d.states),
        "complex_states": sorted(d.complex_states),
        "state_names": list(d.state_names),
        "param_names": list(d.param_names),
        "params": {k: float(v) for k, v in model.params.items()},
        "defaults": {k: float(v) for k, v in d.defaults.items()},
        "ranges": {k: list(v) for k, v in getattr(d, "ranges", {}).items()},
        "constraints": [c.text for c in d.constraints],
        "structural": to_jsonable(d.structural),
        "observable_names": list(d.observable_names),
        "initial": dict(getattr(d, "initial", {}) or {}),
        "time_unit": d.time_unit,
        "units": dict(d.units),
        "description": d.description,
        "forcing_amplitude": d.forcing_amplitude,
        "equations": _equations(d),
    }
    json.dumps(spec)  # fail here, not when a branch is saved, if anything is not JSON
    return spec


# --------------------------------------------------------------------------- #
# Spec -> model                                                                #
# --------------------------------------------------------------------------- #
def _check_format(spec) -> None:
    if not isinstance(spec, dict):
        raise ValueError(f"a model spec must be a dict; got {type(spec).__name__}")
    if spec.get("format") != SPEC_FORMAT:
        raise ValueError(f"unknown model spec format {spec.get('format')!r}; "
                         f"expected {SPEC_FORMAT!r}")
    missing = [k for k in ("name", "digest", "params", "structural", "state_names",
                           "param_names") if k not in spec]
    if missing:
        raise ValueError(f"model spec lacks {', '.join(missing)}")


def check_spec_matches(spec: dict, definition) -> None:
    """Raise :class:`ModelMismatchError` if ``spec`` was not made from ``definition``.

    The message names both: the saved digest and equations, and the
    registered ones, with the first difference found.
    """
    _check_format(spec)
    mine = digest_of(definition)
    if spec["digest"] == mine:
        return
    diffs = []
    for key, theirs in (("state_names", definition.state_names),
                        ("param_names", definition.param_names),
                        ("structural", to_jsonable(definition.structural))):
        if spec.get(key) != theirs:
            diffs.append(f"{key}: saved {spec.get(key)} vs registered {theirs}")
    saved_eq, reg_eq = spec.get("equations"), _equations(definition)
    if saved_eq and reg_eq:
        for i, (a, b) in enumerate(zip(saved_eq["rows"], reg_eq["rows"])):
            if a != b:
                diffs.append(f"right-hand side {definition.state_names[i]}: saved "
                             f"{saved_eq['rhs_text'][i]} vs registered {reg_eq['rhs_text'][i]}")
                break
        if saved_eq["observables"] != reg_eq["observables"]:
            diffs.append(f"observables: saved {saved_eq['observables_text']} vs registered "
                         f"{reg_eq['observables_text']}")
    detail = "; ".join(diffs) or "equations differ"
    raise ModelMismatchError(
        f"the saved model {spec['name']!r} (digest {spec['digest']}) differs from the "
        f"registered model {definition.name!r} (digest {mine}): {detail}")


def definition_from_equations(spec: dict):
    """Rebuild a symbolic :class:`~bifkit.model.ModelDefinition` from a spec's equations."""
    from ..model import TIME, ModelDefinition
    _check_format(spec)
    eq = spec.get("equations")
    if not eq:
        raise ValueError(
            f"model {spec['name']!r} was built by Python code (hand-written kernels) and "
            f"is not registered in this process; import the module that defines it and "
            f"call bifkit.register_model first")
    symbols = {n: sp.Symbol(n, real=True) for n in spec["state_names"] + spec["param_names"]}
    symbols["t"] = TIME
    rows = [(from_tree(tree, symbols), part) for tree, part in eq["rows"]]
    states, rhs, i = [], [], 0
    complex_states = set(spec.get("complex_states", []))
    for name in spec["states"]:
        if name in complex_states:
            re, im = symbols[f"{name}.re"], symbols[f"{name}.im"]
            states.append((name, (re + sp.I * im, (re, im))))
            i += 2
        else:
            states.append((name, symbols[name]))
            i += 1
        rhs.append(rows[i - 1][0])
    observables = {name: from_tree(tree, symbols) for name, tree, _ in eq["observables"]}
    params = [(symbols[n], spec["defaults"].get(n, spec["params"][n]))
              for n in spec["param_names"]]
    from .define import range_constraints
    ranges = {k: tuple(v) for k, v in spec.get("ranges", {}).items()}
    definition = ModelDefinition.from_sympy(
        spec["name"], states=states, params=params, rhs=rhs, observables=observables,
        constraints=range_constraints(ranges), time_unit=spec.get("time_unit", "1"),
        units=spec.get("units", {}), description=spec.get("description", ""),
        forcing_amplitude=spec.get("forcing_amplitude"), structural=spec["structural"],
        ranges=ranges, initial=spec.get("initial", {}))
    if digest_of(definition) != spec["digest"]:
        raise ModelMismatchError(
            f"model {spec['name']!r} rebuilt from its saved equations has digest "
            f"{digest_of(definition)}, not the saved {spec['digest']} (damaged spec?)")
    return definition


def model_from_spec(spec: dict):
    """Rebuild the model (definition and parameter values) a spec describes."""
    from ..model import Model
    from ..registry import registered_definition
    _check_format(spec)
    try:
        definition = registered_definition(spec["name"], **spec["structural"])
    except TypeError as e:   # build options the registered factory does not take
        raise ModelMismatchError(
            f"the saved model {spec['name']!r} has build options {spec['structural']} that "
            f"the registered model {spec['name']!r} does not accept ({e})") from None
    if definition is not None:
        check_spec_matches(spec, definition)
    else:
        definition = definition_from_equations(spec)
    return Model(definition, spec["params"])
