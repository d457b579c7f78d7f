"""Lyapunov spectra of the E-I neural mass (Bi et al. 2021, sec. 3.2.1, Fig. 4) and their convergence.

K = 1000, D_ii = 0.3, D_ee = 2.0 at three currents; the paper quotes (units 1/tau_m):

    I_e = 0.006    stable focus   (-0.0299, -0.0299, -0.101, -0.101)
    I_e = 0.0009   periodic       (0.0, -0.0343, -0.0555, -0.1732)
    I_e = 0.00021  chaotic        (0.0033, 0.0, -0.0809, -0.1855)

Independent references: for the focus the real parts of the Jacobian's
eigenvalues; for the cycle 0 and the Floquet exponents ln|mu|/T_p, from the
monodromy matrix integrated with scipy's DOP853 (rtol 1e-11), not with bifkit's
integrators.  Writes ``lyapunov_ei.png`` (running estimates vs time) next to
this file, or to ``--out``.

    python validation/lyapunov_ei.py --quick     # ~1 min
    python validation/lyapunov_ei.py             # long runs (~10 min)
"""
from __future__ import annotations

import argparse
import os
import time

import numpy as np
from scipy.integrate import solve_ivp

import bifkit
from bifkit.dynamics.lyapunov import lyapunov_spectrum

PAPER = {0.006: [-0.0299, -0.0299, -0.101, -0.101],
         0.0009: [0.0, -0.0343, -0.0555, -0.1732],
         0.00021: [0.0033, 0.0, -0.0809, -0.1855]}
TAU_M = 20.0  # ms


def floquet_exponents(model, x0, transient=20000.0):
    """0 and the Floquet exponents (1/ms) of the attracting cycle, via scipy DOP853."""
    f = lambda t, x: model.compiled.f(t, x, model.p)  # noqa: E731
    jac = lambda t, x: model.compiled.jac(t, x, model.p)  # noqa: E731
    sol = solve_ivp(f, (0, transient), x0, method="DOP853", rtol=1e-11, atol=1e-14)
    x = sol.y[:, -1]
    level = np.mean(solve_ivp(f, (0, 2000), x, method="DOP853", rtol=1e-11, atol=1e-14,
                              max_step=1.0).y[0])
    ev = lambda t, y: y[0] - level  # noqa: E731
    ev.direction = 1
    sol = solve_ivp(f, (0, 5000), x, method="DOP853", rtol=1e-11, atol=1e-14, events=ev)
    tc, yc = sol.t_events[0], sol.y_events[0]
    Tp, xs = tc[2] - tc[1], yc[1]
    n = xs.size

    def var(t, y):
        X = y[:n]
        W = y[n:].reshape(n, n)
        return np.concatenate([f(t, X), (jac(t, X) @ W).ravel()])

    y0 = np.concatenate([xs, np.eye(n).ravel()])
    out = solve_ivp(var, (0, Tp), y0, method="DOP853", rtol=1e-11, atol=1e-14)
    M = out.y[n:, -1].reshape(n, n)
    mu = np.linalg.eigvals(M)
    return np.sort(np.log(np.abs(mu)) / Tp)[::-1], Tp


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="short runs (about a minute)")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "lyapunov_ei.png"))
    args = ap.parse_args()
    T = {0.006: 1e5, 0.0009: 1e5, 0.00021: 4e5} if args.quick else \
        {0.006: 1e6, 0.0009: 1e6, 0.00021: 4e6}
    dt = 0.05
    results = {}
    for Ie in (0.006, 0.0009, 0.00021):
        m = bifkit.load_model("ei_neural_mass", K=1000, D_ii=0.3, D_ee=2.0, I_e=Ie)
        eq = m.pack(m.steady_state()[0])
        x0 = eq * np.array([1.05, 1.0, 1.0, 1.0])
        if Ie == 0.006:
            ref = np.sort(m.eigenvalues(eq).real)[::-1]
            ref_name = "Re(eigenvalues)"
            x0 = eq
            transient = 0.0
        elif Ie == 0.0009:
            ref, Tp = floquet_exponents(m, x0)
            ref_name = f"Floquet (scipy, T_p = {Tp:.3f} ms)"
            transient = 20000.0
        else:
            ref, ref_name, transient = None, "", 20000.0
        t = time.time()
        r = lyapunov_spectrum(m, T[Ie], transient=transient, dt=dt, x0=x0)
        results[Ie] = r
        print(f"I_e = {Ie}: T = {T[Ie]:.0f} ms, dt = {dt} ms, {time.time() - t:.1f} s")
        print(f"  bifkit (1/tau_m):   {np.array2string(r.in_units_of(TAU_M), precision=4)}"
              f"  +- {' '.join(f'{v:.1e}' for v in r.stderr * TAU_M)}")
        if ref is not None:
            print(f"  {ref_name} (1/tau_m): {np.array2string(ref * TAU_M, precision=4)}")
        print(f"  Bi et al. 2021:     {PAPER[Ie]}")
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    for ax, (Ie, r) in zip(axes, results.items()):
        for j in range(r.history.shape[1]):
            ax.semilogx(r.history_t, r.history[:, j] * TAU_M, label=f"$\\lambda_{j + 1}$")
        for v in PAPER[Ie]:
            ax.axhline(v, color="k", lw=0.5, ls=":")
        ax.set_title(f"$I_e$ = {Ie}")
        ax.set_xlabel("averaging time (ms)")
        ax.set_ylim(-0.25, 0.05)
    axes[0].set_ylabel(r"running estimate ($1/\tau_m$)")
    axes[2].legend(fontsize=8)
    ax_in = axes[2].inset_axes([0.45, 0.12, 0.5, 0.35])
    r = results[0.00021]
    ax_in.semilogx(r.history_t, r.history[:, 0] * TAU_M, color="C0")
    ax_in.axhline(0.0033, color="k", lw=0.5, ls=":")
    ax_in.axhline(0.0, color="gray", lw=0.5)
    ax_in.set_ylim(-0.005, 0.01)
    fig.tight_layout()
    fig.savefig(args.out, dpi=120)
    print("wrote", args.out)


if __name__ == "__main__":
    main()
