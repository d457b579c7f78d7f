#!/usr/bin/env python
"""Mesh convergence of the period-doubling points of the E-I cycle branch (issue 4).

    python validation/pd_mesh_convergence.py --quick   # ncol 4, ntst 50/100/200, both engines
    python validation/pd_mesh_convergence.py           # + ncol 5, 6, 7 and the error budget

E-I neural mass (Bi et al. 2021), K = 1000, D_ii = 0.3, D_ee = 2.0: the cycle
born at the lower Hopf point (I_e ~ 0.00146), followed towards lower I_e
(log10 I_e in bifkit; AUTO-07p continues I_e linearly), has two PD points.
Both engines run on the same sympy equations (AUTO through
``bifkit.backends.auto07p``); AUTO's PD parameters are read from its fort.8
solution blocks (11 significant digits), not from the 6 printed digits.

Table: every PD location per engine, ncol and ntst, its relative difference
from the same engine and ncol at ntst = 200 (the issue's criterion: 8 digits
= relative difference < 5e-9) and from the reference (bifkit, ncol 4,
ntst 200).

Error budget (full run): the PD2 discretisation error at ntst = 50 is split
into per-interval contributions e_j by bisecting one interval at a time and
solving the PD defining system again (bisection removes 1 - 2^-2m of an
interval's local error, 2m the superconvergence order of Gauss collocation at
the mesh points).  Printed for bifkit's continuation mesh and for AUTO's mesh
(AUTO's orbit imported; bifkit's PD system on AUTO's mesh reproduces AUTO's
value, i.e. the two discretisations are the same and only the meshes
differ), for bifkit's mesh re-adapted at the PD orbit before the PD system
is solved, and for the mesh that equidistributes the measured |e_j| (the best
mesh for sum |e_j| at this ntst, an oracle that needs the reference).

Exit status 1 when a computation fails or a row that must converge does not
(ntst 100 vs 200 per engine and ncol; the engines against each other at
ntst = 200).  The ncol = 4, ntst = 50 row of PD2 is reported, not required:
its 7-digit agreement is a property of the discretisation (see the budget).
"""
from __future__ import annotations

import argparse
import sys
import time

import numpy as np

import bifkit
from bifkit.backends import auto07p
from bifkit.backends.auto07p import files
from bifkit.continuation.cycles import collocation as co
from bifkit.continuation.cycles import mesh as mesh_mod
from bifkit.continuation.cycles.starts import polish
from bifkit.continuation.cycles import Orbit

EI = dict(K=1000.0, D_ii=0.3, D_ee=2.0)
BOUNDS = {"I_e": (1e-5, 200.0)}
DIGITS8 = 5e-9            # "agrees to 8 digits"
ENGINE_TOL = 5e-9         # bifkit vs AUTO at ntst = 200 (AUTO's location tolerance ~1e-10)


def ei_model():
    return bifkit.load_model("ei_neural_mass", **EI, I_e=1e-5)


# --------------------------------------------------------------------------- #
# the two engines                                                              #
# --------------------------------------------------------------------------- #
class Runs:
    """LC-C branches from the lower Hopf point, per (engine, ncol, ntst)."""

    def __init__(self, model):
        self.model = model
        start = model.steady_state()[0]
        kw = dict(bounds=BOUNDS)
        self.hopf_b = bifkit.continuation(model, "EP-C", start, ["I_e"], log_params=["I_e"],
                                          **kw).special_points("H")[0]
        self.hopf_a = auto07p.continuation(model, "EP-C", start, ["I_e"], l1=False,
                                           **kw).special_points("H")[0]
        self.pmap = auto07p.compile_model(model).pmap
        self.results = {}

    def pd(self, engine, ncol, ntst):
        """[(I_e, T, orbit)] of the PD points, in branch order (PD1 at the larger I_e)."""
        key = (engine, ncol, ntst)
        if key not in self.results:
            t0 = time.perf_counter()
            if engine == "bifkit":
                br = bifkit.continuation(self.model, "LC-C", start=self.hopf_b, free=["I_e"],
                                         log_params=["I_e"], bounds=BOUNDS, ntst=ntst,
                                         ncol=ncol)
                pts = [(s.params["I_e"], s.data["period"], s.data["orbit"])
                       for s in br.special_points("PD")]
            else:
                br = auto07p.continuation(self.model, "LC-C", self.hopf_a, ["I_e"],
                                          bounds=BOUNDS, ntst=ntst, ncol=ncol)
                pts = [self._auto_point(s) for s in br.special_points("PD")]
            self.results[key] = (pts, time.perf_counter() - t0)
        return self.results[key][0]

    def _auto_point(self, s):
        """(I_e, T, Orbit) from AUTO's fort.8 block of a special point (full precision)."""
        text = s.data["auto"]["solution"]
        if not text:
            raise RuntimeError("AUTO wrote no solution block for a PD point")
        sol = files.read_fort8(text)[0]
        p = np.asarray(self.pmap.from_par(sol.par), float)
        return (p[self.model.param_index("I_e")], float(sol.par[10]),
                _auto_orbit(sol, p, self.model.n))


