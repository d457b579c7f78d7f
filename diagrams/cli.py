"""Command-line handler of the figure recipes, for ``bifkit/cli.py`` to register.

    bifkit diagram NAME [--quick] [--out DIR]     regenerate one figure (CSV + PNG + PDF)
    bifkit diagram --list                         the recipes, and what each still needs

``add_subcommands(subparsers)`` adds the ``diagram`` subcommand to an ``argparse``
sub-parser collection; it sets ``func`` to :func:`cmd_diagram`, run under bifkit's exit-code
convention (``bifkit/cli/_run.py``; ``--out`` is checked, and created, before the run): an unknown recipe, or one whose machinery is missing
(NotImplementedError naming it), is exit code 2 with one line on stderr.
"""
from __future__ import annotations

import sys
import time
from typing import Sequence

from bifkit.cli.options import add_out_option


def cmd_diagram(args) -> int:
    from . import list_recipes, run_recipe

    if args.list or not args.name:
        for r in list_recipes():
            state = "" if r.available else "  [not yet: needs " + "; ".join(r.missing) + "]"
            print(f"{r.name:20s} {r.title}{state}")
        if not args.list:
            print("bifkit: give a diagram NAME (or --list)", file=sys.stderr)
            return 2
        return 0
    from bifkit._warmup import background

    t0 = time.perf_counter()
    # on an empty numba cache, a second process compiles the recipe's later kernels
    with background(f"diagram {args.name}" + (" --quick" if args.quick else "")):
        files = run_recipe(args.name, quick=args.quick, out=args.out)
    for key, path in files.items():
        print(f"{key:12s} {path}")
    print(f"diagram {args.name} done in {time.perf_counter() - t0:.1f} s")
    return 0


def add_subcommands(subparsers) -> None:
    """Register ``diagram`` on an argparse ``add_subparsers()`` object."""
    p = subparsers.add_parser("diagram", help="regenerate a figure of the source papers",
                              description=__doc__)
    p.add_argument("name", nargs="?", help="recipe name (see --list)")
    p.add_argument("--list", action="store_true", help="list the recipes and exit")
    p.add_argument("--quick", action="store_true",
                   help="coarse grids and small networks (about a minute)")
    add_out_option(p, default="results/diagrams", kind="dir", help="output directory")
    p.set_defaults(func=cmd_diagram)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m bifkit.diagrams.cli diagram NAME ...``: the ``bifkit`` command itself
    (:func:`bifkit.cli.main`), so exit codes and messages are the same."""
    from bifkit.cli import main as bifkit_main

    return bifkit_main(argv)


if __name__ == "__main__":
    raise SystemExit(main())
