"""Re-classify the region cells a longer transient can change (issue 18, Fig. 1b cell IV -> I).

``ei_plane.classify_cell`` integrates from next to an unstable equilibrium for
max(20 periods, 40 / growth rate) before its Lyapunov test.  Up to 2026-12-06 22:50 that
transient was capped at 2e5 ms; it is now capped at 2e7 ms (``max_transient``).  Only cells
whose equilibrium grows slower than 40 / 2e5 = 2e-4 per ms can change.  This script finds
those cells in a full run's region CSV (their label was IV or V) and classifies them again
with the current code, printing every cell whose label changes.  Run from the repository root:

    python docs/figures/recheck_transient_cells.py results/diagrams_full  [fig1a fig1b fig1c]
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

import bifkit
from bifkit.diagrams.common import read_csv
from bifkit.diagrams.ei_plane import classify_cell

PLANES = {  # recipe -> (x, y, fixed parameters) as in diagrams/bi2021_fig1{a,b,c}.py
    "fig1a": ("I_e", "D_ee", dict(K=1000.0, D_ii=0.3)),
    "fig1b": ("K", "D_ee", dict(I_e=0.001, D_ii=0.3)),
    "fig1c": ("D_ii", "D_ee", dict(K=1000.0, I_e=0.1)),
}
OLD_CAP = 2e5  # ms, the former transient cap


def recheck(out: Path, fig: str) -> None:
    x, y, fixed = PLANES[fig]
    t = read_csv(out / f"bi2021-{fig}_regions.csv")
    labels = np.array(t["region"], dtype=object)
    todo, changed = 0, []
    for xv, yv, lab in zip(t[x], t[y], labels):
        if lab not in ("IV", "V"):
            continue
        m = bifkit.load_model("ei_neural_mass", **fixed, **{x: float(xv), y: float(yv)})
        eqs = m.equilibria()
        if not eqs or any(e["stable"] for e in eqs):
            continue
        growth = float(eqs[0]["eigenvalues"].real.max())
        if 40.0 / growth <= OLD_CAP:
            continue  # the transient was not cut: nothing can change
        todo += 1
        new = classify_cell(m)[0]
        if new != lab:
            changed.append((float(xv), float(yv), lab, new, growth))
    print(f"{fig}: {int(np.isin(labels, ['IV', 'V']).sum())} IV/V cells, {todo} with growth "
          f"< {40 / OLD_CAP:g}/ms re-classified, {len(changed)} changed")
    for xv, yv, lab, new, g in changed:
        print(f"   ({x}, {y}) = ({xv:.6g}, {yv:.6g}): {lab} -> {new} (growth {g:.3g}/ms)")


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("results/diagrams_full")
    for fig in sys.argv[2:] or list(PLANES):
        recheck(out, fig)
