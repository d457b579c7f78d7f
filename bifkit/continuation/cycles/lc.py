"""The "LC-C" curve type: cycles in one parameter, their Branch and special points.

:func:`continue_cycles` starts from a Hopf point, an orbit or a special point
of a cycle branch; :class:`CycleCurve` is the curve type the one driver
(:func:`..driver.continue_curve`) runs, one :func:`.lc_run.run` per direction;
:class:`CycleBranch` holds every orbit (``orbits``) besides the common Branch
fields.
"""
from __future__ import annotations

import numpy as np

from . import collocation as co
from . import floquet as fq
from . import lc_run
from ..branch import Branch, SpecialPoint
from .orbit import Orbit, refine

#: a Hopf start needs |Re lambda| <= HOPF_TOL |Im lambda| for its critical pair
HOPF_TOL = 1e-5


class CycleSpecialPoint(SpecialPoint):
    """A special point of a cycle branch (label LPC, PD, NS or BPC).

    ``data`` holds ``period``, ``multipliers`` (complex array), ``orbit``
    (:class:`Orbit`), ``trivial_error`` and ``free`` ({name: value});
    ``index`` is the branch point just before it (as for every SpecialPoint).
    The continuation state (mesh, tangent) rides along privately for branch
    switching and two-parameter starts.
    """

    def __init__(self, label, index, state, params, data, converged=True, internal=None):
        super().__init__(label, index, state, params, data, converged)
        self._internal = internal

    @property
    def orbit(self) -> Orbit:
        return self.data["orbit"]


