"""Command-line handlers of the dynamics tools, for ``bifkit.cli`` to register.

    bifkit integrate MODEL [--set NAME=VALUE ...] --T T [--t0 T0] [--method rk4|dopri|etd]
                     [--dt DT] [--sample DS] [--rtol R] [--atol A] [--start guess|equilibrium|FILE]
                     [--out FILE]
    bifkit lyapunov MODEL [--set NAME=VALUE ...] --T T [--transient T0] --dt DT [--k K]
                    [--renorm-steps R] [--seed S] [--start ...] [--out FILE]
    bifkit response MODEL [--set ...] --omega W1 W2 ... [--eta0 E] [--linear] [--out FILE]

``add_subcommands(subparsers)`` adds the three subcommands to an ``argparse`` sub-parser
collection; each sets ``func`` to its handler, run under bifkit's exit-code convention
(``bifkit.cli``: 2 bad input, 1 failed run or unwritable result, message on stderr).
``--out`` is checked (its folder created) before the run and written atomically; the summary
is printed before saving, and if the file cannot be written the whole result is printed.
``--set`` values are numbers; the structural mode count of the chains is
given the same way (``--set M=64``). Times are in the model's time unit (``bifkit models``).

Outputs (``--out``): ``.json`` a summary; ``.csv`` (integrate, response) one row per sample /
frequency; anything else ``.npz`` with every array (integrate: ``t``, ``y``, ``state_names``,
one array per observable, ``x_final``; lyapunov: ``exponents``, ``stderr``, ``history_t``,
``history``, ``x_final``). ``--start FILE`` continues from the ``x_final`` of such an ``.npz``.
"""
from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from .._io import atomic_path, read_npz, write_text
from .._json import dumps as json_dumps  # the one JSON encoding
from .._json import loads as json_loads
from ..cli.options import add_model_argument, add_out_option, add_set_option, model_from_args
from ..errors import InputError, OutputError


def _start(model, start):
    """Initial real-split state: None for the model's guess (the API's default start:
    lyapunov then moves off it, see lyapunov_spectrum), its equilibrium, or x_final of an
    .npz."""
    if start in (None, "guess"):
        return None
    if start == "equilibrium":
        from ..equilibrium import find_equilibrium
        free = model if model.is_autonomous() else model.with_params(
            **{model.definition.forcing_amplitude: 0.0})
        return model.pack(find_equilibrium(free))
    if not Path(start).exists():
        raise InputError(f"--start {start!r} is neither 'guess', 'equilibrium' nor an existing "
                         f"file")
    with read_npz(start, "--start") as d:
        if "x_final" not in d:
            raise InputError(f"--start {start}: no 'x_final' array (write it with --out "
                             f"FILE.npz)")
        x = np.asarray(d["x_final"], float)
    if x.size != model.n:
        raise InputError(f"--start {start}: x_final has {x.size} entries; model "
                         f"{model.name!r} has {model.n}")
    if not np.all(np.isfinite(x)):
        raise InputError(f"--start {start}: x_final is not finite")
    return x


def _csv_text(columns: dict) -> str:
    names = list(columns)
    data = np.column_stack([np.asarray(columns[n], float) for n in names])
    buf = io.StringIO()
    np.savetxt(buf, data, delimiter=",", header=",".join(names), comments="")
    return buf.getvalue()


def _save(out: Path, text=None, arrays=None) -> None:
    """Write ``text`` (json/csv) or ``arrays`` (.npz) to ``out`` atomically.

    If the write fails the result is printed on stdout (text, or every array as
    JSON) before the OutputError goes up to the exit-code handler: nothing is lost.
    """
    try:
        if text is not None:
            write_text(out, text)
        else:
            with atomic_path(out) as tmp:
                np.savez_compressed(tmp, **arrays)
    except OutputError as e:
        print(text if text is not None else json_dumps(
            {k: (json_loads(str(v)) if k == "summary" else v) for k, v in arrays.items()}))
        raise OutputError(f"{e}; the full result is printed on stdout", e.path) from None


# ------------------------------------------------------------------ integrate
def _integrate(args) -> int:
    from .integrate import integrate

    model = model_from_args(args)
    x0 = _start(model, args.start)
    tr = integrate(model, (args.t0, args.t0 + args.T), x0, method=args.method, dt=args.dt,
                   sample=args.sample, rtol=args.rtol, atol=args.atol)
    obs_final = {k: float(v[-1]) for k, v in tr.observables.items()}
    summary = {"model": model.name, "params": model.params, "method": tr.method,
               "status": tr.status, "message": tr.message, "t_final": float(tr.t[-1]),
               "samples": int(tr.t.size), "nsteps": tr.nsteps, "nfev": tr.nfev,
               "observables_final": obs_final,
               "observables_mean": {k: float(np.mean(v)) for k, v in tr.observables.items()}}
    print(json_dumps(summary), flush=True)
    if args.out:
        out = Path(args.out)
        if out.suffix == ".json":
            _save(out, json_dumps({**summary, "x_final": tr.x_final}, indent=1))
        elif out.suffix == ".csv":
            cols = {"t": tr.t, **dict(zip(model.state_names, tr.y)), **tr.observables}
            _save(out, _csv_text(cols))
        else:
            _save(out, arrays=dict(t=tr.t, y=tr.y, state_names=np.array(model.state_names),
                                   x_final=tr.x_final, summary=json_dumps(summary),
                                   **{f"obs_{k}": v for k, v in tr.observables.items()}))
    return 0 if tr.success else 1


