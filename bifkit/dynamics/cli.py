"""Command-line handlers of the dynamics tools, for ``bifkit/cli.py`` to register.

    bifkit integrate MODEL [--set NAME=VALUE ...] --T T [--t0 T0] [--method rk4|dopri|etd]
                     [--dt DT] [--sample DS] [--rtol R] [--atol A] [--start guess|equilibrium|FILE]
                     [--out FILE]
    bifkit lyapunov MODEL [--set NAME=VALUE ...] --T T [--transient T0] --dt DT [--k K]
                    [--renorm-steps R] [--seed S] [--start ...] [--out FILE]
    bifkit response MODEL [--set ...] --omega W1 W2 ... [--eta0 E] [--linear] [--out FILE]

``add_subcommands(subparsers)`` adds the three subcommands to an ``argparse`` sub-parser
collection; each sets ``func`` to its handler, which returns an exit status (2 on bad input, with
the message on stderr). ``--set`` values are numbers; the structural mode count of the chains is
given the same way (``--set M=64``). Times are in the model's time unit (``bifkit models``).

Outputs (``--out``): ``.json`` a summary; ``.csv`` (integrate, response) one row per sample /
frequency; anything else ``.npz`` with every array (integrate: ``t``, ``y``, ``state_names``,
one array per observable, ``x_final``; lyapunov: ``exponents``, ``stderr``, ``history_t``,
``history``, ``x_final``). ``--start FILE`` continues from the ``x_final`` of such an ``.npz``.
"""
from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import numpy as np


class _BadInput(Exception):
    pass


def _assignments(items) -> dict:
    out = {}
    for item in items or []:
        if "=" not in item:
            raise _BadInput(f"--set expects NAME=VALUE, got {item!r}")
        k, v = item.split("=", 1)
        try:
            out[k.strip()] = float(v)
        except ValueError:
            raise _BadInput(f"value of {k.strip()!r} is not a number: {v!r}") from None
    return out


def _model(name, items):
    from ..registry import load_model

    params = _assignments(items)
    if "M" in params:
        if not float(params["M"]).is_integer():
            raise _BadInput(f"M={params['M']!r} must be an integer")
        params["M"] = int(params["M"])
    return load_model(name, **params)


def _start(model, start):
    """Initial real-split state: model's guess, its equilibrium, or x_final of an .npz."""
    if start in (None, "guess"):
        return model.pack(model.default_guess())
    if start == "equilibrium":
        from ..equilibrium import find_equilibrium
        free = model if model.is_autonomous() else model.with_params(
            **{model.definition.forcing_amplitude: 0.0})
        return model.pack(find_equilibrium(free))
    path = Path(start)
    if not path.exists():
        raise _BadInput(f"--start {start!r} is neither 'guess', 'equilibrium' nor an existing file")
    with np.load(path, allow_pickle=False) as d:
        if "x_final" not in d:
            raise _BadInput(f"{start} has no 'x_final' array (write it with --out FILE.npz)")
        x = np.asarray(d["x_final"], float)
    if x.size != model.n:
        raise _BadInput(f"x_final in {start} has {x.size} entries; model {model.name!r} has "
                        f"{model.n}")
    return x