class CycleBranch(Branch):
    """A Branch of periodic orbits ("LC-C" and the cycle-curve types).

    Besides the common Branch fields (``x`` = the orbit's state at t = 0,
    ``eigenvalues`` = the Floquet multipliers, ``data["period"]``,
    ``data["multipliers"]``, ``data["trivial_multiplier_error"]``,
    ``data["amplitude_max_<state>"]`` / ``min``), it keeps every orbit
    (``orbits``: list of :class:`Orbit`, for plotting u(t) over one period).
    ``save`` stores the orbits' node values of the special points only.
    """

    def __init__(self, model, curve, free, orbits, special, options, stop_reason="",
                 extra=None, status=None):
        n = model.n
        mu = np.array([o.multipliers if o.multipliers is not None else np.full(n, np.nan)
                       for o in orbits], dtype=complex).reshape(len(orbits), n)
        if orbits:   # amplitude() of all at once: reduceat over the stacked node values
            # (20x faster than max(axis=1) of the (points, nodes, n) stack; the same values)
            Us = np.concatenate([o.U for o in orbits])
            starts = np.cumsum([0] + [len(o.U) for o in orbits[:-1]])
            mx, mn = np.maximum.reduceat(Us, starts), np.minimum.reduceat(Us, starts)
        else:
            mx = mn = np.zeros((0, n))
        data = {"period": np.array([o.T for o in orbits]), "multipliers": mu,
                "trivial_multiplier_error": np.array([o.trivial_error for o in orbits])}
        for a, name in enumerate(model.state_names):
            data[f"amplitude_max_{name}"] = mx[:, a]
            data[f"amplitude_min_{name}"] = mn[:, a]
        data.update(extra or {})
        stable = _stable_rows(mu)
        x = np.array([o.U[0] for o in orbits]).reshape(len(orbits), n)
        p = np.array([o.p for o in orbits]).reshape(len(orbits), len(model.param_names))
        super().__init__(model, curve, free, x, p, mu, special, options, stop_reason,
                         data=data, stable=stable, status=status)
        self.orbits = list(orbits)

    def point(self, i: int) -> dict:
        """Point ``i`` as {"state", "params", "orbit"}: a valid LC-C ``start=`` (the orbit)."""
        return {**super().point(i), "orbit": self.orbits[i]}

    @property
    def period(self) -> np.ndarray:
        """Period of every orbit (model time unit)."""
        return self.data["period"]

    @property
    def multipliers(self) -> np.ndarray:
        """Floquet multipliers of every orbit, (npoints, n) complex."""
        return self.data["multipliers"]

    @property
    def trivial_error(self) -> np.ndarray:
        """|mu_trivial - 1| of every orbit (a check of the discretisation)."""
        return self.data["trivial_multiplier_error"]

    @property
    def stability(self) -> np.ndarray:
        """Number of nontrivial multipliers outside the unit circle, per point."""
        return np.array([int(np.sum(np.abs(fq.nontrivial(m)) > 1.0)) for m in self.multipliers])

    def amplitude(self):
        """(max, min) of every state over each orbit, arrays of shape (npoints, n)."""
        names = self.state_names
        return (np.column_stack([self.data[f"amplitude_max_{k}"] for k in names]),
                np.column_stack([self.data[f"amplitude_min_{k}"] for k in names]))

    def plot(self, x: str, y: str, ax=None, **kw):
        """Plot ``y`` against ``x``; besides parameters and states (at t = 0), any per-point
        scalar of ``data`` ("period", "amplitude_max_R_e", ...). Stable solid, unstable dashed."""
        scalars = {k: v for k, v in self.data.items() if v.ndim == 1 and not np.iscomplexobj(v)}
        if x not in scalars and y not in scalars:
            return super().plot(x, y, ax=ax, **kw)
        from ..._optional import require
        plt = require("matplotlib.pyplot", extra="plot")
        ax = ax or plt.gca()
        cols = {**self.params, **self.states, **scalars}
        for name in (x, y):
            if name not in cols:
                raise ValueError(f"unknown column {name!r}; one of {sorted(cols)}")
        color = kw.pop("color", "k")
        for mask, ls in ((self.stable, "-"), (~self.stable, "--")):
            ax.plot(cols[x], np.where(mask, cols[y], np.nan), ls, color=color, **kw)
        for s in self.special:
            sx = {**s.params, "period": s.data.get("period", np.nan)}
            if x in sx and y in sx:
                ax.plot(sx[x], sx[y], "o", color="C0", ms=4)
                ax.annotate(s.label, (sx[x], sx[y]), fontsize=8)
        ax.set_xlabel(x)
        ax.set_ylabel(y)
        return ax

    def save(self, path):
        """Save every orbit (node values, mesh, period, parameters) and the branch data.

        Orbits of special points are stored as plain arrays in their ``data``;
        :meth:`Branch.load` returns a CycleBranch with ``orbits`` again.
        """
        keep = self.special
        self.special = [SpecialPoint(s.label, s.index, s.state, s.params,
                                     {k: (v.to_dict() if isinstance(v, Orbit) else v)
                                      for k, v in s.data.items()}, s.converged) for s in keep]
        try:
            return super().save(path)
        finally:
            self.special = keep

    def _arrays_to_save(self, meta) -> dict:
        if not self.orbits:
            return {}
        sch = self.orbits[0].scheme
        meta["orbit_scheme"] = [sch.ncol, sch.kind]
        shapes = {(o.U.shape, o.mesh.shape) for o in self.orbits}
        if len(shapes) == 1:
            return {"orbit_U": np.stack([o.U for o in self.orbits]),
                    "orbit_mesh": np.stack([o.mesh for o in self.orbits]),
                    "orbit_T": np.array([o.T for o in self.orbits])}
        out = {"orbit_T": np.array([o.T for o in self.orbits])}   # meshes of different sizes
        for i, o in enumerate(self.orbits):
            out[f"orbit_U_{i}"], out[f"orbit_mesh_{i}"] = o.U, o.mesh
        return out

    @classmethod
    def from_arrays(cls, model, curve, free, x, p, eigenvalues, special, options, stop_reason,
                    orbit_arrays, data=None, stable=None, status=None):
        """A CycleBranch from the arrays of a saved file (see :meth:`Branch.load`)."""
        self = cls.__new__(cls)
        Branch.__init__(self, model, curve, free, x, p, eigenvalues, special, options,
                        stop_reason, data=data, stable=stable, status=status)
        ncol, kind = orbit_arrays.get("scheme") or (options.get("ncol", 4), "uniform")
        sch = co.Scheme(int(ncol), kind)
        T = orbit_arrays.get("orbit_T", np.zeros(0))
        mu = self.data.get("multipliers")
        err = self.data.get("trivial_multiplier_error")
        self.orbits = []
        for i in range(len(T)):
            U = orbit_arrays["orbit_U"][i] if "orbit_U" in orbit_arrays \
                else orbit_arrays[f"orbit_U_{i}"]
            mesh = orbit_arrays["orbit_mesh"][i] if "orbit_mesh" in orbit_arrays \
                else orbit_arrays[f"orbit_mesh_{i}"]
            self.orbits.append(Orbit(np.array(U), np.array(mesh), float(T[i]), self.p[i].copy(),
                                     sch, None if mu is None else mu[i],
                                     np.nan if err is None else float(err[i])))
        return self


