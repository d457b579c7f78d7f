"""Wall time per simulated time unit: ETDRK4 vs scipy's stiff solvers on an M = 64 mode chain.

The z_n chain of the shot-noise mean field (Ageeva & Goldobin 2025, eq. 6; M = 64
in the papers) is integrated with bifkit's ETDRK4 and with scipy's Radau and BDF
(given the compiled symbolic Jacobian), each at a step/tolerance tuned so that
the error against a reference is at most ``--target`` (equal accuracy), and the
wall time per unit of simulated time is printed with the ratio scipy/ETD.

Reference: if the model ``shotnoise_chain`` is available, a tight Radau run
(rtol 1e-12); otherwise the stand-in ``testproblems.stiff_chain`` (same
rotation 2 i n sqrt(I0), exact solution) is used and said so.

    python benchmarks/etd_vs_scipy.py [--M 64] [--T 20] [--target 1e-6]
"""
from __future__ import annotations

import argparse
import time

import numpy as np
from scipy.integrate import solve_ivp

import bifkit
from bifkit.dynamics import integrate


def chain_problem(M):
    """(model, x0, reference(t) -> (n, nt) real-split or None, label)."""
    try:
        m = bifkit.load_model("shotnoise_chain", M=M, K=100.0, i0=0.4, g0=1.0,
                              eta0=0.1, omega=2.0)
    except Exception as exc:  # the chain is being written by another engineer
        from bifkit.dynamics.testproblems import stiff_chain
        m, exact, x0 = stiff_chain(M)

        def ref(t):
            Z = exact(t)
            out = np.empty((2 * M, Z.shape[1]))
            out[0::2], out[1::2] = Z.real, Z.imag
            return out
        return m, m.pack(x0), ref, f"stand-in stiff_chain (shotnoise_chain unavailable: {exc})"
    x0 = m.pack(m.default_guess())
    return m, x0, None, "shotnoise_chain (forced, eta0 = 0.1, omega = 2)"


def best_time(fn, repeat=3):
    out, best = None, np.inf
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--M", type=int, default=64)
    ap.add_argument("--T", type=float, default=20.0)
    ap.add_argument("--target", type=float, default=1e-6, help="max abs error at samples")
    args = ap.parse_args()
    m, x0, ref, label = chain_problem(args.M)
    T = args.T
    t_eval = np.linspace(0.0, T, 41)
    f = lambda t, x: m.compiled.f(t, x, m.p)  # noqa: E731
    jac = lambda t, x: m.compiled.jac(t, x, m.p)  # noqa: E731
    if ref is None:
        r = solve_ivp(f, (0, T), x0, method="Radau", jac=jac, rtol=1e-12, atol=1e-14,
                      t_eval=t_eval)
        Yref = r.y
    else:
        Yref = ref(t_eval)
    print(f"problem: {label}; n = {m.n} real unknowns, T = {T}, target error {args.target:g}")

    # ETD: the largest step (halving) meeting the target
    integrate(m, (0, 1.0), x0, method="etd", dt=0.1, sample=1.0)  # compile
    dt = 0.2
    while True:
        tr = integrate(m, (0, T), x0, method="etd", dt=dt, t_eval=t_eval)
        err = np.max(np.abs(tr.y - Yref))
        if err <= args.target or dt < 1e-5:
            break
        dt /= 2
    t_etd, _ = best_time(lambda: integrate(m, (0, T), x0, method="etd", dt=dt, t_eval=t_eval))
    print(f"ETDRK4 dt = {dt:g}: error {err:.2e}, {t_etd / T * 1e3:.3f} ms per time unit")

    best = None
    for method in ("Radau", "BDF"):
        rtol = 1e-4
        while rtol > 1e-13:
            r = solve_ivp(f, (0, T), x0, method=method, jac=jac, rtol=rtol, atol=rtol * 1e-3,
                          t_eval=t_eval)
            e = np.max(np.abs(r.y - Yref)) if r.success else np.inf
            if e <= args.target:
                break
            rtol /= 4
        tm, _ = best_time(lambda: solve_ivp(f, (0, T), x0, method=method, jac=jac, rtol=rtol,
                                            atol=rtol * 1e-3, t_eval=t_eval), repeat=2)
        print(f"scipy {method} rtol = {rtol:.2g}: error {e:.2e}, {tm / T * 1e3:.3f} ms per "
              f"time unit ({r.nfev} f, {r.njev} jac evaluations)")
        if best is None or tm < best[1]:
            best = (method, tm)
    print(f"ratio (scipy best, {best[0]}) / ETDRK4 = {best[1] / t_etd:.1f}x")


if __name__ == "__main__":
    main()
