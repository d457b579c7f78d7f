"""The ``bifkit`` command line: one parser, one subcommand module per family of commands.

    bifkit models                          list the models and their parameters
    bifkit steady MODEL --set K=1000 ...   equilibria with eigenvalues and observables
    bifkit report --out FILE               steady-state report of every model (JSON)
    bifkit continue MODEL --curve EP-C ... continue a curve; saves .npz + CSV (+ PNG)
    bifkit diagram NAME [--quick]          regenerate a paper's figure (data + PNG/PDF)
    bifkit lyapunov / integrate MODEL ...  Lyapunov spectra and trajectories
    bifkit response MODEL --omega ...      rate response to a periodic drive
    bifkit simulate NETWORK --set ...      exact event-driven spiking-network simulation
    bifkit sweep NETWORK --grid ...        parameter sweep of a network (Dask), resumable

Exit codes (every subcommand):
    0    success
    1    the computation ran but failed or stopped early, or its result could not be written
         (then it is printed on stdout); the message on stderr says which
    2    bad input or usage (argument, parameter, option, input or output path, a missing
         optional package): nothing was computed; one line on stderr names the culprit
    130  interrupted (Ctrl-C)
Set BIFKIT_TRACEBACK=1 to see the traceback behind a message.

Structure (how to add a subcommand): a module with ``add_subcommands(subparsers)`` that adds
its parsers with the shared helpers of :mod:`bifkit.cli.options` (``MODEL``, ``--set``,
``--out``) and sets ``func`` to a handler ``func(args) -> exit code | None``; list the module
in :data:`SUBCOMMAND_MODULES`.  :func:`main` builds the one parser and runs the handler under
:func:`run_command` (the exit-code convention above).
"""
from __future__ import annotations

import argparse
import importlib
import sys
from typing import Sequence

from ._run import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, run_command
from .models import steady_report
from .options import STRUCTURAL_INTEGERS, load_model_arg, parse_assignments

__all__ = ["main", "build_parser", "run_command", "steady_report", "parse_assignments",
           "SUBCOMMAND_MODULES", "EXIT_OK", "EXIT_FAILED", "EXIT_BAD_INPUT", "EXIT_INTERRUPTED",
           "STRUCTURAL_INTEGERS"]

# the modules that add subcommands, in the order of ``bifkit --help``
SUBCOMMAND_MODULES = ("bifkit.cli.models", "bifkit.continuation.cli", "bifkit.network.cli",
                      "bifkit.dynamics.cli", "bifkit.diagrams.cli")

_load = load_model_arg   # the name subcommand modules imported before bifkit.cli.options


def build_parser() -> argparse.ArgumentParser:
    """The one ``bifkit`` parser with every subcommand of :data:`SUBCOMMAND_MODULES`.

    A module whose optional package is missing (e.g. the figure recipes without their
    package) is left out; a real import error inside a module is raised.
    """
    usage = "\n\n".join((__doc__ or "").split("\n\n")[:3])   # commands and exit codes
    parser = argparse.ArgumentParser(prog="bifkit", description=usage,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    for module in SUBCOMMAND_MODULES:
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as e:
            if e.name != module:  # a real import error inside the module: show it
                raise
            continue
        mod.add_subcommands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """The ``bifkit`` command; returns the exit code (see the module docstring)."""
    args = build_parser().parse_args(argv)  # usage errors: argparse exits with 2
    return run_command(args.func, args)