def _stable_rows(mu) -> np.ndarray:
    """:func:`_stable` of every row of ``mu`` (npoints, n), vectorised."""
    mu = np.asarray(mu, dtype=complex)
    if mu.ndim != 2 or mu.shape[1] == 0:
        return np.array([_stable(m) for m in mu], dtype=bool)
    finite = np.all(np.isfinite(mu), axis=1)
    a = np.abs(mu)
    a[np.arange(len(mu)), np.argmin(np.abs(np.where(np.isfinite(mu), mu, 0.0) - 1.0), axis=1)] = 0.0
    return finite & np.all(a < 1.0, axis=1)


def _stable(mu) -> bool:
    """All nontrivial multipliers strictly inside the unit circle."""
    mu = np.asarray(mu)
    if mu.size == 0 or not np.all(np.isfinite(mu)):
        return bool(mu.size == 0)
    a = np.abs(mu)
    a[int(np.argmin(np.abs(mu - 1.0)))] = 0.0   # the trivial multiplier (fq.nontrivial)
    return bool(np.all(a < 1.0))


def _hopf_data(model, start):
    """(x0, p, omega, q) from a Hopf special point or a dict with state/params."""
    params = dict(getattr(start, "params", None) or start.get("params", {}))
    state = getattr(start, "state", None) or start.get("state")
    p = model.param_array(**params) if params else model.p.copy()
    x0 = model.pack(state)
    J = model.compiled.jac(0.0, x0, p)
    ev, V = np.linalg.eig(J)
    k = int(np.argmax(ev.imag))
    data = getattr(start, "data", None) or start.get("data", {}) or {}
    if not np.all(np.isfinite(J)) or not ev[k].imag > 0:
        raise ValueError("LC-C start is not a Hopf point: the Jacobian there has no complex pair "
                         "of eigenvalues (start from branch.special_points('H')[k], an Orbit or "
                         "a cycle branch's point)")
    omega = float(data.get("omega", ev[k].imag))
    k = int(np.argmin(np.abs(ev - 1j * omega)))
    lam = ev[k]
    if abs(lam.real) > HOPF_TOL * abs(lam.imag):
        raise ValueError(f"LC-C start is not a Hopf point: the eigenvalue pair nearest the "
                         f"imaginary axis is {lam.real:.3g} +- {abs(lam.imag):.3g}i (|Re| > "
                         f"{HOPF_TOL:g} |Im|); start from a located Hopf point "
                         f"(branch.special_points('H')[k])")
    return x0, p, abs(lam.imag), V[:, k]


