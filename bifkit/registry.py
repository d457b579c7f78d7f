"""The catalogue of models shipped in ``models/`` (installed as ``bifkit.models``)."""
from __future__ import annotations

import difflib
import importlib

from .model import Model

# name -> (module in bifkit.models, factory function); a factory takes the
# structural arguments (e.g. the mode count M) and returns a ModelDefinition.
_CATALOGUE = {
    "ei_neural_mass": ("ei_neural_mass", "definition"),
    "mpr": ("mpr", "definition"),
    "shotnoise_oa": ("shotnoise", "oa_definition"),
    "shotnoise_2cc": ("shotnoise", "twocc_definition"),
    "shotnoise_chain": ("shotnoise", "chain_definition"),
    "diffusion_2cc": ("shotnoise", "diffusion_2cc_definition"),
    "diffusion_chain": ("shotnoise", "diffusion_chain_definition"),
}


def list_models() -> list[str]:
    """Names accepted by :func:`load_model`."""
    return sorted(_CATALOGUE)


def _factory(name: str):
    if name not in _CATALOGUE:
        hint = difflib.get_close_matches(name, _CATALOGUE, n=1)
        hint = f" (did you mean {hint[0]!r}?)" if hint else ""
        raise ValueError(f"unknown model {name!r}{hint}; available: {', '.join(list_models())}")
    module, func = _CATALOGUE[name]
    return getattr(importlib.import_module(f"bifkit.models.{module}"), func)


def load_model(name: str, **params) -> Model:
    """Load model ``name`` with parameter values ``params``.

    Structural arguments (the mode count ``M`` of the chains) select the
    definition; the rest are parameter values, validated (unknown names and
    values outside a model's domain raise ``ValueError``).

    Examples
    --------
    >>> m = load_model("ei_neural_mass", K=1000, D_ii=0.3, D_ee=2.0, I_e=0.2)  # doctest: +SKIP
    """
    factory = _factory(name)
    structural_names = getattr(factory, "structural", ())
    structural = {k: params.pop(k) for k in list(params) if k in structural_names}
    definition = factory(**structural)
    return Model(definition, params)
