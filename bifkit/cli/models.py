"""``bifkit models``, ``bifkit steady`` and ``bifkit report``: the catalogue and its equilibria.

    bifkit models                          list the models and their parameters
    bifkit steady MODEL --set K=1000 ...   equilibria with eigenvalues and observables
    bifkit report --out FILE               steady-state report of every model (JSON)
"""
from __future__ import annotations

import argparse
from typing import Any

import numpy as np

from .._json import dumps as json_dumps  # the one JSON encoding (complex numbers)
from ..errors import OutputError
from .options import add_model_argument, add_out_option, add_set_option, model_from_args


def steady_report(model: Any) -> list[dict[str, Any]]:
    """Equilibria of ``model`` with eigenvalues, stability and observables."""
    from ..equilibrium import find_equilibrium
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


def cmd_models(args: argparse.Namespace) -> None:
    from .. import list_models, load_model
    for name in list_models():
        m = load_model(name)
        ps = ", ".join(f"{k}={v:g}" for k, v in m.params.items())
        print(f"{name:16s} states: {', '.join(m.states[:6])}{' ...' if len(m.states) > 6 else ''}")
        print(f"{'':16s} params: {ps}")


def cmd_steady(args: argparse.Namespace) -> None:
    rows = steady_report(model_from_args(args))
    for r in rows:
        st = ", ".join(f"{k}={v:.10g}" for k, v in r["state"].items())
        print(f"{'stable  ' if r['stable'] else 'unstable'} {st}")
        print("         eigenvalues: " + ", ".join(f"{e:.6g}" for e in r["eigenvalues"]))
        print("         " + ", ".join(f"{k}={v:.6g}" for k, v in r["observables"].items()))


def cmd_report(args: argparse.Namespace) -> None:
    from .. import list_models, load_model
    from .._io import check_output_path, write_text
    out = check_output_path(args.out)   # checked before the run too; this expands ~
    report: dict[str, Any] = {}
    for name in list_models():
        model = load_model(name)
        try:
            report[name] = {"params": model.params, "equilibria": steady_report(model)}
        except Exception as e:  # a report lists failures instead of stopping
            report[name] = {"params": model.params, "error": str(e)}
    text = json_dumps(report, indent=1)
    try:
        write_text(out, text)
    except OutputError:
        print(text)
        raise
    print(f"wrote {out}")


def add_subcommands(subparsers: Any) -> None:
    """Register ``models``, ``steady`` and ``report`` on an argparse sub-parser set."""
    p = subparsers.add_parser("models", help="list the models")
    p.set_defaults(func=cmd_models)
    p = subparsers.add_parser("steady", help="equilibria of a model")
    add_model_argument(p)
    add_set_option(p)
    p.set_defaults(func=cmd_steady)
    p = subparsers.add_parser("report", help="steady-state report of every model")
    add_out_option(p, "report file (JSON)", default="results/steady_states.json")
    p.set_defaults(func=cmd_report)
