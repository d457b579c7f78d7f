"""HC-C against AUTO-07p's HomCont (IPS = 9) on AUTO's demo 'ab' (B = 14, beta = 2).

bifkit's HC-C point (from the end of the LC-C branch, beta held at 2) is restarted in
HomCont, which continues it in (D, PAR(11) = 2T); its first points (2T within 1 % of bifkit's)
must give the same D: the same continuous problem (projection conditions, the saddle solved
alongside), different codes.  AUTO prints 11 significant digits; agreement measured 1e-11.
Skipped without AUTO-07p.
"""
import numpy as np
import pytest
import sympy as sp

from bifkit.backends import auto07p
from bifkit.continuation import continuation
from bifkit.continuation.homoclinic.auto_homcont import homcont_from_point
from bifkit.continuation.homoclinic.curve import continue_homoclinic
from bifkit.errors import InputError
from bifkit.model import Model, ModelDefinition, real_symbols

pytestmark = pytest.mark.skipif(not auto07p.available(), reason="AUTO-07p not installed")


def test_ab_demo_homoclinic_point_matches_homcont():
    u1, u2, D, B, beta = real_symbols("u1 u2 D B beta")
    e = sp.exp(u2)
    m = Model(ModelDefinition.from_sympy(
        "auto_ab", [("u1", u1), ("u2", u2)], [(D, 0.0), (B, 14.0), (beta, 2.0)],
        [-u1 + D * (1 - u1) * e, -u2 + D * B * (1 - u1) * e - beta * u2]))
    ep = continuation(m, "EP-C", {"state": {"u1": 0.0, "u2": 0.0}, "params": m.params}, ["D"],
                      bounds={"D": (0, 0.3)}, ds=0.01, ds_max=0.02, max_points=500)
    lc = continuation(m, "LC-C", ep.special_points("H")[0], ["D"], bounds={"D": (0, 0.3)},
                      max_points=300, ntst=80)
    hc = continue_homoclinic(m, "HC-C", lc.point(len(lc) - 1), ["D", "beta"], max_points=2,
                             ds=0.01)
    res = homcont_from_point(m, hc, 0, steps=6)
    two_T = 2 * hc.data["T"][0]
    near = [r for r in res if abs(r["two_T"] - two_T) < 0.01 * two_T]
    assert near, [r["two_T"] for r in res]
    for r in near:
        # 11 printed digits of AUTO; the two discretisations of the same BVP (ntst 80, ncol 4)
        assert r["param"] == pytest.approx(hc.params["D"][0], abs=1e-9)
        assert np.allclose(r["x0"], hc.x[0], atol=1e-8)
    # D is the 'ab' demo's homoclinic value all along (exponentially small in T)
    assert all(abs(r["param"] - 0.105507) < 1e-5 for r in res)
    with pytest.raises(InputError, match="HC-C branch"):
        homcont_from_point(m, lc, 0)
