"""MPR model: the bistable region, bounded by two saddle-node curves, and why no homoclinic.

(a) (eta, J) plane at Delta = 1, Gamma = 0: the two saddle-node (fold) curves from an EP-C in
eta at J = 15 continued as LP-C, meeting at the cusp (closed form eta = -sqrt(3) Delta,
J = pi (2c + 1/(2c^3)) sqrt(Delta), c = (3/4)^(1/4)); between them a stable node (low
activity), a saddle and a stable focus (high activity) coexist.
(b) phase plane (R, V) at a bistable point: the three equilibria, the saddle's stable manifold
(the basin boundary) and its unstable manifold, whose two branches end at the node and at the
focus: heteroclinic, not homoclinic.

No homoclinic bifurcation bounds this region, for any Delta > 0 or Gamma > 0: with the Dulac
function B = R^-2, div(B f) = -R^-3 (2 Delta / (pi tau) + Gamma R / pi) / tau < 0 for R > 0
(eq. of Montbrio, Pazo & Roxin 2015, and Bi et al. 2021 eq. 5, as in models/mpr.py), so by the
Bendixson-Dulac criterion there is no periodic orbit and no homoclinic loop in R > 0
(a homoclinic loop would enclose a region with zero net flux of B f).  The check is made
numerically on the plotted window and written to the CSV comment.  The saddle-node curves are
the only boundaries of the bistable region (MPR 2015, Fig. 1).
"""
from __future__ import annotations

import math

import numpy as np

from .common import new_figure, save_figure, write_csv

NAME = "mpr-bistability"
TITLE = "MPR model: bistable region between two saddle-node curves (cusp); no homoclinic (Dulac)"
REQUIRES = {"bifkit.continuation.codim2": "LP-C two-parameter fold curves"}

DELTA = 1.0
BOUNDS = {"eta": (-20.0, 0.0), "J": (0.0, 25.0)}


def fold_curves(quick: bool):
    """The LP-C curve through both folds of the EP-C at J = 15 (one curve through the cusp)."""
    import bifkit
    m = bifkit.load_model("mpr", Delta=DELTA, Gamma=0.0, tau=1.0, J=15.0, eta=-10.0)
    ep = bifkit.continuation(m, "EP-C", m.steady_state()[0], ["eta"], bounds={"eta": BOUNDS["eta"]})
    lp = ep.special_points("LP")[0]
    kw = dict(ds_max=0.5 if quick else 0.1, max_points=400 if quick else 2000)
    lpc = bifkit.continuation(m, "LP-C", lp, ["eta", "J"], bounds=BOUNDS, direction="both", **kw)
    return m, ep, lpc


def dulac_divergence(R, V, p):
    """div(R^-2 f) of the MPR field (closed form above); negative for R > 0."""
    return -(2 * p["Delta"] / (math.pi * p["tau"]) + p["Gamma"] * R / math.pi) / (R ** 3 * p["tau"])


def manifolds(model, saddle, t_max=20.0):
    """Branches of the saddle's stable and unstable manifolds (lists of (t, 2) arrays)."""
    from scipy.integrate import solve_ivp
    f, jac, p = model.compiled.f, model.compiled.jac, model.p
    x0 = np.array([saddle["R"], saddle["V"]])
    ev, vec = np.linalg.eig(jac(0.0, x0, p))
    out = {"stable": [], "unstable": []}
    for lam, v in zip(ev.real, vec.T.real):
        kind = "stable" if lam < 0 else "unstable"
        sign = -1.0 if kind == "stable" else 1.0
        for side in (1.0, -1.0):
            y0 = x0 + 1e-6 * side * v / np.linalg.norm(v)

            def stop(t, y):
                return y[0] - 1e-4            # leave R > 0 (the stable branch may go there)
            stop.terminal = True
            sol = solve_ivp(lambda t, y: sign * f(t, y, p), (0.0, t_max), y0, rtol=1e-9,
                            atol=1e-12, events=stop, max_step=0.05)
            out[kind].append(sol.y.T)
    return out


