"""Wall time per simulated time unit: ETDRK4 vs scipy's stiff solvers on an M = 64 mode chain.

The z_n chain of the shot-noise mean field (Ageeva & Goldobin 2025, eq. 6; M = 64 in the papers)
is integrated, forced (eta0 = 0.1, omega = 2) and unforced (eta0 = 0), with bifkit's ETDRK4 and
with scipy's stiff solvers Radau, BDF and LSODA (given the compiled Jacobian). Each solver's
step/tolerance is searched so that its error against a tight Radau reference (rtol 1e-12) is at
most ``--target`` (equal accuracy): ETD steps dt = 0.2 * 2^(-k/4), scipy tolerances
rtol = 1e-3 * 2^(-k/4), atol = rtol/1000 (the same grid ratio on both sides). The wall time per
unit of simulated time (best of 5) and the ratio scipy-best / ETDRK4 are printed.

Both sides call the same compiled right-hand side and Jacobian with the same parameter vector:
``kernel_parameters(model)``, the parameters extended by the coefficient matrix I_nm(alpha)
(Ageeva & Goldobin 2025, eq. 10), which ``integrate(method='etd')`` passes; with plain
``model.p`` the kernels recompute I_nm at every call (the one-call costs of both are printed,
with the check that they give bit-identical values).

    python benchmarks/etd_vs_scipy.py [--M 64] [--T 20] [--target 1e-6] [--methods Radau,BDF,LSODA]
"""
from __future__ import annotations

import argparse
import time

import numpy as np
from numba import njit
from scipy.integrate import solve_ivp

import bifkit
from bifkit.dynamics import integrate
from bifkit.dynamics.etd import kernel_parameters

CASES = {"forced": dict(eta0=0.1, omega=2.0), "unforced": dict(eta0=0.0, omega=2.0)}


def chain(M, forcing):
    return bifkit.load_model("shotnoise_chain", M=M, K=100.0, i0=0.4, g0=1.0, **forcing)


def best_time(fn, repeat=5):
    out, best = None, np.inf
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def per_call_us(fun, x, p, n=2000):
    @njit
    def loop(x, p, n):
        s = 0.0
        for k in range(n):
            s += fun(1e-3 * k, x, p)[0]
        return s
    loop(x, p, 2)
    t = time.perf_counter()
    loop(x, p, n)
    return (time.perf_counter() - t) / n * 1e6


def etd_search(m, x0, T, t_eval, Yref, target, nonlinear):
    kw = dict(method="etd", t_eval=t_eval, nonlinear=nonlinear)
    integrate(m, (0, 1.0), x0, dt=0.1, **{**kw, "t_eval": None}, sample=1.0)  # compile
    best = None
    for k in range(40):
        dt = 0.2 * 2.0 ** (-k / 4)
        tr = integrate(m, (0, T), x0, dt=dt, **kw)
        err = np.max(np.abs(tr.y - Yref))
        if err <= target:
            best = (dt, err)
            break
    dt, err = best
    t, tr = best_time(lambda: integrate(m, (0, T), x0, dt=dt, **kw))
    return t, dt, err, tr.nsteps


def scipy_search(method, f, jac, x0, T, t_eval, Yref, target):
    for k in range(160):
        rtol = 1e-3 * 2.0 ** (-k / 4)
        r = solve_ivp(f, (0, T), x0, method=method, jac=jac, rtol=rtol, atol=rtol * 1e-3,
                      t_eval=t_eval)
        e = np.max(np.abs(r.y - Yref)) if r.success else np.inf
        if e <= target:
            break
    tm, r = best_time(lambda: solve_ivp(f, (0, T), x0, method=method, jac=jac, rtol=rtol,
                                        atol=rtol * 1e-3, t_eval=t_eval))
    return tm, rtol, e, r


def run_case(name, args):
    m = chain(args.M, CASES[name])
    x0 = m.pack(m.default_guess())
    T = args.T
    t_eval = np.linspace(0.0, T, 41)
    f, jac = m.compiled.f, m.compiled.jac
    p_plain = np.array(m.p)
    p = kernel_parameters(m)           # what integrate(method='etd') passes to f
    r = solve_ivp(lambda t, x: f(t, x, p_plain), (0, T), x0, method="Radau",
                  jac=lambda t, x: jac(t, x, p_plain), rtol=1e-12, atol=1e-14, t_eval=t_eval)
    Yref = r.y
    rng = np.random.default_rng(0)
    same = all(np.array_equal(f(0.3, x, p), f(0.3, x, p_plain))
               and np.array_equal(jac(0.3, x, p), jac(0.3, x, p_plain))
               for x in [x0, *(x0 + 0.01 * rng.standard_normal(x0.size) for _ in range(3))])
    print(f"\n== {name}: shotnoise_chain M = {args.M} ({m.n} real unknowns), K = 100, i0 = 0.4, "
          f"g0 = 1, {CASES[name]}; T = {T}, target max error {args.target:g}")
    print(f"one right-hand side: {per_call_us(f, x0, p_plain):.2f} us with model.p (I_nm "
          f"recomputed), {per_call_us(f, x0, p):.2f} us with kernel_parameters (f and jac "
          f"bit-identical: {same})")
    t_etd, dt, err, nsteps = etd_search(m, x0, T, t_eval, Yref, args.target, None)
    print(f"ETDRK4 dt = {dt:.4g}: error {err:.2e}, {t_etd / T * 1e3:.3f} ms per time unit "
          f"({t_etd / nsteps * 1e6:.1f} us per step, {nsteps} steps)")
    fs = lambda t, x: f(t, x, p)  # noqa: E731
    js = lambda t, x: jac(t, x, p)  # noqa: E731
    best = None
    for method in args.methods.split(","):
        tm, rtol, e, r = scipy_search(method, fs, js, x0, T, t_eval, Yref, args.target)
        print(f"scipy {method} rtol = {rtol:.3g}: error {e:.2e}, {tm / T * 1e3:.3f} ms per "
              f"time unit ({r.nfev} f, {r.njev} jac evaluations)")
        if best is None or tm < best[1]:
            best = (method, tm)
    ratio = best[1] / t_etd
    print(f"ratio (scipy best, {best[0]}) / ETDRK4 = {ratio:.1f}x")
    return ratio


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--M", type=int, default=64)
    ap.add_argument("--T", type=float, default=20.0)
    ap.add_argument("--target", type=float, default=1e-6, help="max abs error at samples")
    ap.add_argument("--methods", default="Radau,BDF,LSODA", help="scipy methods to compare")
    ap.add_argument("--cases", default="forced,unforced")
    args = ap.parse_args()
    from bifkit.dynamics.etd import etd_loop  # noqa: F401  (compiled before any timing)
    out = {c: run_case(c, args) for c in args.cases.split(",")}
    print("\nsummary (scipy best / ETDRK4, one run, " + time.strftime("%Y-%m-%d", time.gmtime())
          + "): " + "; ".join(f"{c}: {r:.1f}x" for c, r in out.items()))


if __name__ == "__main__":
    main()
