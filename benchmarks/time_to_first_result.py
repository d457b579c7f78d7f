#!/usr/bin/env python
"""Seconds to the first result on a new model (issue 16, item 4).

    python benchmarks/time_to_first_result.py [--quick] [--main-job]

What a user meets when writing a new model on an installation where bifkit
has run before: each case runs in a fresh Python process and prints one line
``<case> <seconds> ...`` with a breakdown:

import            ``import bifkit`` (median of 3 processes); ``ep_modules``: the
                  same plus touching ``define_model``, ``Model``,
                  ``find_equilibrium`` and ``continuation``, which loads what an
                  EP-C needs (sympy, numba, the continuation package): public
                  names load on first use, so that time moves into ``define``.
new_2state        first EP-C of a new 2-state model (FitzHugh-Nagumo, EP-C in I)
                  with bifkit's caches warm; the model is new on every run (a
                  literal factor 1 + n*1e-15 in the rhs, n from the clock, gives
                  new kernels).  Breakdown: define (sympy + code generation),
                  kernels (numba compile of f, jac, dfdp on first call),
                  equilibrium, epc_first (first EP-C call: loading the EP-C
                  driver, compiled once for all models and cached by numba
                  (bifkit.binding), plus the kernels' addresses, then the run),
                  epc_run (the same EP-C again: the run alone), so
                  driver_compile = epc_first - epc_run.
new_ei            the same for a new 4-state, 10-parameter model (the E-I
                  neural mass of Bi et al. 2021, eq. 6, typed in as strings).
warm_2state       the model of new_2state again in a new process (all cached).
auto07p_2state    AUTO-07p: generate the Fortran user file of the same new
                  2-state model, build it with gfortran (fresh scratch cache)
                  and run EP-C (``bifkit.backends.auto07p``); build and run
                  times reported separately.
main_job          (``--main-job``) ``bifkit diagram bi2021-fig1a --quick`` with
                  empty BIFKIT_CACHE and NUMBA_CACHE_DIR (a fresh clone); ``cpu``:
                  its CPU seconds (user + system).

``cpu`` is the child's CPU time up to its first EP-C result (less sensitive to
the load of a shared machine than the wall times).

Targets (issue 16): new_2state <= 2 s, new_ei <= 5 s, import <= 0.5 s,
main_job <= 45 s, warm times unchanged.  Times depend on machine load: the
ratios printed at the end come from this one run.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

FHN = dict(states={"v": -1.2, "w": -0.6}, params={"I": 0.0, "a": 0.7, "b": 0.8, "eps": 0.08},
           rhs=["v - v^3/3 - w + I", "eps*{scale}*(v + a - b*w)"], free="I", bounds=(0.0, 2.0))
EI = dict(
    states={"R_e": 0.02, "V_e": -0.5, "R_i": 0.02, "V_i": -0.5},
    params={"I_e": 0.2, "D_ee": 2.0, "D_ii": 0.3, "K": 1000.0, "g_ee": 1.0, "g_ei": 1.0,
            "g_ie": 1.0, "g_ii": 1.0, "tau_m": 1.0, "i_ratio": 0.8},
    rhs=["R_e*(2*V_e + g_ee*D_ee/pi)/tau_m",
         "(V_e^2 - (pi*R_e*tau_m)^2 + sqrt(K)*(I_e + (g_ee*R_e - g_ei*R_i)*tau_m))/tau_m",
         "{scale}*R_i*(2*V_i + g_ii*D_ii/pi)/tau_m",
         "(V_i^2 - (pi*R_i*tau_m)^2 + sqrt(K)*(i_ratio*I_e + (g_ie*R_e - g_ii*R_i)*tau_m))/tau_m"],
    free="I_e", bounds=(1e-3, 2.0))

CHILD = r'''
import json, sys, time
t0 = time.perf_counter()
import numpy as np
import bifkit
t_import = time.perf_counter() - t0
case = json.loads(sys.argv[1])
rhs = [r.format(scale=case["scale"]) for r in case["rhs"]]
t = time.perf_counter()
d = bifkit.define_model(case["name"], states=case["states"], params=case["params"], rhs=rhs)
m = bifkit.Model(d)
t_define = time.perf_counter() - t
t = time.perf_counter()
x, p = m.pack(m.default_guess()), np.array(m.p)   # writable, as the solvers pass it
c = m.compiled
c.f(0.0, x, p); c.jac(0.0, x, p); c.dfdp(0.0, x, p)
t_kernels = time.perf_counter() - t
t = time.perf_counter()
eq = bifkit.find_equilibrium(m, m.default_guess())
t_eq = time.perf_counter() - t
kw = dict(bounds={case["free"]: tuple(case["bounds"])}, max_points=400)
t = time.perf_counter()
br = bifkit.continuation(m, "EP-C", eq, [case["free"]], **kw)
t_first = time.perf_counter() - t
t = time.perf_counter()
br2 = bifkit.continuation(m, "EP-C", eq, [case["free"]], **kw)
t_run = time.perf_counter() - t
cpu = time.process_time() - t_run   # CPU seconds of the process up to the first EP-C result
print(json.dumps(dict(import_s=t_import, define=t_define, kernels=t_kernels, equilibrium=t_eq,
                      epc_first=t_first, epc_run=t_run, cpu=cpu, points=len(br),
                      labels=[s.label for s in br.special])))
'''

AUTO_CHILD = r'''
import json, sys, time
import bifkit
from bifkit.backends import auto07p
case = json.loads(sys.argv[1])
rhs = [r.format(scale=case["scale"]) for r in case["rhs"]]
m = bifkit.Model(bifkit.define_model(case["name"], states=case["states"],
                                     params=case["params"], rhs=rhs))
eq = bifkit.find_equilibrium(m, m.default_guess())
t = time.perf_counter()
br = auto07p.continuation(m, "EP-C", eq, [case["free"]],
                          bounds={case["free"]: tuple(case["bounds"])})
total = time.perf_counter() - t
info = br.options.get("auto", {}) if isinstance(br.options, dict) else {}
run = info.get("run_seconds")
run = sum(run) if isinstance(run, (list, tuple)) else run   # one entry per AUTO process
print(json.dumps(dict(total=total, build=info.get("compile_seconds"),
                      run=run, points=len(br),
                      labels=[s.label for s in br.special])))
'''


def _child(code, case, env):
    out = subprocess.run([sys.executable, "-c", code, json.dumps(case)], capture_output=True,
                         text=True, env=env, timeout=1800)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-2000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def _import_time(env, touch="") -> float:
    code = ("import time; t = time.perf_counter(); import bifkit; " + (touch or "pass") +
            "; print(time.perf_counter() - t)")
    runs = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                 env=env, check=True).stdout) for _ in range(3)]
    return statistics.median(runs)


def _line(name, total, parts):
    detail = " ".join(f"{k}={v:.2f}" if isinstance(v, float) else f"{k}={v}"
                      for k, v in parts.items())
    print(f"{name:<15} {total:7.2f} s   {detail}", flush=True)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="skip new_ei")
    ap.add_argument("--main-job", action="store_true", help="also time the main job, cold")
    args = ap.parse_args(argv)
    env = dict(os.environ)
    nonce = time.time_ns() % 10 ** 9
    results = {}

    results["import"] = _import_time(env)
    ep_modules = _import_time(env, "bifkit.define_model, bifkit.Model, bifkit.find_equilibrium, "
                                   "bifkit.continuation")
    _line("import", results["import"], dict(import_ms=1e3 * results["import"],
                                            ep_modules=ep_modules))

    cases = [("new_2state", FHN)] + ([] if args.quick else [("new_ei", EI)])
    for name, spec in cases:
        case = dict(spec, name=f"ttfr_{name}", scale=repr(1.0 + (nonce % 1000) * 1e-15))
        r = _child(CHILD, case, env)
        total = r["import_s"] + r["define"] + r["kernels"] + r["equilibrium"] + r["epc_first"]
        results[name] = total
        _line(name, total, dict(cpu=r["cpu"], import_s=r["import_s"], define=r["define"],
                                kernels=r["kernels"], equilibrium=r["equilibrium"],
                                epc_first=r["epc_first"], epc_run=r["epc_run"],
                                driver_compile=r["epc_first"] - r["epc_run"],
                                points=r["points"], labels=",".join(r["labels"])))
        if name == "new_2state":
            first_case = case

    r = _child(CHILD, first_case, env)
    total = r["import_s"] + r["define"] + r["kernels"] + r["equilibrium"] + r["epc_first"]
    results["warm_2state"] = total
    _line("warm_2state", total, dict(import_s=r["import_s"], define=r["define"],
                                     kernels=r["kernels"], epc_first=r["epc_first"]))

    from bifkit.backends import auto07p
    if auto07p.available():
        try:
            with tempfile.TemporaryDirectory() as scratch:
                r = _child(AUTO_CHILD, first_case, {**env, "BIFKIT_CACHE": scratch})
        except RuntimeError as e:
            print(f"auto07p_2state  (failed: {str(e).strip().splitlines()[-1]})")
        else:
            results["auto07p_2state"] = r["total"]
            _line("auto07p_2state", r["total"], dict(build=r["build"], run=r["run"],
                                                     points=r["points"],
                                                     labels=",".join(r["labels"])))
    else:
        print(f"auto07p_2state  (skipped: {auto07p.missing_message()})")

    if args.main_job:
        with tempfile.TemporaryDirectory() as bk, tempfile.TemporaryDirectory() as nb, \
                tempfile.TemporaryDirectory() as out:
            cold = {**env, "BIFKIT_CACHE": bk, "NUMBA_CACHE_DIR": nb}
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t = time.perf_counter()
            subprocess.run([sys.executable, "-m", "bifkit.cli", "diagram", "bi2021-fig1a",
                            "--quick", "--out", out], env=cold, check=True,
                           capture_output=True, timeout=3600)
            results["main_job"] = time.perf_counter() - t
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        _line("main_job", results["main_job"], dict(cpu=cpu))

    targets = {"import": 0.5, "new_2state": 2.0, "new_ei": 5.0, "main_job": 45.0}
    print("\nagainst targets (measured / target):",
          ", ".join(f"{k} {results[k] / v:.2f}" for k, v in targets.items() if k in results))
    if "auto07p_2state" in results:
        print(f"new_2state / auto07p_2state = "
              f"{results['new_2state'] / results['auto07p_2state']:.1f}")


if __name__ == "__main__":
    main()
