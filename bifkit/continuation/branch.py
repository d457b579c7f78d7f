"""Branch and SpecialPoint: what a continuation run returns.

A Branch carries everything needed to redraw or resume it: the model name and
parameter values, the free parameters, the options, every point's state,
parameters and eigenvalues, and the labelled special points.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .._json import dumps as json_dumps  # the one JSON encoding (complex numbers)
from .._json import loads as json_loads
from .status import check as check_status


@dataclass
class SpecialPoint:
    """A labelled point (LP, H, BP, NF, ...) of a branch.

    Attributes
    ----------
    label : str
    index : int
        Index of the branch point just before it (the point itself is located
        between ``index`` and ``index + 1`` and stored separately).
    state : dict
        State at the point ({name: value}, complex for complex states).
    params : dict
        All parameter values at the point.
    data : dict
        Label-specific data; for H: ``omega`` (angular frequency, 1/time unit
        of the model), ``frequency`` (omega/2pi), ``l1`` (first Lyapunov
        coefficient) and ``criticality``.
    converged : bool
        Whether location converged to the requested tolerance.
    """

    label: str
    index: int
    state: dict
    params: dict
    data: dict = field(default_factory=dict)
    converged: bool = True

    def __repr__(self):
        free = ", ".join(f"{k}={v:.10g}" for k, v in self.data.get("free", {}).items())
        return f"SpecialPoint({self.label}, {free})"


class Branch:
    """Points of a continuation curve, their stability and special points."""

    def __init__(self, model, curve, free, x, p, eigenvalues, special, options,
                 stop_reason="", data=None, stable=None, status=None):
        self.model_name = model.name
        self.model_params = model.params
        self.state_names = model.state_names
        self.param_names = model.param_names
        self.curve = curve
        self.free = list(free)
        self.x = np.asarray(x, dtype=float)           # (npts, n) real-split states
        self.p = np.asarray(p, dtype=float)           # (npts, nparams)
        self.eigenvalues = np.asarray(eigenvalues, dtype=complex)
        self.special = list(special)
        self.options = dict(options)
        self.stop_reason = stop_reason
        # why each direction ended: {"forward"/"backward": a key of status.STATUSES}
        self.status = {k: check_status(v) for k, v in (status or {}).items()}
        # per-point data arrays (first axis = point): "l1" along H-C, "period" and
        # "multipliers" along cycle curves, "omega", ...
        self.data = {k: np.asarray(v) for k, v in (data or {}).items()}
        self._stable = None if stable is None else np.asarray(stable, dtype=bool)
        self._model = model

    @property
    def model(self):
        """The model the branch was computed with (rebuilt from the saved definition
        after :meth:`load`), at the parameters of the start; restart from a point with
        ``bifkit.continuation(branch.model, curve, branch.point(i), free)``."""
        return self._model

    @property
    def message(self) -> str:
        """Why the run ended, in words (per direction); ``status`` holds the codes."""
        return self.stop_reason

    def __len__(self):
        return self.x.shape[0]

    def __repr__(self):
        labels = ", ".join(f"{s.label}" for s in self.special)
        return (f"Branch({self.curve} of {self.model_name!r} in {self.free}, "
                f"{len(self)} points, special: [{labels}], status: {self.status})")

    @property
    def params(self) -> dict:
        """Parameter arrays along the branch, by name."""
        return {k: self.p[:, i] for i, k in enumerate(self.param_names)}

    @property
    def states(self) -> dict:
        """Real-split state arrays along the branch, by name."""
        return {k: self.x[:, i] for i, k in enumerate(self.state_names)}

    @property
    def stable(self) -> np.ndarray:
        """Stability of every point: given by the curve (e.g. Floquet multipliers
        inside the unit circle for cycles), else every eigenvalue has Re < 0."""
        if self._stable is not None:
            return self._stable
        return np.all(self.eigenvalues.real < 0, axis=1)

    def special_points(self, label: str | None = None) -> list:
        """Special points, optionally only those with ``label``."""
        return [s for s in self.special if label is None or s.label == label]

    def point(self, i: int) -> dict:
        """Point ``i`` as {"state": dict, "params": dict} (a valid ``start=``)."""
        return {"state": dict(zip(self.state_names, self.x[i])),
                "params": dict(zip(self.param_names, self.p[i]))}

    # ----------------------------------------------------------- persistence
    def save(self, path: str | os.PathLike) -> Path:
        """Save without loss to ``path`` (.npz with a JSON header)."""
        path = Path(path)
        meta = {"model_name": self.model_name, "model_params": self.model_params,
                "state_names": self.state_names, "param_names": self.param_names,
                "curve": self.curve, "free": self.free, "options": self.options,
                "stop_reason": self.stop_reason, "status": self.status,
                "special": [vars(s) for s in self.special]}
        meta["data_keys"] = list(self.data)
        if hasattr(self._model, "to_spec"):   # self-contained: the model's full definition
            meta["model_spec"] = self._model.to_spec()
        meta["branch_class"] = type(self).__name__
        meta["has_stable"] = self._stable is not None
        extra = {f"data_{k}": v for k, v in self.data.items()}
        if self._stable is not None:
            extra["stable"] = self._stable
        extra.update(self._arrays_to_save(meta))
        from .._io import atomic_save   # temporary file, then rename: no half-written file
        return atomic_save(lambda tmp: np.savez(tmp, x=self.x, p=self.p,
                                                eigenvalues=self.eigenvalues,
                                                meta=np.array(json_dumps(meta)), **extra),
                           path, result=self)

    def _arrays_to_save(self, meta) -> dict:
        """Arrays a subclass adds to the saved file (names starting with "orbit_")."""
        return {}

    @classmethod
    def load(cls, path: str | os.PathLike) -> "Branch":
        """Load a branch saved by :meth:`save`, as the class it was saved from.

        The model is rebuilt from the saved definition (``Model.from_spec``)
        when the file has one, else by name from the registry.  A branch of a
        subclass with a ``from_arrays`` classmethod comes back as that class
        (a cycle branch as a :class:`CycleBranch` with its orbits); a subclass
        adds its own arrays to the file with ``_arrays_to_save(meta)`` (names
        starting with "orbit_").
        """
        with np.load(path) as data:
            meta = json_loads(str(data["meta"]))  # complex values back
            x, p, ev = data["x"], data["p"], data["eigenvalues"]
            extra = {k: data[f"data_{k}"] for k in meta.get("data_keys", [])}
            stable = data["stable"] if meta.get("has_stable") else None
            orbit_arrays = {k: data[k] for k in data.files if k.startswith("orbit_")}
        orbit_arrays["scheme"] = meta.get("orbit_scheme")
        model = _model_of(meta)
        special = [SpecialPoint(**s) for s in meta["special"]]
        args = (model, meta["curve"], meta["free"], x, p, ev, special, meta["options"],
                meta["stop_reason"])
        kw = dict(data=extra, stable=stable, status=meta.get("status"))
        target = _subclass(meta.get("branch_class")) if cls is Branch else cls
        if target is not None and hasattr(target, "from_arrays"):
            return target.from_arrays(*args, orbit_arrays=orbit_arrays, **kw)
        return cls(*args, **kw)

    def to_csv(self, path) -> Path:
        """Write one row per point: parameters, states, stability, leading eigenvalue."""
        path = Path(path)
        lead = self.eigenvalues[:, 0] if self.eigenvalues.size else np.zeros(len(self))
        scalars = {k: v for k, v in self.data.items()
                   if v.ndim == 1 and not np.iscomplexobj(v)}
        header = (self.param_names + self.state_names + ["stable", "lead_re", "lead_im"]
                  + list(scalars))
        rows = np.column_stack([self.p, self.x, self.stable.astype(float), lead.real, lead.imag,
                                *scalars.values()])
        np.savetxt(path, rows, delimiter=",", header=",".join(header), comments="")
        return path

    def to_dataframe(self):
        """One row per point as a pandas DataFrame (:func:`bifkit.export.branch_to_dataframe`)."""
        from ..export import branch_to_dataframe
        return branch_to_dataframe(self)

    def to_xarray(self):
        """An xarray Dataset with dimension ``point`` (:func:`bifkit.export.branch_to_xarray`)."""
        from ..export import branch_to_xarray
        return branch_to_xarray(self)

    def plot(self, x: str, y: str, ax=None, **kw):
        """Plot ``y`` against ``x`` (parameter or state names); stable solid, unstable dashed."""
        from .._optional import require
        plt = require("matplotlib.pyplot", extra="plot")
        ax = ax or plt.gca()
        cols = {**self.params, **self.states}
        X, Y, st = cols[x], cols[y], self.stable
        color = kw.pop("color", "k")
        for mask, ls in ((st, "-"), (~st, "--")):
            Ym = np.where(mask, Y, np.nan)
            # extend segments by one point so stable and unstable parts touch
            ax.plot(X, Ym, ls, color=color, **kw)
        for s in self.special:
            sx = {**s.params, **s.state}
            if x in sx and y in sx:
                ax.plot(sx[x], np.real(sx[y]), "o", color="C3" if s.label == "H" else "C0", ms=4)
                ax.annotate(s.label, (sx[x], np.real(sx[y])), fontsize=8)
        ax.set_xlabel(x)
        ax.set_ylabel(y)
        return ax


def _subclass(name):
    """The Branch subclass called ``name`` (a subclass rebuilds itself with ``from_arrays``)."""
    from . import cycles  # noqa: F401  (defines CycleBranch)
    todo = [Branch]
    while todo:
        c = todo.pop()
        if c.__name__ == name:
            return c
        todo += c.__subclasses__()
    return None


def _model_of(meta):
    """The model of a saved branch: from its saved spec, else by name from the registry."""
    spec = meta.get("model_spec")
    if spec is not None:
        from ..model import Model
        if hasattr(Model, "from_spec"):
            return Model.from_spec(spec)
    from ..registry import load_model
    return load_model(meta["model_name"], **meta["model_params"])