def _auto_orbit(sol, p, n):
    """AUTO's periodic solution as a bifkit Orbit (same Lagrange nodes: uniform per interval)."""
    t = np.asarray(sol.t, float)
    ncol = int(sol.header["NCOL"])
    if not 1 <= ncol <= 7 or (len(t) - 1) % ncol:
        raise ValueError(f"AUTO solution block: NCOL = {ncol} does not fit {len(t)} node times")
    mesh = t[::ncol].copy()
    mesh[0], mesh[-1] = 0.0, 1.0
    return Orbit(np.ascontiguousarray(sol.u[:, :n]), mesh, float(sol.par[10]), p,
                 co.Scheme(ncol))


# --------------------------------------------------------------------------- #
# error budget                                                                 #
# --------------------------------------------------------------------------- #
def pd_on_mesh(model, orbit, mesh):
    """I_e of the PD point solved on ``mesh`` (orbit interpolated as the first guess)."""
    sch = orbit.scheme
    U = co.interpolate(orbit.U, orbit.mesh, sch, co.node_times(mesh, sch))
    ipar = model.param_index("I_e")
    r = polish(model, "PD", Orbit(U, np.asarray(mesh, float), orbit.T, orbit.p, sch), ipar, True)
    if r is None:
        raise RuntimeError(f"the PD system does not converge on a mesh with {len(mesh) - 1} "
                           f"intervals")
    return float(r[2][ipar])


def contributions(model, orbit, ref):
    """(signed relative error, per-interval contributions e_j) on the orbit's own mesh."""
    mesh = orbit.mesh
    base = pd_on_mesh(model, orbit, mesh)
    e = np.empty(len(mesh) - 1)
    for j in range(len(mesh) - 1):
        finer = np.sort(np.r_[mesh, 0.5 * (mesh[j] + mesh[j + 1])])
        e[j] = (base - pd_on_mesh(model, orbit, finer)) / ref
    return (base - ref) / ref, e


def equidistributed(mesh, e, order):
    """The mesh with the same number of intervals that equidistributes |e_j| ~ g_j h_j^(order+1)."""
    h = np.diff(mesh)
    dens = np.abs(e) ** (1.0 / (order + 1)) / h
    cum = np.concatenate(([0.0], np.cumsum(dens * h)))
    new = np.interp(np.linspace(0.0, cum[-1], len(mesh)), cum, mesh)
    new[0], new[-1] = 0.0, 1.0
    return new


def budget(model, runs, ref, lines):
    """Per-interval error contributions of PD2 at ntst = 50, ncol = 4 on three meshes."""
    b_orb = runs.pd("bifkit", 4, 50)[1][2]
    a_val, _, a_orb = runs.pd("auto", 4, 50)[1]
    a_re = pd_on_mesh(model, a_orb, a_orb.mesh)
    lines.append(f"bifkit's PD system on AUTO's mesh: {a_re:.12e} (AUTO itself {a_val:.12e}, "
                 f"rel. diff {abs(a_re - a_val) / a_val:.1e}): same discretisation, only the "
                 f"meshes differ")
    rows = []
    for name, orb in (("bifkit continuation mesh", b_orb), ("AUTO-07p mesh", a_orb)):
        err, e = contributions(model, orb, ref)
        rows.append((name, err, e, orb.mesh))
    name, _, e, mesh = rows[0]
    best = equidistributed(mesh, e, 2 * 4)
    # re-adapted at the PD orbit itself (mesh.adapt, the LC-C monitor), three passes
    orb = b_orb
    for _ in range(3):
        U, mesh = mesh_mod.adapt(orb.U, orb.mesh, orb.scheme)
        r = polish(model, "PD", Orbit(U, mesh, orb.T, orb.p, orb.scheme),
                   model.param_index("I_e"), True)
        if r is None:
            raise RuntimeError("the PD system does not converge on the re-adapted mesh")
        orb = Orbit(r[0], mesh, r[1], r[2], orb.scheme)
    err, e = contributions(model, orb, ref)
    rows.append(("re-adapted at the PD orbit (x3)", err, e, orb.mesh))
    # the oracle mesh, with the reference orbit (ntst 200) interpolated as the first guess
    src = runs.pd("bifkit", 4, 200)[1][2]
    o = Orbit(co.interpolate(src.U, src.mesh, src.scheme, co.node_times(best, src.scheme)),
              best, src.T, src.p, src.scheme)
    err, e2 = contributions(model, o, ref)
    rows.append(("|e_j| equidistributed (oracle)", err, e2, best))
    lines.append("")
    lines.append("PD2 at ntst = 50, ncol = 4: error budget (relative to the reference)")
    lines.append(f"{'mesh':32s} | {'signed error':>12s} | {'sum |e_j|':>9s} | {'max |e_j|':>9s} | "
                 f"{'3 largest |e_j| (share of sum)':30s} | h_min, h_max")
    for name, err, e, mesh in rows:
        a = np.abs(e)
        top = np.sort(a)[::-1][:3]
        h = np.diff(mesh)
        lines.append(f"{name:32s} | {err:12.2e} | {a.sum():9.2e} | {a.max():9.2e} | "
                     f"{', '.join(f'{x:.1e}' for x in top)} ({top.sum() / a.sum():.0%})"
                     f"{'':4s} | {h.min():.4f}, {h.max():.4f}")
    j = int(np.argmax(np.abs(rows[0][2])))
    m0 = rows[0][3]
    lines.append(f"bifkit's largest contribution: interval {j} of t in [{m0[j]:.3f}, "
                 f"{m0[j + 1]:.3f}] (h = {m0[j + 1] - m0[j]:.4f}), the slow escape phase")
    return rows