def continue_cycles(model, start, free, opts) -> "CycleBranch":
    """Continue periodic orbits in one parameter ("LC-C").

    Parameters
    ----------
    model : bifkit.Model
    start : Orbit | Hopf point | CycleSpecialPoint | {"orbit": Orbit, ...}
        A Hopf point is any object (or dict) with ``state``, ``params`` and
        optionally ``data["omega"]``, such as ``branch.special_points("H")[0]``.
        A PD point of a cycle branch switches to the period-doubled branch, which
        stops with status "reconnected" and a BPC point (``data["reconnected"]``)
        where it rejoins its parent traversed twice (at the parent's other PD,
        :mod:`.reconnect`).  A BPC point (branch point of cycles: a multiplier +1
        where the parameter does not turn) switches to the other branch through
        it (``opts.branch``: "other", the default there, or "same";
        :mod:`.switch`).  Any other special point of a cycle branch (LPC, NS, H),
        an Orbit or ``cycle_branch.point(i)`` (a dict carrying the orbit) starts
        on the branch through that orbit.
    free : [name] -- one parameter
    opts : ContinuationOptions
        ``mesh.ntst``, ``mesh.ncol``: mesh intervals and Gauss points (AUTO's
        NTST, NCOL); ``direction``: "forward" (parameter increasing at an orbit
        start), "backward" or "both" (backward and forward from an orbit start,
        joined into one branch by :func:`..driver.continue_curve`: the
        backward part reversed, then the forward part; a backward-only run is
        reversed too, its start last).  At Hopf and PD starts exactly one branch leaves the
        point in its own direction (at a PD the two signs of the critical
        eigenfunction give the same orbits shifted by half the new period), so
        every direction gives that branch.  At a BPC the directions follow the
        chosen branch tangent with either sign (a pitchfork's two halves).

    Returns
    -------
    CycleBranch (a Branch: ``data["period"]``, ``data["multipliers"]``, amplitudes,
    ``orbits``; special points LPC / PD / NS / BPC, and H when the branch shrinks
    back onto an equilibrium)
    """
    from .. import driver
    return driver.continue_curve(CycleCurve.for_request(model, "LC-C", start, free, opts), opts)


class LocatesInRun:
    """The driver-interface pieces shared by the cycle curve types, whose runs locate
    their special points and events at every step themselves: nothing for the driver
    to scan or finish afterwards (the run's status already names unreliable
    multipliers), and the run's per-point objects (``run.arrays[ROWS]``: Orbits on LC-C,
    extended points on PD-C/LPC-C/NS-C) stored as one object-array row."""

    ROWS = "orbits"

    def scanned(self, run, opts):
        return []

    def finish(self, run, opts):
        pass

    def rows(self, run) -> dict:
        objects = np.empty(run.m, dtype=object)
        objects[:] = run.arrays[self.ROWS]
        return {self.ROWS: objects}


