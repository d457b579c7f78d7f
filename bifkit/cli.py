"""The ``bifkit`` command line.

    bifkit models                          list the models and their parameters
    bifkit steady MODEL --set K=1000 ...   equilibria with eigenvalues and observables
    bifkit report --out FILE               steady-state report of every model (JSON)
    bifkit continue MODEL --curve EP-C ... continue a curve; saves .npz + CSV (+ PNG)
    bifkit diagram NAME [--quick]          regenerate a paper's figure (data + PNG/PDF)
    bifkit lyapunov / integrate MODEL ...  Lyapunov spectra and trajectories
    bifkit simulate NETWORK --set ...      exact event-driven spiking-network simulation
    bifkit sweep NETWORK --grid ...        parameter sweep of a network (Dask), resumable

Exit codes (every subcommand):
    0    success
    1    the computation ran but failed or stopped early, or its result could not be written
         (then it is printed on stdout); the message on stderr says which
    2    bad input or usage (argument, parameter, option, input or output path): nothing was
         computed; one line on stderr names the culprit
    130  interrupted (Ctrl-C)
Set BIFKIT_TRACEBACK=1 to see the traceback behind a message.
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path

import numpy as np

from ._json import dumps as json_dumps  # the one JSON encoding (complex numbers)
from ._validate import parse_assignments as _parse_assignments
from .errors import ComputationError, InputError, OutputError

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130
STRUCTURAL_INTEGERS = ("M",)   # mode counts of the chains: integers, never truncated


def parse_assignments(items) -> dict:
    """``["K=1000", "D_ee=2"]`` -> ``{"K": 1000.0, "D_ee": 2.0, ...}``; ``M`` an int.

    Raises :class:`~bifkit.errors.InputError` naming the parameter (``K = 'abc' is
    not a number``, ``M = 8.5 must be an integer``).
    """
    return _parse_assignments(items, "--set", integers=STRUCTURAL_INTEGERS)


def _load(name, params):
    """The model ``name`` with ``params`` (InputError naming a bad name or value)."""
    from . import load_model
    from ._validate import as_int
    params = dict(params)
    for key in STRUCTURAL_INTEGERS:
        if key in params:
            params[key] = as_int(params[key], key, minimum=1)
    try:
        return load_model(name, **params)
    except (ValueError, TypeError) as e:
        raise InputError(str(e)) from None


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
    from ._io import check_output_path, write_text
    out = check_output_path(args.out)
    text = json_dumps(report, indent=1)
    try:
        write_text(out, text)
    except OutputError:
        print(text)
        raise
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
    for name, attrs in _OUTPUT_OPTIONS.items():  # checked before computing (run_command)
        if name in sub.choices:
            sub.choices[name].set_defaults(check_paths=attrs)
    for name, attrs in _OUTPUT_DIRS.items():
        if name in sub.choices:
            sub.choices[name].set_defaults(check_dirs=attrs)
    return parser


# each of these modules adds its own subcommands (``add_subcommands(subparsers)``)
_SUBCOMMAND_MODULES = ("bifkit.continuation.cli", "bifkit.network.cli", "bifkit.dynamics.cli",
                       "bifkit.diagrams.cli")


# output-file options of each subcommand, checked (folder created) before anything is computed
_OUTPUT_OPTIONS = {"report": ("out",), "continue": ("out",), "simulate": ("out",),
                   "integrate": ("out",), "lyapunov": ("out",), "response": ("out",)}
# output-folder options (created before anything is computed)
_OUTPUT_DIRS = {"sweep": ("out",), "diagram": ("out",)}


def run_command(func, args) -> int:
    """Run a subcommand handler under the exit-code convention (module docstring).

    Output paths named in ``args.check_paths`` (attribute names, e.g. ``("out",)``)
    are checked, and their folders created, before anything is computed; so are the
    output folders named in ``args.check_dirs``.  Errors
    become one line on stderr and an exit code; no traceback unless
    ``BIFKIT_TRACEBACK=1``.
    """
    from ._io import check_output_dir, check_output_path
    try:
        for attr in getattr(args, "check_paths", ()):
            value = getattr(args, attr, None)
            if value is not None:
                check_output_path(value, "--" + attr.replace("_", "-"))
        for attr in getattr(args, "check_dirs", ()):
            value = getattr(args, attr, None)
            if value is not None:
                check_output_dir(value, "--" + attr.replace("_", "-"))
        code = func(args)
        return EXIT_OK if code is None else int(code)
    except SystemExit as e:  # handlers that exit with a message: bad input
        if isinstance(e.code, str):
            return _fail(e.code, EXIT_BAD_INPUT, e)
        raise
    except KeyboardInterrupt as e:
        return _fail("interrupted", EXIT_INTERRUPTED, e)
    except OutputError as e:
        return _fail(f"{e}", EXIT_FAILED, e)
    except (ComputationError, MemoryError) as e:
        return _fail(f"{type(e).__name__}: {e}" if isinstance(e, MemoryError) else f"{e}",
                     EXIT_FAILED, e)
    except (InputError, ValueError, NotImplementedError) as e:
        return _fail(f"{e}", EXIT_BAD_INPUT, e)
    except OSError as e:  # an input file that cannot be read
        name = f" {e.filename!r}" if getattr(e, "filename", None) else ""
        return _fail(f"{e.strerror or e}{name}", EXIT_BAD_INPUT, e)
    except Exception as e:  # a bug: say so in one line, traceback on request
        return _fail(f"internal error {type(e).__name__}: {e} (a bug; please report it "
                     f"with BIFKIT_TRACEBACK=1 output)", EXIT_FAILED, e)


def _fail(message: str, code: int, exc: BaseException) -> int:
    if os.environ.get("BIFKIT_TRACEBACK"):
        import traceback
        traceback.print_exception(exc, file=sys.stderr)
    message = str(message).strip() or type(exc).__name__
    if not message.startswith("bifkit:"):
        message = f"bifkit: {message}"
    print(message, file=sys.stderr)
    return code


def main(argv=None) -> int:
    """The ``bifkit`` command; returns the exit code (see the module docstring)."""
    args = build_parser().parse_args(argv)  # usage errors: argparse exits with 2
    return run_command(args.func, args)


if __name__ == "__main__":
    sys.exit(main())