def _jsonable(v):
    if isinstance(v, np.ndarray):
        return [_jsonable(x) for x in v.tolist()]
    if isinstance(v, (np.floating, np.integer)):
        return v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return str(v)
    if isinstance(v, dict):
        return {k: _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    return v


def _write_csv(path, columns: dict):
    names = list(columns)
    data = np.column_stack([np.asarray(columns[n], float) for n in names])
    np.savetxt(path, data, delimiter=",", header=",".join(names), comments="")


def _run(handler, args) -> int:
    try:
        return handler(args)
    except (_BadInput, ValueError) as e:
        print(f"bifkit: {e}", file=sys.stderr)
        return 2


# ------------------------------------------------------------------ integrate
def _integrate(args) -> int:
    from .integrate import integrate

    model = _model(args.model, args.set)
    x0 = _start(model, args.start)
    tr = integrate(model, (args.t0, args.t0 + args.T), x0, method=args.method, dt=args.dt,
                   sample=args.sample, rtol=args.rtol, atol=args.atol)
    obs_final = {k: float(v[-1]) for k, v in tr.observables.items()}
    summary = {"model": model.name, "params": model.params, "method": tr.method,
               "status": tr.status, "message": tr.message, "t_final": float(tr.t[-1]),
               "samples": int(tr.t.size), "nsteps": tr.nsteps, "nfev": tr.nfev,
               "observables_final": obs_final,
               "observables_mean": {k: float(np.mean(v)) for k, v in tr.observables.items()}}
    if args.out:
        out = Path(args.out)
        if out.suffix == ".json":
            out.write_text(json.dumps(_jsonable({**summary, "x_final": tr.x_final}), indent=1))
        elif out.suffix == ".csv":
            cols = {"t": tr.t, **dict(zip(model.state_names, tr.y)), **tr.observables}
            _write_csv(out, cols)
        else:
            np.savez_compressed(out, t=tr.t, y=tr.y, state_names=np.array(model.state_names),
                                x_final=tr.x_final, summary=json.dumps(_jsonable(summary)),
                                **{f"obs_{k}": v for k, v in tr.observables.items()})
    print(json.dumps(_jsonable(summary)))
    return 0 if tr.success else 1


# ------------------------------------------------------------------ lyapunov
def _lyapunov(args) -> int:
    from .lyapunov import lyapunov_spectrum

    model = _model(args.model, args.set)
    x0 = _start(model, args.start)
    res = lyapunov_spectrum(model, args.T, transient=args.transient, dt=args.dt, x0=x0, k=args.k,
                            renorm_steps=args.renorm_steps, seed=args.seed)
    summary = {"model": model.name, "params": model.params, "time_unit": res.time_unit,
               "exponents": res.exponents, "stderr": res.stderr, "T": res.T, "dt": res.dt,
               "transient": res.transient, "status": res.status, "message": res.message,
               "kaplan_yorke_dimension": res.kaplan_yorke_dimension}
    if args.out:
        out = Path(args.out)
        if out.suffix == ".json":
            out.write_text(json.dumps(_jsonable(summary), indent=1))
        else:
            np.savez_compressed(out, exponents=res.exponents, stderr=res.stderr,
                                history_t=res.history_t, history=res.history,
                                x_final=res.x_final, summary=json.dumps(_jsonable(summary)))
    print(json.dumps(_jsonable(summary)))
    return 0 if res.status == 0 else 1


# ------------------------------------------------------------------ response
def _response(args) -> int:
    from .response import linear_response, rate_response

    model = _model(args.model, args.set)
    if args.linear:
        res = linear_response(model, args.omega, observable=args.observable, eta0=args.eta0)
    else:
        res = rate_response(model, args.omega, args.eta0, observable=args.observable,
                            periods=args.periods, method=args.method, dt=args.dt,
                            keep_series=False, progress=False)
    table = res.table()
    if args.out:
        out = Path(args.out)
        if out.suffix == ".csv":
            _write_csv(out, table)
        else:
            out.write_text(json.dumps(_jsonable({"model": model.name, "params": model.params,
                                                 "method": res.method, "eta0": res.eta0,
                                                 "stationary": res.stationary, **table}),
                                      indent=1))
    print("omega amplitude phase mean min max")
    for i in range(res.omega.size):
        print(f"{res.omega[i]:.6g} {res.amplitude[i]:.6g} {res.phase[i]:.6g} "
              f"{res.mean[i]:.6g} {res.minimum[i]:.6g} {res.maximum[i]:.6g}")
    return 0


def add_subcommands(subparsers) -> None:
    """Register ``integrate``, ``lyapunov`` and ``response`` on an argparse sub-parser set."""
    common = dict(metavar="NAME=VALUE", nargs="*", default=[],
                  help="parameter values (and M=... for the chains)")
    start_help = "initial state: guess (default), equilibrium, or an .npz with x_final"
    p = subparsers.add_parser("integrate", help="integrate a model in time")
    p.add_argument("model")
    p.add_argument("--set", **common)
    p.add_argument("--T", type=float, required=True, help="duration (model time unit)")
    p.add_argument("--t0", type=float, default=0.0, help="start time (forcing phase)")
    p.add_argument("--method", choices=["rk4", "dopri", "etd"], default="dopri")
    p.add_argument("--dt", type=float, default=None, help="step (rk4, etd) / first step")
    p.add_argument("--sample", type=float, default=None, help="recording interval")
    p.add_argument("--rtol", type=float, default=1e-6)
    p.add_argument("--atol", type=float, default=1e-9)
    p.add_argument("--start", default="guess", help=start_help)
    p.add_argument("--out", default=None, help=".json summary, .csv samples, or .npz")
    p.set_defaults(func=lambda a: _run(_integrate, a))
    p = subparsers.add_parser("lyapunov", help="Lyapunov spectrum (Benettin, QR)")
    p.add_argument("model")
    p.add_argument("--set", **common)
    p.add_argument("--T", type=float, required=True, help="averaging time")
    p.add_argument("--transient", type=float, default=0.0)
    p.add_argument("--dt", type=float, required=True, help="RK4 step")
    p.add_argument("--k", type=int, default=None, help="number of exponents (default all)")
    p.add_argument("--renorm-steps", type=int, default=10)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--start", default="guess", help=start_help)
    p.add_argument("--out", default=None, help=".json summary or .npz with the history")
    p.set_defaults(func=lambda a: _run(_lyapunov, a))
    p = subparsers.add_parser("response", help="rate response to eta0 cos(omega t)")
    p.add_argument("model")
    p.add_argument("--set", **common)
    p.add_argument("--omega", type=float, nargs="+", required=True)
    p.add_argument("--eta0", type=float, default=1e-3)
    p.add_argument("--linear", action="store_true", help="transfer function of the linearisation")
    p.add_argument("--observable", default="nu")
    p.add_argument("--periods", type=int, default=4)
    p.add_argument("--method", choices=["rk4", "dopri", "etd"], default="etd")
    p.add_argument("--dt", type=float, default=None)
    p.add_argument("--out", default=None, help=".csv table or .json")
    p.set_defaults(func=lambda a: _run(_response, a))


def main(argv=None) -> int:
    """Stand-alone entry: ``python -m bifkit.dynamics.cli lyapunov ...``."""
    import argparse

    ap = argparse.ArgumentParser(prog="bifkit")
    add_subcommands(ap.add_subparsers(dest="command", required=True))
    args = ap.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
