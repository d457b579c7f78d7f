"""The mpr-bistability recipe: folds, cusp, and the absence of a homoclinic loop in the MPR model.

References: cusp of the MPR model in closed form, eta = -sqrt(3) Delta,
J = pi (2c + 1/(2c^3)) sqrt(Delta), c = (3/4)^(1/4) (as tests/test_continuation_codim2.py);
Bendixson-Dulac with B = R^-2: div(B f) = -R^-3 (2 Delta/(pi tau) + Gamma R/pi)/tau < 0
(derived in diagrams/mpr_bistability.py), so no cycle and no homoclinic loop.
"""
import math

import numpy as np
import pytest

from diagrams import mpr_bistability as recipe


def test_recipe_writes_files_and_finds_the_cusp(tmp_path):
    files = recipe.run(True, tmp_path)
    assert all(p.exists() and p.stat().st_size > 0 for p in files.values())
    head = files["csv"].read_text().splitlines()[0]
    assert "max div(R^-2 f)" in head and float(head.split("f) on")[1].split(":")[1].split()[0]) < 0
    m, ep, lpc = recipe.fold_curves(True)
    (cp,) = lpc.special_points("CP")
    c = 0.75 ** 0.25
    assert cp.params["eta"] == pytest.approx(-math.sqrt(3) * recipe.DELTA, rel=1e-6)
    assert cp.params["J"] == pytest.approx(math.pi * (2 * c + 1 / (2 * c ** 3))
                                           * math.sqrt(recipe.DELTA), rel=1e-6)


def test_saddle_unstable_manifold_is_heteroclinic():
    """Both unstable branches of the saddle end at the node and at the focus, never back at
    the saddle (what a homoclinic orbit would do)."""
    import bifkit
    m = bifkit.load_model("mpr", Delta=1.0, Gamma=0.0, tau=1.0, J=15.0, eta=-4.44)
    eqs = m.steady_state()
    assert len(eqs) == 3
    saddle = eqs[1]
    ends = [b[-1] for b in recipe.manifolds(m, saddle, t_max=60.0)["unstable"]]
    targets = {(round(s["R"], 6), round(s["V"], 6)) for s in (eqs[0], eqs[2])}
    reached = {min(targets, key=lambda t: np.hypot(e[0] - t[0], e[1] - t[1])) for e in ends}
    assert reached == targets
    for e in ends:
        assert np.hypot(e[0] - saddle["R"], e[1] - saddle["V"]) > 0.1
    R, V = np.meshgrid(np.linspace(1e-3, 10, 50), np.linspace(-10, 10, 50))
    assert np.max(recipe.dulac_divergence(R, V, {**m.params, "Gamma": 0.7})) < 0
