"""The codim-2 core compiles each helper once on a fresh cache (issue 16, item 4).

A helper called once with a literal (``-1``, ``True``) and once with a typed
value is compiled twice by numba, the whole linked call tree each time; the
core passes typed values (``np.int64(-1)``, ``np.bool_(True)``) instead.  On a
warm cache the entry point is loaded from disk and its callees are never
typed, so the check needs an empty ``NUMBA_CACHE_DIR``: a cold compile of
the core (30-60 s CPU), hence ``slow``.  The time itself is printed by
``benchmarks/cold_compile.py``.
"""
import json
import os
import subprocess
import sys

import pytest

CODE = r"""
import json, importlib
import numba
import bifkit
from bifkit.continuation import continuation
core = importlib.import_module("bifkit.continuation.codim2.core")
# the cusp x' = mu + nu x - x^3 (fold curve mu = -+2 (nu/3)^(3/2)) and FitzHugh-Nagumo (Hopf)
cusp = bifkit.Model(bifkit.define_model("cc_cusp", states={"x": 0.0, "y": 0.0},
                                        params={"mu": 0.0, "nu": 1.0},
                                        rhs=["mu + nu*x - x^3", "-y + x*x"]))
xf = (1 / 3) ** 0.5
lp = continuation(cusp.with_params(mu=-(xf - xf ** 3)), "LP-C", {"x": xf, "y": xf * xf},
                  ["mu", "nu"], bounds={"mu": (-1, 1), "nu": (-1, 1.5)})
fhn = bifkit.Model(bifkit.define_model("cc_fhn", states={"v": -1.2, "w": -0.6},
                                       params={"I": 0.0, "a": 0.7, "b": 0.8, "eps": 0.08},
                                       rhs=["v - v^3/3 - w + I", "eps*(v + a - b*w)"]))
ep = continuation(fhn, "EP-C", bifkit.find_equilibrium(fhn, fhn.default_guess()), ["I"],
                  bounds={"I": (0.0, 2.0)})
hc = continuation(fhn, "H-C", ep.special_points("H")[0], ["I", "eps"],
                  bounds={"I": (-1, 3), "eps": (0.01, 2)})
# the core's own compiled functions (the linear algebra it imports is generic by design)
sigs = {name: [str(s) for s in obj.signatures] for name, obj in vars(core).items()
        if isinstance(obj, numba.core.registry.CPUDispatcher)
        and obj.py_func.__module__ == core.__name__}
print(json.dumps({"sigs": sigs, "labels": [s.label for s in lp.special_points()]
                  + [s.label for s in hc.special_points()]}))
"""


@pytest.mark.slow
def test_codim2_core_compiles_each_helper_once(tmp_path):
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "numba"),
           "BIFKIT_CACHE": str(tmp_path / "bifkit")}
    out = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True,
                         env=env, cwd=tmp_path, timeout=1800)
    assert out.returncode == 0, out.stderr[-3000:]
    res = json.loads(out.stdout.strip().splitlines()[-1])
    sigs = res["sigs"]
    # the curves ran through the core (CP on the cusp's fold curve, GH on FHN's Hopf curve)
    assert "CP" in res["labels"] and "GH" in res["labels"]
    # the helpers were typed in this process (a cold cache), so the check below has material
    for helper in ("correct", "defining", "refresh", "point_tests", "_eig2",
                   "_pair_sum_product"):
        assert sigs[helper], f"{helper} was not compiled: the cache was not cold"
    # ``_rows`` packs arrays of four types into the entry point's outputs: one per type
    twice = {name: s for name, s in sigs.items() if len(s) > 1 and name != "_rows"}
    assert twice == {}, f"compiled more than once: {twice}"
    literal = {name: s for name, s in sigs.items() if any("Literal" in x for x in s)}
    assert literal == {}, f"compiled for literal arguments: {literal}"
