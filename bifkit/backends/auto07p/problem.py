"""A bifkit model compiled for AUTO-07p: parameter map, generated source, executable.

The sympy work (derivatives and common subexpressions; ~20 s for the 2CC
model) is cached on disk by a hash of the symbolic rows, the executable by a
hash of the source (:func:`.build.build`), and both in memory per process.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from . import build as _build
from .fortran import ParameterMap, symbolic_key, user_source

_MEMO: dict = {}


@dataclass
class AutoModel:
    """What a continuation needs to run AUTO on a model."""

    pmap: ParameterMap
    exe: Path
    source: Path
    compile_seconds: float     # compiling + linking in this call (0 when cached)
    codegen_seconds: float     # sympy -> Fortran in this call (0 when cached)


def _source_cache(key: str, tag: str) -> Path:
    root = os.environ.get("BIFKIT_CACHE") or os.path.join(
        os.path.expanduser("~"), ".cache", "bifkit")
    path = Path(root) / "auto07p" / "sources"
    path.mkdir(parents=True, exist_ok=True)
    return path / f"{tag}_{key}.f90"


def compile_model(model, precision: str = "double") -> AutoModel:
    """Generate (or reuse) the user file of ``model`` and compile (or reuse) its executable.

    ``precision="quad"``: FUNC evaluated in quad precision (see
    :func:`.fortran.user_source`), used for AUTO's first Lyapunov coefficient.

    Raises
    ------
    ValueError
        If the model has no symbolic form.
    RuntimeError
        If AUTO-07p or gfortran is missing or compilation fails.
    """
    sym = model.symbolic
    if sym is None:
        raise ValueError(f"model {model.name!r} has no symbolic form (hand-written kernels); "
                         f"the AUTO-07p backend needs sympy right-hand sides")
    pmap = ParameterMap(model.param_names)
    key = symbolic_key(sym, pmap, precision)
    if key in _MEMO:
        am = _MEMO[key]
        return AutoModel(am.pmap, am.exe, am.source, 0.0, 0.0)
    tag = "".join(c if c.isalnum() else "_" for c in model.name) + (
        "_quad" if precision == "quad" else "")
    cached = _source_cache(key, tag)
    t0 = time.perf_counter()
    if cached.exists():
        src, gen = cached.read_text(), 0.0
    else:
        src = user_source(sym, pmap, model.name, precision)
        tmp = cached.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(src)
        os.replace(tmp, cached)
        gen = time.perf_counter() - t0
    info = _build.build(src, tag)
    am = AutoModel(pmap, info.exe, info.source, info.compile_seconds, gen)
    _MEMO[key] = am
    return am