# ------------------------------------------------------------------ lyapunov
def _lyapunov(args) -> int:
    from .lyapunov import lyapunov_spectrum

    model = model_from_args(args)
    x0 = _start(model, args.start)
    res = lyapunov_spectrum(model, args.T, transient=args.transient, dt=args.dt, x0=x0, k=args.k,
                            renorm_steps=args.renorm_steps, seed=args.seed)
    summary = {"model": model.name, "params": model.params, "time_unit": res.time_unit,
               "exponents": res.exponents, "stderr": res.stderr, "T": res.T, "dt": res.dt,
               "transient": res.transient, "status": res.status, "message": res.message,
               "kaplan_yorke_dimension": res.kaplan_yorke_dimension,
               "on_equilibrium": res.on_equilibrium}
    print(json_dumps(summary), flush=True)
    if args.out:
        out = Path(args.out)
        if out.suffix == ".json":
            _save(out, json_dumps(summary, indent=1))
        else:
            _save(out, arrays=dict(exponents=res.exponents, stderr=res.stderr,
                                   history_t=res.history_t, history=res.history,
                                   x_final=res.x_final, summary=json_dumps(summary)))
    return 0 if res.status == 0 else 1


# ------------------------------------------------------------------ response
def _response(args) -> int:
    from .response import linear_response, rate_response

    model = model_from_args(args)
    if args.linear:
        res = linear_response(model, args.omega, observable=args.observable, eta0=args.eta0)
    else:
        res = rate_response(model, args.omega, args.eta0, observable=args.observable,
                            periods=args.periods, method=args.method, dt=args.dt,
                            keep_series=False, progress=False)
    table = res.table()
    print("omega amplitude phase mean min max")
    for i in range(res.omega.size):
        print(f"{res.omega[i]:.6g} {res.amplitude[i]:.6g} {res.phase[i]:.6g} "
              f"{res.mean[i]:.6g} {res.minimum[i]:.6g} {res.maximum[i]:.6g}", flush=True)
    if args.out:
        out = Path(args.out)
        if out.suffix == ".csv":
            _save(out, _csv_text(table))
        else:
            _save(out, json_dumps({"model": model.name, "params": model.params,
                                        "method": res.method, "eta0": res.eta0,
                                        "stationary": res.stationary, **table}, indent=1))
    return 0


def add_subcommands(subparsers) -> None:
    """Register ``integrate``, ``lyapunov`` and ``response`` on an argparse sub-parser set."""
    start_help = ("initial state: guess (default; lyapunov starts slightly off it), "
                  "equilibrium, or an .npz with x_final")
    p = subparsers.add_parser("integrate", help="integrate a model in time")
    add_model_argument(p)
    add_set_option(p)
    p.add_argument("--T", type=float, required=True, help="duration (model time unit)")
    p.add_argument("--t0", type=float, default=0.0, help="start time (forcing phase)")
    p.add_argument("--method", choices=["rk4", "dopri", "etd"], default="dopri")
    p.add_argument("--dt", type=float, default=None, help="step (rk4, etd) / first step")
    p.add_argument("--sample", type=float, default=None, help="recording interval")
    p.add_argument("--rtol", type=float, default=1e-6)
    p.add_argument("--atol", type=float, default=1e-9)
    p.add_argument("--start", default="guess", help=start_help)
    add_out_option(p, ".json summary, .csv samples, or .npz")
    p.set_defaults(func=_integrate)
    p = subparsers.add_parser("lyapunov", help="Lyapunov spectrum (Benettin, QR)")
    add_model_argument(p)
    add_set_option(p)
    p.add_argument("--T", type=float, required=True, help="averaging time")
    p.add_argument("--transient", type=float, default=0.0)
    p.add_argument("--dt", type=float, required=True, help="RK4 step")
    p.add_argument("--k", type=int, default=None, help="number of exponents (default all)")
    p.add_argument("--renorm-steps", type=int, default=10)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--start", default="guess", help=start_help)
    add_out_option(p, ".json summary or .npz with the history")
    p.set_defaults(func=_lyapunov)
    p = subparsers.add_parser("response", help="rate response to eta0 cos(omega t)")
    add_model_argument(p)
    add_set_option(p)
    p.add_argument("--omega", type=float, nargs="+", required=True)
    p.add_argument("--eta0", type=float, default=1e-3)
    p.add_argument("--linear", action="store_true", help="transfer function of the linearisation")
    p.add_argument("--observable", default="nu")
    p.add_argument("--periods", type=int, default=4)
    p.add_argument("--method", choices=["rk4", "dopri", "etd"], default="etd")
    p.add_argument("--dt", type=float, default=None)
    add_out_option(p, ".csv table or .json")
    p.set_defaults(func=_response)


def main(argv=None) -> int:
    """Kept for old callers: the one ``bifkit`` command (:func:`bifkit.cli.main`)."""
    from ..cli import main as bifkit_main

    return bifkit_main(argv)


if __name__ == "__main__":   # python -m bifkit.dynamics.cli ...: the one bifkit command
    raise SystemExit(main())
