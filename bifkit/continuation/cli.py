"""``bifkit continue``: run any curve type from the command line.

Examples::

    bifkit continue ei_neural_mass --curve EP-C --free I_e --set K=1000 D_ii=0.3 D_ee=2.0 \\
        --bounds I_e=1e-5:200 --log I_e --out results/ep.npz --plot I_e:R_e
    bifkit continue ei_neural_mass --curve H-C --free I_e D_ee --from results/ep.npz \\
        --point H:0 --bounds I_e=1e-5:200 D_ee=0:5 --log I_e --out results/hopf.npz

The branch is saved without loss (``.npz``, reload with ``bifkit.Branch.load``),
as CSV next to it, and optionally plotted (``--plot X:Y`` -> PNG).
"""
from __future__ import annotations

import time
from pathlib import Path

from .._optional import require
from ..cli.options import add_model_argument, add_out_option, add_set_option, model_from_args
from ..errors import InputError


def _bounds(items) -> dict:
    out = {}
    for item in items or []:
        try:
            name, rng = item.split("=", 1)
            lo, hi = rng.split(":", 1)
            out[name.strip()] = (float(lo), float(hi))
        except ValueError:
            raise InputError(f"--bounds expects NAME=LOW:HIGH, got {item!r}") from None
    return out


def _start(args, model):
    """The start point: a special point / point of a saved branch, or an equilibrium."""
    from ..equilibrium import find_equilibrium
    if args.from_file:
        from .._io import load_branch_file
        from .._validate import parse_point_spec, point_index
        branch = load_branch_file(args.from_file, "--from")
        spec = args.point or "0"
        label, k = parse_point_spec(spec)   # "H:0" or a point index, else InputError
        if label is not None:
            pts = branch.special_points(label)
            if not pts:
                raise InputError(f"{args.from_file} has no {label!r} point; it has "
                                 f"{sorted({s.label for s in branch.special}) or 'none'}")
            return pts[point_index(k, len(pts), f"--point {spec} ({label} points)")]
        return branch.point(point_index(k, len(branch), f"--point {spec} (branch points)"))
    try:
        states = model.steady_state()
    except NotImplementedError:
        states = [find_equilibrium(model)]
    if not states:
        raise InputError(f"{model.name} has no physical equilibrium at these parameters")
    if not 0 <= args.equilibrium < len(states):
        raise InputError(f"--equilibrium {args.equilibrium}: the model has "
                         f"{len(states)} equilibria here (0..{len(states) - 1})")
    return states[args.equilibrium]


def cmd_continue(args):
    from . import continuation
    if args.plot:   # before computing: a missing extra must not cost the run
        _plot_axes(args.plot)
        require("matplotlib", extra="plot")
    model = model_from_args(args)
    start = _start(args, model)
    options = {"bounds": _bounds(args.bounds), "log_params": args.log or [],
               "direction": args.direction}
    for key in ("max_points", "ds", "ds_min", "ds_max", "tol", "ntst", "ncol"):
        value = getattr(args, key)
        if value is not None:
            options[key] = value
    print(f"bifkit: {args.curve} of {model.name} in {args.free} ...", flush=True)
    t0 = time.perf_counter()
    branch = continuation(model, args.curve, start, args.free, **options)  # bad input: exit 2
    print(f"bifkit: {len(branch)} points in {time.perf_counter() - t0:.2f} s; "
          f"status {branch.status}: {branch.message}")
    for s in branch.special:
        free = ", ".join(f"{k}={s.params[k]:.10g}" for k in branch.free)
        extra = ""
        if s.label == "GH" and "l2" in s.data:       # l1 = 0 there: the next coefficient
            extra = f"  l2={s.data['l2']:.6g}"
        elif "l1" in s.data:
            extra = f"  l1={s.data['l1']:.6g} ({s.data.get('criticality', '')})"
        for k in ("a", "b"):                         # BT normal-form coefficients
            if s.label == "BT" and k in s.data:
                extra += f"  {k}={s.data[k]:.6g}"
        if "period" in s.data:
            extra += f"  period={s.data['period']:.8g}"
        print(f"  {s.label:4s} {free}{extra}")
    from .._io import atomic_save, save_or_rescue   # atomic; the path was checked before
    saved = save_or_rescue(branch.save, Path(args.out), result=branch)
    csv = atomic_save(branch.to_csv, saved.with_suffix(".csv"), suffixes=(".csv",))
    print(f"wrote {saved} and {csv}")
    if args.plot:
        matplotlib = require("matplotlib", extra="plot")
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        x, y = _plot_axes(args.plot)
        fig, ax = plt.subplots(figsize=(6, 4))
        branch.plot(x, y, ax=ax)
        if x in args.log:
            ax.set_xscale("log")
        png = saved.with_suffix(".png")
        fig.savefig(png, dpi=150, bbox_inches="tight")
        print(f"wrote {png}")


def _plot_axes(spec: str) -> tuple[str, str]:
    """``--plot X:Y`` -> ``("X", "Y")`` (InputError otherwise)."""
    x, sep, y = spec.partition(":")
    if not (sep and x.strip() and y.strip()):
        raise InputError(f"--plot expects X:Y (two names), got {spec!r}")
    return x.strip(), y.strip()


def add_subcommands(sub) -> None:
    """Register ``continue`` on an argparse sub-parser set."""
    p = sub.add_parser("continue", help="continue a curve (EP-C, LC-C, LP-C, H-C, NF-C, "
                                        "LPC-C, PD-C, NS-C)")
    add_model_argument(p)
    p.add_argument("--curve", default="EP-C")
    p.add_argument("--free", nargs="+", required=True, help="free parameter(s)")
    add_set_option(p)
    p.add_argument("--from", dest="from_file", help="start from a saved branch (.npz)")
    p.add_argument("--point", help="LABEL:K (K-th special point with LABEL) or a point index")
    p.add_argument("--equilibrium", type=int, default=0,
                   help="which closed-form equilibrium to start from (default 0)")
    p.add_argument("--bounds", nargs="*", metavar="NAME=LOW:HIGH")
    p.add_argument("--log", nargs="*", default=[], metavar="NAME",
                   help="continue these parameters in log10")
    p.add_argument("--direction", default="both", choices=["forward", "backward", "both"])
    p.add_argument("--max-points", type=int)
    p.add_argument("--ds", type=float)
    p.add_argument("--ds-min", type=float)
    p.add_argument("--ds-max", type=float)
    p.add_argument("--tol", type=float)
    p.add_argument("--ntst", type=int)
    p.add_argument("--ncol", type=int)
    add_out_option(p, "output file (.npz; CSV written beside it)", required=True)
    p.add_argument("--plot", metavar="X:Y", help="also write a PNG of Y against X")
    p.set_defaults(func=cmd_continue)
