"""Command-line handlers of the network validator, for ``bifkit/cli.py`` to register.

    bifkit simulate NETWORK [--set NAME=VALUE ...] [--T T] [--transient T0] [--seed S] [--out FILE]
    bifkit sweep NETWORK --grid NAME=v1,v2,... [--grid ...] [--set NAME=VALUE ...] --out DIR
                 [--scheduler ADDRESS] [--workers N] [--new-folder] [--worker-timeout S]

``add_subcommands(subparsers)`` adds both subcommands to an ``argparse`` sub-parser collection;
each sets ``func`` to its handler, run by :func:`bifkit.cli.main` under bifkit's exit-code
convention (``bifkit/cli/_run.py``: bad input 2, a failed run 1). ``--out`` is declared with
:func:`bifkit.cli.options.add_out_option`, so the path is checked before anything runs. Values
given with ``--set`` are numbers where they parse as numbers (integers stay integers), strings
otherwise (e.g. ``--set indegree=binomial``). The summary printed by ``simulate`` is bifkit's one
JSON encoding (:mod:`bifkit._json`).
"""
from __future__ import annotations

from typing import Sequence

from ..cli.options import add_out_option


def _value(text, name="value"):
    """A number (int if integral, however spelt) or a word; inf/nan/empty rejected by name."""
    from .._validate import parse_value
    return parse_value(text, name)


def _assignments(items, what="--set"):
    out = {}
    for item in items or []:
        if "=" not in item:
            raise SystemExit(f"bifkit: {what} expects NAME=VALUE, got {item!r}")
        k, v = item.split("=", 1)
        out[k.strip()] = _value(v.strip(), k.strip())
    return out


def cmd_simulate(args) -> int:
    from .simulate import simulate

    params = _assignments(args.set)
    for key in ("T", "transient", "seed"):
        if getattr(args, key) is not None:
            params[key] = getattr(args, key)
    from .._json import dumps

    res = simulate(args.network, **params)   # bad input: ValueError -> exit code 2
    print(dumps(res.row()), flush=True)   # the result first
    if args.out:
        from .._io import save_or_rescue   # atomic; the path was checked before the run
        save_or_rescue(res.save, args.out, suffixes=(".json", ".npz"), result=res)
    return 0


def cmd_sweep(args) -> int:
    from .sweep import sweep

    grid = {}
    for item in args.grid or []:
        if "=" not in item:
            raise SystemExit(f"bifkit: --grid expects NAME=v1,v2,..., got {item!r}")
        k, v = item.split("=", 1)
        grid[k.strip()] = [_value(x) for x in v.split(",") if x.strip()]
    # bad input: ValueError -> exit code 2; no live worker or no scheduler: ComputationError
    # -> exit code 1 (finished points are saved)
    table = sweep(args.network, grid, args.out, fixed=_assignments(args.set),
                  scheduler=args.scheduler, n_workers=args.workers, progress=True,
                  on_conflict="new" if args.new_folder else "refuse",
                  worker_timeout=args.worker_timeout)
    n = len(next(iter(table.values()))) if table else 0
    print(f"{n} points in {table.folder}/sweep.zarr (load with bifkit.load_sweep"
          f"({str(table.folder)!r}))")
    return 0


def _positive_int(text):
    import argparse

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expects an integer >= 1, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expects an integer >= 1 (a sweep needs at least "
                                         f"one worker), got {value}")
    return value


def _positive_float(text):
    import argparse
    import math

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expects a number of seconds > 0, got {text!r}") \
            from None
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"expects a finite number of seconds > 0, got {text!r}")
    return value


def add_subcommands(subparsers) -> None:
    """Register ``simulate`` and ``sweep`` on an argparse ``add_subparsers()`` object."""
    from .._validate import argparse_number
    p = subparsers.add_parser("simulate", help="simulate a spiking network exactly (event driven)")
    p.add_argument("network", help="inhibitory_qif, ei_qif, lif_massive or theta_massive")
    p.add_argument("--set", nargs="*", default=[], metavar="NAME=VALUE")
    p.add_argument("--T", type=argparse_number(positive=True), default=None,
                   help="recorded time (ms or tau)")
    p.add_argument("--transient", type=argparse_number(nonnegative=True), default=None)
    p.add_argument("--seed", type=int, default=None)
    add_out_option(p, help="result file (.json summary or .npz)")
    p.set_defaults(func=cmd_simulate)
    s = subparsers.add_parser("sweep", help="run a network over a parameter grid (Dask)")
    s.add_argument("network")
    s.add_argument("--grid", nargs="+", required=True, metavar="NAME=v1,v2,...")
    s.add_argument("--set", nargs="*", default=[], metavar="NAME=VALUE")
    add_out_option(s, required=True, kind="dir",
                   help="sweep folder: sweep.zarr and the per-point files (resumable)")
    s.add_argument("--scheduler", default=None, help="address of a Dask scheduler")
    s.add_argument("--workers", type=_positive_int, default=None,
                   help="LocalCluster worker processes (integer >= 1; default: one per CPU)")
    s.add_argument("--new-folder", action="store_true",
                   help="if --out holds a sweep with another specification, write to OUT-2, "
                        "OUT-3, ... instead of refusing")
    s.add_argument("--worker-timeout", type=_positive_float, default=120.0,
                   help="fail after this many seconds without a live Dask worker (default 120)")
    s.set_defaults(func=cmd_sweep)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m bifkit.network.cli simulate ...``: the ``bifkit`` command itself
    (:func:`bifkit.cli.main`), so exit codes and messages are the same."""
    from ..cli import main as bifkit_main

    return bifkit_main(argv)


if __name__ == "__main__":
    raise SystemExit(main())
