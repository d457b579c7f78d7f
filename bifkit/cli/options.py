"""Options shared by the ``bifkit`` subcommands, declared once.

Every subcommand module (``bifkit/cli/models.py``, ``bifkit/continuation/cli.py``,
``bifkit/dynamics/cli.py``, ...) builds its parser from these helpers, so ``MODEL``,
``--set NAME=VALUE`` and ``--out`` mean the same everywhere, and output paths are
checked before anything is computed (:func:`bifkit.cli.run_command`).
"""
from __future__ import annotations

import argparse
from typing import Any, Iterable, Literal

from .._validate import parse_assignments as _parse_assignments
from ..errors import InputError

#: mode counts of the chains: integers, never truncated (``--set M=64``)
STRUCTURAL_INTEGERS = ("M",)


def add_model_argument(p: argparse.ArgumentParser) -> None:
    """The positional ``MODEL``: a catalogue name, or a ``.toml`` / ``.ode`` model file."""
    p.add_argument("model", help="model name (bifkit models) or a .toml / .ode model file")


def add_set_option(p: argparse.ArgumentParser, help: str = "parameter values "
                   "(and M=... for the chains)") -> None:
    """``--set NAME=VALUE ...`` (parsed with :func:`parse_assignments`)."""
    p.add_argument("--set", nargs="*", default=[], metavar="NAME=VALUE", help=help)


def add_out_option(p: argparse.ArgumentParser, help: str, *, default: str | None = None,
                   required: bool = False, kind: Literal["file", "dir"] = "file") -> None:
    """``--out``: a result file or folder, checked (folder created) before the run."""
    p.add_argument("--out", default=default, required=required, help=help)
    p.set_defaults(**{"check_paths" if kind == "file" else "check_dirs": ("out",)})


def parse_assignments(items: Iterable[str] | None) -> dict[str, Any]:
    """``["K=1000", "D_ee=2"]`` -> ``{"K": 1000.0, "D_ee": 2.0, ...}``; ``M`` an int.

    Raises :class:`~bifkit.errors.InputError` naming the parameter (``K = 'abc' is
    not a number``, ``M = 8.5 must be an integer``).
    """
    return _parse_assignments(items, "--set", integers=STRUCTURAL_INTEGERS)


def load_model_arg(name: str, params: dict[str, Any]) -> Any:
    """The model ``name`` with ``params`` (InputError naming a bad name or value)."""
    from .. import load_model
    from .._validate import as_int
    params = dict(params)
    for key in STRUCTURAL_INTEGERS:
        if key in params:
            params[key] = as_int(params[key], key, minimum=1)
    try:
        return load_model(name, **params)
    except (ValueError, TypeError) as e:
        raise InputError(str(e)) from None


def model_from_args(args: argparse.Namespace) -> Any:
    """The model of ``args.model`` at the ``args.set`` parameter values."""
    return load_model_arg(args.model, parse_assignments(args.set))