class CycleCurve(LocatesInRun):
    """The LC-C curve type of :func:`..driver.continue_curve` (see its interface).

    The start (Hopf point, PD point, BPC point or orbit) is prepared once in
    :meth:`for_request`; each direction is one :func:`.lc_run.run`, which
    locates LPC/PD/NS/BPC points and the user events at every step itself
    (``events_in_loop``).  A Hopf or PD start has one branch whatever the
    direction asked for (:meth:`signs`).
    """

    title = "LC-C"
    events_in_loop = True

    def __init__(self, model, name, system, bounds, detect, start_kind, data, ntst, ncol):
        self.model, self.name, self.system = model, name, system
        self.bounds, self.detect = bounds, detect
        self.start_kind, self.data = start_kind, data   # "hopf" | "pd" | "orbit" | "bpc"
        self.ntst, self.ncol = ntst, ncol
        self.newton_iterations = 0

    @classmethod
    def for_request(cls, model, curve, start, free, opts):
        """The LC-C curve of ``continuation(model, "LC-C", start, free)`` (arguments as
        :func:`continue_cycles`)."""
        (name,) = list(free)
        ipar = model.param_index(name)
        log = name in opts.log_params
        bounds = opts.bounds.get(name, (-np.inf, np.inf))
        detect = tuple(opts.detect) if opts.detect is not None else ("LPC", "PD", "NS")
        if "LPC" in detect:
            detect += ("BPC",)   # the other zero of the multiplier-+1 test (lc_run._bpc_test)
        ntst, ncol = opts.mesh.ntst or 50, opts.mesh.ncol or 4
        sch = co.Scheme(ncol)
        system = lc_run.LCSystem(model, ipar, log, sch)
        orbit_start = _orbit_of(start)
        is_bpc = getattr(start, "label", None) == "BPC"
        which = opts.branch if opts.branch is not None else ("other" if is_bpc else None)
        if which is not None:
            kind, data = "bpc", _bpc_switch_start(system, start, which)
        elif isinstance(start, CycleSpecialPoint) and start.label == "PD":
            p = start.data["orbit"].p.copy()
            st, phase_ref = lc_run.pd_switch_state(system, start._internal, p)
            kind, data = "pd", (st, p, phase_ref)
        elif orbit_start is not None:
            kind, data = "orbit", _orbit_start(system, orbit_start, opts, ntst, sch)
        else:
            x0, p, omega, q = _hopf_data(model, start)
            st, phase_ref = lc_run.hopf_state(system, x0, p, omega, q, ntst)
            kind, data = "hopf", (st, p, phase_ref)
        return cls(model, name, system, bounds, detect, kind, data, ntst, ncol)

    def signs(self, opts) -> list:
        """Hopf and PD starts: one run (+1) whatever the direction (one branch leaves
        the point); orbit and BPC starts: the directions of ``opts``."""
        return [1] if self.start_kind in ("hopf", "pd") else opts.directions()

    def run_direction(self, sign, opts):
        """One :func:`.lc_run.run` from the prepared start; its special points as
        CycleSpecialPoints indexed by the run point just before each."""
        from ..driver import Run
        sys_, b, det = self.system, self.bounds, self.detect
        if self.start_kind in ("hopf", "pd"):
            st, p, phase_ref = self.data
            res = lc_run.run(sys_, st, p, opts, b, det, phase_ref=phase_ref,
                             doubled=self.start_kind == "pd")
        elif self.start_kind == "orbit":
            x, p, corr, zeros = self.data
            x0 = lc_run.State(x.U, x.T, x.theta, x.mesh)
            x0.mu, x0.trivial_error, x0._jac = x.mu, x.trivial_error, x._jac
            x0.tU, x0.tT, x0.ttheta = corr.tangent(x, zeros, 0.0, float(sign))
            res = lc_run.run(sys_, x0, p, opts, b, det)
        else:   # bpc
            x, p, t = self.data
            x0 = lc_run.State(x.U, x.T, x.theta, x.mesh)
            x0.mu, x0.trivial_error, x0.pm = x.mu, x.trivial_error, x.pm
            x0.tU, x0.tT, x0.ttheta = sign * t[0], sign * t[1], sign * t[2]
            res = lc_run.run(sys_, x0, p, opts, b, det, T_scale=x.T)
        self.newton_iterations += res.newton_iterations
        m = len(res.orbits)
        special = [self._special(s) for s in res.special]
        if sign < 0:   # equal indices keep the old order once the joined branch is reversed
            special = special[::-1]
        return Run(sign=sign, m=m, status=res.status, message=res.stop_reason,
                   tests=np.zeros((m, 0)), ds=np.zeros(m),
                   arrays={"orbits": res.orbits}, special=special)

    def _special(self, s) -> CycleSpecialPoint:
        """A special point of :func:`.lc_run.run` (a dict) as a CycleSpecialPoint."""
        orb = s["orbit"]
        return CycleSpecialPoint(
            s["label"], max(s["index"] - 1, 0), self.model.unpack(orb.U[0]),
            dict(zip(self.model.param_names, map(float, orb.p))),
            {"free": {self.name: float(orb.p[self.system.ipar])}, "period": s["T"],
             "multipliers": np.asarray(s["multipliers"]), "orbit": orb,
             "trivial_error": orb.trivial_error, "iterations": s["iterations"],
             **s.get("data", {})},
            bool(s["converged"]), s["state"])

    def branch(self, rows, special, status, message, opts) -> "CycleBranch":
        """The joined runs as a CycleBranch."""
        options = {**opts.record(), "ntst": self.ntst, "ncol": self.ncol,
                   "newton_iterations": self.newton_iterations}
        return CycleBranch(self.model, "LC-C", [self.name], list(rows["orbits"]), special,
                           options, message, status=status)