# --------------------------------------------------------------------------- #
def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true",
                    help="ncol 4 only, ntst 50/100/200, bifkit and AUTO-07p (~15 s warm)")
    args = ap.parse_args(argv)
    if not auto07p.available():
        print(f"SKIPPED: {auto07p.missing_message()}")
        return 0
    t0 = time.perf_counter()
    model = ei_model()
    runs = Runs(model)
    plan = [(4, (50, 100, 200))]
    if not args.quick:
        plan += [(5, (50, 100, 200)), (6, (50,)), (7, (50,))]
    failures = []
    for ncol, ntsts in plan:
        for engine in ("bifkit", "auto"):
            for ntst in ntsts:
                try:
                    runs.pd(engine, ncol, ntst)
                except Exception as e:   # a crash is a failure, never a silent pass
                    failures.append(f"{engine} ncol={ncol} ntst={ntst}: {type(e).__name__}: {e}")
                    runs.results[(engine, ncol, ntst)] = ([], float("nan"))
    ref_pts = runs.results.get(("bifkit", 4, 200), ([], 0))[0]
    if len(ref_pts) != 2:
        failures.append(f"reference run (bifkit ncol 4 ntst 200) found {len(ref_pts)} PD points")
        print("\n".join(failures))
        return 1
    ref = [p[0] for p in ref_pts]

    head = (f"{'engine':6s} | ncol | ntst | {'PD':3s} | {'I_e':>18s} | {'period':>12s} | "
            f"{'vs ntst 200':>11s} | {'vs ref':>9s} | {'8 digits':12s} | s")
    print(head)
    print("-" * len(head))
    for ncol, ntsts in plan:
        for engine in ("bifkit", "auto"):
            fine = runs.results.get((engine, ncol, 200), ([], 0))[0]
            for ntst in ntsts:
                pts, secs = runs.results[(engine, ncol, ntst)]
                if len(pts) != 2:
                    failures.append(f"{engine} ncol={ncol} ntst={ntst}: {len(pts)} PD points")
                    continue
                for k, (val, T, _) in enumerate(pts):
                    if ntst != 200 and len(fine) == 2:
                        d = abs(val - fine[k][0]) / fine[k][0]
                    elif ntst == 200 and (engine, ncol, 100) in runs.results and \
                            len(runs.results[(engine, ncol, 100)][0]) == 2:
                        d = abs(val - runs.results[(engine, ncol, 100)][0][k][0]) / val
                    else:
                        d = float("nan")
                    dref = abs(val - ref[k]) / ref[k]
                    against = " (vs 100)" if ntst == 200 else ""
                    if not np.isfinite(d):   # no finer run of this ncol: judge by the reference
                        d, against = dref, " (vs ref)"
                    ok = d < DIGITS8 if ntst != 50 or ncol != 4 else None
                    verdict = ("yes" if d < DIGITS8 else "no") + against
                    print(f"{engine:6s} | {ncol:4d} | {ntst:4d} | PD{k + 1} | {val:18.12e} | "
                          f"{T:12.6f} | {d:11.1e} | {dref:9.1e} | {verdict:12s} | {secs:.1f}")
                    if ntst in (100, 200) and ok is False:
                        failures.append(f"{engine} ncol={ncol} ntst={ntst} PD{k + 1}: "
                                        f"rel. diff {d:.1e} to the neighbouring ntst")
    for ncol, ntsts in plan:
        if 200 in ntsts:
            b = runs.results[("bifkit", ncol, 200)][0]
            a = runs.results[("auto", ncol, 200)][0]
            for k in range(min(len(a), len(b))):
                d = abs(b[k][0] - a[k][0]) / b[k][0]
                if d > ENGINE_TOL:
                    failures.append(f"ncol={ncol} ntst=200 PD{k + 1}: bifkit vs AUTO {d:.1e}")
    print(f"\nreference: bifkit ncol 4 ntst 200; '8 digits' = rel. diff < {DIGITS8:g} to the "
          f"same engine and ncol at ntst 200 (ntst 200 rows: to ntst 100)")
    if not args.quick:
        lines = []
        try:
            budget(model, runs, ref[1], lines)
        except Exception as e:
            failures.append(f"error budget: {type(e).__name__}: {e}")
        print("\n" + "\n".join(lines))
    if failures:
        print("\nFAILURES:\n  " + "\n  ".join(failures))
    print(f"\n{time.perf_counter() - t0:.1f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