def run(quick: bool, out):
    m, ep, lpc = fold_curves(quick)
    cusp = lpc.special_points("CP")
    eta, J = lpc.params["eta"], lpc.params["J"]
    # a bistable point: J = 15, eta half-way between the two folds
    folds = sorted(s.params["eta"] for s in ep.special_points("LP"))
    eta_b = 0.5 * (folds[0] + folds[1])
    mb = m.with_params(eta=eta_b)
    eqs = mb.steady_state()
    kinds = []
    for s in eqs:
        ev = mb.eigenvalues(s)
        kinds.append("saddle" if ev.real.max() > 0 else
                     ("focus" if abs(ev.imag).max() > 0 else "node"))
    if kinds.count("saddle") != 1 or len(eqs) != 3:
        raise RuntimeError(f"expected node, saddle and focus at eta = {eta_b}; got {kinds}")
    saddle = eqs[kinds.index("saddle")]
    mans = manifolds(mb, saddle)
    # Dulac check on the window of panel (b)
    Rg, Vg = np.meshgrid(np.linspace(1e-3, 3.0, 60), np.linspace(-4.0, 2.0, 60))
    div_max = float(np.max(dulac_divergence(Rg, Vg, mb.params)))
    comment = (f"MPR Delta={DELTA}, Gamma=0, tau=1; LP-C from the folds of J=15; "
               f"cusp {[(s.params['eta'], s.params['J']) for s in cusp]}; "
               f"max div(R^-2 f) on R in [1e-3, 3], V in [-4, 2]: {div_max:.3g} (< 0: no cycle, "
               f"no homoclinic loop)")
    files = {"csv": write_csv(out / f"{NAME}.csv", {"eta": eta, "J": J}, comment)}
    fig, (ax, bx) = new_figure(1, 2, figsize=(11, 4.5))
    ax.fill(np.concatenate([eta]), np.concatenate([J]), color="tab:orange", alpha=0.25,
            label="bistable: node + saddle + focus")
    ax.plot(eta, J, color="k", label="saddle-node (LP-C)")
    for s in cusp:
        ax.plot(s.params["eta"], s.params["J"], "ko")
        ax.annotate("CP", (s.params["eta"], s.params["J"]), textcoords="offset points",
                    xytext=(4, -10))
    ax.axhline(15.0, color="0.5", lw=0.8, ls=":")
    ax.plot([eta_b], [15.0], "s", color="tab:red", label=f"panel (b): eta = {eta_b:.3f}")
    ax.set_xlim(*BOUNDS["eta"])
    ax.set_ylim(*BOUNDS["J"])
    ax.set_xlabel("eta (mean input, QIF units)")
    ax.set_ylabel("J (coupling)")
    ax.legend(fontsize=8, loc="upper left")
    ax.set_title("(a) folds bound the bistable region")
    for k, branch in enumerate(mans["stable"]):
        bx.plot(branch[:, 0], branch[:, 1], color="tab:blue",
                label="stable manifold (basin boundary)" if k == 0 else None)
    for k, branch in enumerate(mans["unstable"]):
        bx.plot(branch[:, 0], branch[:, 1], color="tab:red",
                label="unstable manifold" if k == 0 else None)
    for s, kind in zip(eqs, kinds):
        bx.plot(s["R"], s["V"], "o", mfc="w" if kind == "saddle" else "k", mec="k")
        bx.annotate(kind, (s["R"], s["V"]), textcoords="offset points", xytext=(5, 5))
    bx.set_xlim(0, 3.0)
    bx.set_ylim(-4.0, 2.0)
    bx.set_xlabel("R (1/tau)")
    bx.set_ylabel("V")
    bx.legend(fontsize=8, loc="lower right")
    bx.set_title("(b) saddle connects to node and focus: no homoclinic")
    fig.suptitle(f"MPR, Delta = {DELTA}: bistability between saddle-node curves"
                 + (" (quick)" if quick else ""))
    files.update(save_figure(fig, out, NAME))
    return files
