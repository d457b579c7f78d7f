"""Wall time per simulated time unit: ETDRK4 vs scipy's stiff solvers on an M = 64 mode chain.

The z_n chain of the shot-noise mean field (Ageeva & Goldobin 2025, eq. 6; M = 64 in the papers)
is integrated, forced (eta0 = 0.1, omega = 2) and unforced (eta0 = 0), with bifkit's ETDRK4 and
with scipy's Radau and BDF (given the compiled Jacobian). Each solver's step/tolerance is searched
so that its error against a tight Radau reference (rtol 1e-12) is at most ``--target`` (equal
accuracy): ETD steps dt = 0.2 * 2^(-k/4), scipy tolerances rtol = 1e-3 * 2^(-k), atol = rtol/1000.
The wall time per unit of simulated time (best of 3) and the ratio scipy-best / ETDRK4 are printed.

Where the time goes: the script first prints the cost of one right-hand side and the ETD cost per
step without it. The model's compiled ``f`` recomputes the coefficient matrix I_nm(alpha) (a
parameter-only quantity, Ageeva & Goldobin 2025, eq. 10) at every call; that is most of its cost.
So every comparison is made twice, both solvers always sharing one right-hand side:
``model f``: the model's compiled f as it is; ``cached I_nm``: the same equations with I_nm
computed once (checked equal to the model's f to rounding, printed).

    python benchmarks/etd_vs_scipy.py [--M 64] [--T 20] [--target 1e-6] [--methods Radau,BDF]
"""
from __future__ import annotations

import argparse
import math
import time

import numpy as np
from numba import njit
from scipy.integrate import solve_ivp

import bifkit
from bifkit.dynamics import integrate
from bifkit.dynamics.integrate import linear_part

CASES = {"forced": dict(eta0=0.1, omega=2.0), "unforced": dict(eta0=0.0, omega=2.0)}


def chain(M, forcing):
    return bifkit.load_model("shotnoise_chain", M=M, K=100.0, i0=0.4, g0=1.0, **forcing)


def cached_coefficient_rhs(m):
    """f(t, x, p) of ``m`` (the shot-noise chain, eqs. 6 and 23) with I_nm computed once for the
    model's alpha (the model's own helpers; only the coefficient matrix is hoisted)."""
    from bifkit.models import shotnoise as sn

    T = np.ascontiguousarray(m.definition.extras["coefficients"](m).T)  # T[m, n] = I_nm

    @njit
    def f(t, x, p):
        M = x.size // 2
        s, _, _ = sn._scales(p)
        eta = p[3] * math.cos(p[4] * t)
        z = sn._modes(x)
        nu = s / math.pi * sn._series_W(z, M).real
        acc = sn._coupling(T, z, M)
        out = np.empty(2 * M)
        for n in range(1, M + 1):
            sn._put(out, n, 1j * n * s * ((2.0 + eta) * z[n] + 0.5 * eta * (z[n - 1] + z[n + 1]))
                    + p[0] * nu * (acc[n] - z[n]))
        return out
    return f


def nonlinear_part(f, L, re, im):
    """N = f - L x in real-split form (``integrate(..., nonlinear=N)``)."""
    Lr, Li = L.real.copy(), L.imag.copy()

    @njit
    def N(t, x, p):
        out = f(t, x, p)
        for k in range(re.size):
            a = x[re[k]]
            b = x[im[k]] if im[k] >= 0 else 0.0
            out[re[k]] -= Lr[k] * a - Li[k] * b
            if im[k] >= 0:
                out[im[k]] -= Lr[k] * b + Li[k] * a
        return out
    return N


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
    for k in range(40):
        rtol = 1e-3 * 2.0 ** (-k)
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
    p = np.array(m.p)
    f_model = m.compiled.f
    jac_model = m.compiled.jac
    r = solve_ivp(lambda t, x: f_model(t, x, p), (0, T), x0, method="Radau",
                  jac=lambda t, x: jac_model(t, x, p), rtol=1e-12, atol=1e-14, t_eval=t_eval)
    Yref = r.y
    f_cached = cached_coefficient_rhs(m)
    rng = np.random.default_rng(0)
    diff = max(np.max(np.abs(f_cached(0.3, x, p) - f_model(0.3, x, p)))
               / np.max(np.abs(f_model(0.3, x, p)))
               for x in [x0, *(x0 + 0.01 * rng.standard_normal(x0.size) for _ in range(3))])
    L = linear_part(m, 0.0, x0)
    from bifkit.dynamics.etd import state_maps
    re, im = state_maps(m)
    print(f"\n== {name}: shotnoise_chain M = {args.M} ({m.n} real unknowns), K = 100, i0 = 0.4, "
          f"g0 = 1, {CASES[name]}; T = {T}, target max error {args.target:g}")
    print(f"one right-hand side: model f {per_call_us(f_model, x0, p):.2f} us, cached I_nm "
          f"{per_call_us(f_cached, x0, p):.2f} us (same values: max relative difference "
          f"{diff:.1e})")
    ratios = {}
    for label, f, N in (("model f", f_model, None),
                        ("cached I_nm", f_cached, nonlinear_part(f_cached, L, re, im))):
        t_etd, dt, err, nsteps = etd_search(m, x0, T, t_eval, Yref, args.target, N)
        print(f"[{label}] ETDRK4 dt = {dt:.4g}: error {err:.2e}, {t_etd / T * 1e3:.3f} ms per "
              f"time unit ({t_etd / nsteps * 1e6:.1f} us per step)")
        fs = lambda t, x, f=f: f(t, x, p)  # noqa: E731
        js = lambda t, x: jac_model(t, x, p)  # noqa: E731
        best = None
        for method in args.methods.split(","):
            tm, rtol, e, r = scipy_search(method, fs, js, x0, T, t_eval, Yref, args.target)
            print(f"[{label}] scipy {method} rtol = {rtol:.3g}: error {e:.2e}, "
                  f"{tm / T * 1e3:.3f} ms per time unit ({r.nfev} f, {r.njev} jac evaluations)")
            if best is None or tm < best[1]:
                best = (method, tm)
        ratios[label] = best[1] / t_etd
        print(f"[{label}] ratio (scipy best, {best[0]}) / ETDRK4 = {ratios[label]:.1f}x")
    return ratios


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--M", type=int, default=64)
    ap.add_argument("--T", type=float, default=20.0)
    ap.add_argument("--target", type=float, default=1e-6, help="max abs error at samples")
    ap.add_argument("--methods", default="Radau,BDF", help="scipy methods to compare")
    ap.add_argument("--cases", default="forced,unforced")
    args = ap.parse_args()
    from bifkit.dynamics.etd import etd_loop  # noqa: F401  (compiled before any timing)
    out = {c: run_case(c, args) for c in args.cases.split(",")}
    print("\nsummary (scipy best / ETDRK4, one run): " + "; ".join(
        f"{c}: model f {r['model f']:.1f}x, cached I_nm {r['cached I_nm']:.1f}x"
        for c, r in out.items()))


if __name__ == "__main__":
    main()
