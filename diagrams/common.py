"""Shared pieces of the figure recipes: output files, colours, and missing machinery.

Every recipe writes its data as CSV (one rectangular table per file, a header row with
the column names) and its figure as PNG and PDF, all named after the recipe, into the
output directory it is given, and returns ``{key: Path}`` of what it wrote.
"""
from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import numpy as np

# Colours of Bi et al. (2021), Fig. 1: node/focus green, Hopf blue, LPC (saddle-node of
# cycles) red, PD yellow; excitatory red, inhibitory blue (Fig. 2).
COLORS = {"NF": "tab:green", "H": "tab:blue", "LPC": "tab:red", "PD": "gold",
          "e": "tab:red", "i": "tab:blue", "network": "k", "chain": "k", "2cc": "tab:red",
          "oa": "tab:blue", "da": "tab:red"}


def write_csv(path, columns: dict, comment: str = "") -> Path:
    """Write ``columns`` ({name: 1-d array}, all the same length) as a CSV table.

    A leading ``# comment`` line (parameters, units) is written when given.
    Raises ValueError if the columns differ in length or there are none.
    """
    path = Path(path)
    if not columns:
        raise ValueError(f"{path.name}: no columns to write")
    arrays = {k: np.atleast_1d(np.asarray(v)) for k, v in columns.items()}
    lengths = {k: a.shape[0] for k, a in arrays.items()}
    if len(set(lengths.values())) != 1:
        raise ValueError(f"{path.name}: columns differ in length: {lengths}")
    path.parent.mkdir(parents=True, exist_ok=True)
    n = next(iter(lengths.values()))
    with path.open("w", newline="") as fh:   # the csv module writes the line ends
        if comment:
            for line in comment.splitlines():
                fh.write(f"# {line}\n")
        writer = csv.writer(fh, lineterminator="\n")   # quotes a field holding a comma
        writer.writerow(arrays)
        writer.writerows([_fmt(a[i]) for a in arrays.values()] for i in range(n))
    return path


def read_csv(path) -> dict:
    """Read a table written by :func:`write_csv` back into {name: array}.

    Numeric columns come back as float arrays, others as object arrays of str. Raises
    ValueError naming the file and the data row whose field count differs from the header.
    """
    path = Path(path)
    with path.open(newline="") as fh:
        rows = [r for r in csv.reader(ln for ln in fh if not ln.startswith("#")) if r]
    if not rows:
        raise ValueError(f"{path.name}: no header row (an empty CSV table)")
    names = rows[0]
    cols: dict[str, list[str]] = {k: [] for k in names}
    for i, row in enumerate(rows[1:], start=1):
        if len(row) != len(names):
            raise ValueError(f"{path.name}: data row {i} has {len(row)} fields, the header "
                             f"{len(names)}")
        for k, v in zip(names, row):
            cols[k].append(v)
    out = {}
    for k, v in cols.items():
        try:
            out[k] = np.array(v, dtype=float)
        except ValueError:
            out[k] = np.array(v, dtype=object)
    return out


def _fmt(v):
    if isinstance(v, (str, np.str_)):
        return str(v)
    if isinstance(v, (bool, np.bool_)):
        return "1" if v else "0"
    return repr(float(v))


def save_figure(fig, out, name: str) -> dict:
    """Save ``fig`` as ``out/name.png`` (150 dpi) and ``out/name.pdf``; close it."""
    import matplotlib.pyplot as plt
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    png, pdf = out / f"{name}.png", out / f"{name}.pdf"
    fig.savefig(png, dpi=150, bbox_inches="tight")
    fig.savefig(pdf, bbox_inches="tight")
    plt.close(fig)
    return {"png": png, "pdf": pdf}


def new_figure(*args, **kwargs):
    """``plt.subplots`` on the non-interactive Agg backend (recipes never open windows)."""
    from bifkit._optional import require
    matplotlib = require("matplotlib", extra="plot")
    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    return plt.subplots(*args, **kwargs)


def missing(requirements: dict) -> list[str]:
    """The requirements ({module: what it provides}) whose module cannot be imported."""
    out = []
    for module, what in requirements.items():
        try:
            found = importlib.util.find_spec(module) is not None
        except ModuleNotFoundError:
            found = False
        if not found:
            out.append(f"{what} ({module})")
    return out


def require(requirements: dict, recipe: str) -> None:
    """Raise NotImplementedError naming the missing machinery of ``recipe``, if any."""
    gone = missing(requirements)
    if gone:
        raise NotImplementedError(f"diagram {recipe!r} needs machinery that does not exist yet: "
                                  + "; ".join(gone))


def model_has(name: str) -> bool:
    """Whether bifkit can load model ``name`` (its definition exists)."""
    import bifkit
    try:
        bifkit.load_model(name)
    except (ValueError, AttributeError, ImportError, NotImplementedError):
        return False
    return True
