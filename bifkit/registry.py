"""Where models are found by name: the catalogue in ``models/`` and registered user models.

* The catalogue (installed as ``bifkit.models``): factories that build a
  :class:`~bifkit.model.ModelDefinition`, some with structural arguments such
  as the mode count ``M`` of the chains.
* User models: definitions added with :func:`register_model` (e.g. from
  :func:`bifkit.define_model`), found by :func:`load_model`, the CLI and
  ``Branch.load`` in this process.
* Model files: :func:`load_model` also accepts a path to a ``.toml`` or an
  XPPAUT ``.ode`` file.
"""
from __future__ import annotations

import difflib
import importlib
import os
from pathlib import Path

from .model import Model, ModelDefinition

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
_USER: dict[str, ModelDefinition] = {}
MODEL_FILE_SUFFIXES = (".toml", ".ode")


def list_models() -> list[str]:
    """Names accepted by :func:`load_model` (catalogue and registered user models)."""
    return sorted({*_CATALOGUE, *_USER})


def is_catalogue_model(name: str) -> bool:
    """True for a model shipped in ``models/``."""
    return name in _CATALOGUE


def register_model(definition, *, replace: bool = False) -> ModelDefinition:
    """Make a user model findable by name (``load_model``, the CLI, ``Branch.load``).

    Parameters
    ----------
    definition : ModelDefinition or Model
        E.g. from :func:`bifkit.define_model`.
    replace : bool
        Allow replacing a registered user model of the same name by a
        different definition (otherwise ValueError).

    Returns
    -------
    ModelDefinition
    """
    if isinstance(definition, Model):
        definition = definition.definition
    if not isinstance(definition, ModelDefinition):
        raise ValueError(f"register_model needs a ModelDefinition (e.g. from "
                         f"bifkit.define_model); got {type(definition).__name__}")
    name = definition.name
    if name in _CATALOGUE:
        raise ValueError(f"cannot register {name!r}: a catalogue model has that name")
    old = _USER.get(name)
    if old is not None and old is not definition and not replace:
        from .model_files.spec import digest_of
        if digest_of(old) != digest_of(definition):
            raise ValueError(f"a different model {name!r} is already registered (digest "
                             f"{digest_of(old)} vs {digest_of(definition)}); pass replace=True")
    _USER[name] = definition
    return definition


def unregister_model(name: str) -> None:
    """Forget a registered user model (no error if it is not registered)."""
    _USER.pop(name, None)


def _factory(name: str):
    if name not in _CATALOGUE:
        close = difflib.get_close_matches(name, list_models(), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValueError(f"unknown model {name!r}{hint}; available: {', '.join(list_models())}"
                         f" (or a path to a .toml / .ode model file)")
    module, func = _CATALOGUE[name]
    return getattr(importlib.import_module(f"bifkit.models.{module}"), func)


def registered_definition(name: str, **structural) -> ModelDefinition | None:
    """The definition registered as ``name`` (built with ``structural``), or None."""
    if name in _USER:
        return _USER[name]
    if name in _CATALOGUE:
        return _factory(name)(**structural)
    return None


def _is_model_file(name) -> bool:
    if isinstance(name, os.PathLike):
        return True
    return isinstance(name, str) and (Path(name).suffix.lower() in MODEL_FILE_SUFFIXES
                                      or os.sep in name)


def load_model(name, **params) -> Model:
    """Load model ``name`` (or a model file) with parameter values ``params``.

    Parameters
    ----------
    name : str or path
        A catalogue name (:func:`list_models`), a registered user model, or a
        path to a ``.toml`` or XPPAUT ``.ode`` model file.
    **params
        Structural arguments (the mode count ``M`` of the chains) select the
        definition; the rest are parameter values, validated (unknown names
        and values outside a model's domain raise ``ValueError``).

    Examples
    --------
    >>> m = load_model("ei_neural_mass", K=1000, D_ii=0.3, D_ee=2.0, I_e=0.2)  # doctest: +SKIP
    >>> m = load_model("models/examples/morris_lecar.ode", I=0.09)            # doctest: +SKIP
    """
    if _is_model_file(name) and str(name) not in _USER:
        from .model_files.files import load_model_file
        return Model(load_model_file(name), params)
    if not isinstance(name, str):
        raise ValueError(f"model name must be a string or a path; got {name!r}")
    if name in _USER:
        return Model(_USER[name], params)
    factory = _factory(name)
    structural_names = getattr(factory, "structural", ())
    structural = {k: params.pop(k) for k in list(params) if k in structural_names}
    definition = factory(**structural)
    return Model(definition, params)