def _orbit_start(system, orbit_start, opts, ntst, sch):
    """(corrected State, parameters, Corrector, zero tangent) of an orbit start, on the
    mesh of ``opts`` (ntst intervals, ``sch`` collocation)."""
    model, ipar = system.model, system.ipar
    orb = refine(model, orbit_start)
    if orb.ntst != ntst or orb.scheme.ncol != sch.ncol:
        tn = co.node_times(co.uniform_mesh(ntst), sch)
        orb = refine(model, Orbit(orb(tn * orb.T), co.uniform_mesh(ntst), orb.T, orb.p, sch))
    p = orb.p.copy()
    st = lc_run.State(orb.U, orb.T, system.theta_of(p[ipar]), orb.mesh)
    corr = lc_run.Corrector(system, opts, orb.T)
    x = corr.correct(st, orb.U, orb.T, st.theta, np.zeros_like(orb.U), 0.0, 1.0, p)
    if x is None:
        from ...errors import ConvergenceError
        raise ConvergenceError("LC-C start: Newton with the phase condition failed at the "
                               "start orbit; refine it or change ntst")
    return x, p, corr, np.zeros_like(orb.U)


def _bpc_switch_start(system, bpc, which):
    """(BPC state, parameters, tangent) of a switch onto the ``which`` ("other"/"same")
    branch at a BPC.

    The branch tangents at the BPC come from the algebraic branching equation
    of the cycle problem (:mod:`.switch`); each direction follows the chosen
    tangent with its sign, from the BPC orbit itself.
    """
    from . import switch
    x = getattr(bpc, "_internal", None)
    if getattr(bpc, "label", None) != "BPC" or not isinstance(bpc, CycleSpecialPoint) or \
            x is None or x.tU is None:
        if getattr(bpc, "data", {}).get("reconnected"):
            raise ValueError("this BPC ends a period-doubled branch where it rejoins its parent "
                             "cycle; to follow the parent, start LC-C from the parent's PD "
                             "point or one of its orbits")
        raise ValueError(f"branch={which!r} needs a start at a branch point of cycles: a BPC "
                         f"special point of an LC-C run in this session "
                         f"(branch.special_points('BPC')[k]); got {type(bpc).__name__}"
                         + (f" {bpc.label}" if hasattr(bpc, "label") else ""))
    name = system.model.param_names[system.ipar]
    if name not in bpc.data.get("free", {}):
        raise ValueError(f"the BPC was found on a branch in {list(bpc.data.get('free', {}))}, "
                         f"not in {name!r}: continue in the same parameter to switch")
    if abs(x.theta - system.theta_of(bpc.data["free"][name])) > 1e-9 * (1.0 + abs(x.theta)):
        raise ValueError(f"switch at a BPC with log_params as on the run that found it "
                         f"({name} {'not ' if system.log else ''}in log_params there)")
    p = bpc.data["orbit"].p.copy()
    t, _ = switch.branch_tangent(system, x, p, which, x.T)
    return x, p, t


def _orbit_of(start):
    """The orbit of an orbit-type start (Orbit, non-PD cycle special point, point dict), or None."""
    if isinstance(start, Orbit):
        return start
    if isinstance(start, CycleSpecialPoint) and start.label not in ("PD", "H"):
        return start.data["orbit"]
    if isinstance(start, dict) and isinstance(start.get("orbit"), Orbit):
        return start["orbit"]
    data = getattr(start, "data", None)
    if isinstance(data, dict) and isinstance(data.get("orbit"), dict):   # read back from a file
        if getattr(start, "label", None) == "PD":
            raise ValueError("switching to the period-doubled branch needs the PD point of an LC-C "
                             "run in this session (its critical eigenfunction is not saved); "
                             "rerun LC-C, or start PD-C from the saved point")
        if getattr(start, "label", None) != "H":
            return Orbit.from_dict(data["orbit"])
    return None
