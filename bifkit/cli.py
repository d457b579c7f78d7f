"""The ``bifkit`` command line.

    bifkit models                          list the models and their parameters
    bifkit steady MODEL --set K=1000 ...   equilibria with eigenvalues and observables
    bifkit report --out FILE               steady-state report of every model (JSON)
    bifkit continue MODEL --curve EP-C ... continue a curve; saves .npz + CSV (+ PNG)
    bifkit diagram NAME [--quick]          regenerate a paper's figure (data + PNG/PDF)
    bifkit lyapunov / integrate MODEL ...  Lyapunov spectra and trajectories
    bifkit simulate NETWORK --set ...      exact event-driven spiking-network simulation
    bifkit sweep NETWORK --grid ...        parameter sweep of a network (Dask), resumable
"""
from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path

import numpy as np


def parse_assignments(items) -> dict:
    """``["K=1000", "D_ee=2"]`` -> ``{"K": 1000.0, "D_ee": 2.0}`` (clear error otherwise)."""
    out = {}
    for item in items or []:
        if "=" not in item:
            raise SystemExit(f"bifkit: expected NAME=VALUE, got {item!r}")
        key, value = item.split("=", 1)
        try:
            out[key.strip()] = float(value)
        except ValueError:
            raise SystemExit(f"bifkit: value of {key!r} is not a number: {value!r}") from None
    return out


def _jsonable(v):
    if isinstance(v, complex):
        return {"re": v.real, "im": v.imag}
    if isinstance(v, (np.floating, np.integer)):
        return v.item()
    if isinstance(v, np.ndarray):
        return [_jsonable(x) for x in v.tolist()]
    if isinstance(v, dict):
        return {k: _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    return v


def _load(name, params):
    from . import load_model
    structural = {}
    if "M" in params:
        if params["M"] != int(params["M"]):
            raise SystemExit(f"bifkit: M (number of modes) must be an integer; got {params['M']}")
        structural["M"] = int(params["M"])
    rest = {k: v for k, v in params.items() if k != "M"}
    try:
        return load_model(name, **structural, **rest)
    except ValueError as e:
        raise SystemExit(f"bifkit: {e}") from None


def steady_report(model) -> list[dict]:
    """Equilibria of ``model`` with eigenvalues, stability and observables."""
    from .equilibrium import find_equilibrium
    try:
        states = model.steady_state()
    except NotImplementedError:
        states = [find_equilibrium(model)]
    out = []
    for s in states:
        ev = model.eigenvalues(s)
        out.append({"state": s, "observables": model.observables(s),
                    "eigenvalues": [complex(e) for e in ev],
                    "stable": bool(np.all(ev.real < 0))})
    return out


def cmd_models(args):
    from . import list_models, load_model
    for name in list_models():
        m = load_model(name)
        ps = ", ".join(f"{k}={v:g}" for k, v in m.params.items())
        print(f"{name:16s} states: {', '.join(m.states[:6])}{' ...' if len(m.states) > 6 else ''}")
        print(f"{'':16s} params: {ps}")


def cmd_steady(args):
    model = _load(args.model, parse_assignments(args.set))
    rows = steady_report(model)
    for r in rows:
        st = ", ".join(f"{k}={v:.10g}" for k, v in r["state"].items())
        print(f"{'stable  ' if r['stable'] else 'unstable'} {st}")
        print("         eigenvalues: " + ", ".join(f"{e:.6g}" for e in r["eigenvalues"]))
        print("         " + ", ".join(f"{k}={v:.6g}" for k, v in r["observables"].items()))


def cmd_report(args):
    from . import list_models, load_model
    report = {}
    for name in list_models():
        model = load_model(name)
        try:
            report[name] = {"params": model.params, "equilibria": steady_report(model)}
        except Exception as e:  # a report lists failures instead of stopping
            report[name] = {"params": model.params, "error": str(e)}
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(_jsonable(report), indent=1))
    print(f"wrote {out}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bifkit", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("models", help="list the models")
    p.set_defaults(func=cmd_models)
    p = sub.add_parser("steady", help="equilibria of a model")
    p.add_argument("model")
    p.add_argument("--set", nargs="*", metavar="NAME=VALUE", help="parameter values")
    p.set_defaults(func=cmd_steady)
    p = sub.add_parser("report", help="steady-state report of every model")
    p.add_argument("--out", default="results/steady_states.json")
    p.set_defaults(func=cmd_report)
    for module in _SUBCOMMAND_MODULES:
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as e:
            if e.name != module:  # a real import error inside the module: show it
                raise
            continue
        mod.add_subcommands(sub)
    return parser


# each of these modules adds its own subcommands (``add_subcommands(subparsers)``)
_SUBCOMMAND_MODULES = ("bifkit.continuation.cli", "bifkit.network.cli", "bifkit.dynamics.cli",
                       "bifkit.diagrams.cli")


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args) or 0


if __name__ == "__main__":
    sys.exit(main())
