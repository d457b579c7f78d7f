"""Generalised period doublings (GPD) on the E-I period-doubling loop (Bi et al. 2021, eq. 6;
K = 1000, D_ii = 0.3), checked independently of the normal-form coefficient c.

Independent check: the criticality of a period doubling is read off the period-2 branch
(branch switching at the PD point of an LC-C run in I_e at fixed D_ee): a supercritical PD
(c < 0) sends the period-2 cycles to the side where the primary cycle's PD multiplier is
below -1, a subcritical one (c > 0) to the side where it is above.  On both sides of each
GPD the sign of c must agree with that side.  No AUTO-07p value exists (AUTO computes no
PD normal form).
"""
import copy

import numpy as np
import pytest

from bifkit.continuation import continuation


@pytest.fixture(scope="module")
def ei_pd_loop(ei_hopf):
    m, h = ei_hopf(2.0, 0.0011, 0.003)
    lc = continuation(m, "LC-C", h, ["I_e"], bounds={"I_e": (1e-5, 1.0)}, log_params=["I_e"])
    pd1 = max(lc.special_points("PD"), key=lambda s: s.params["I_e"])
    c = continuation(m, "PD-C", pd1, ["I_e", "D_ee"], log_params=["I_e"], max_points=600)
    return m, c


def _pd_multiplier(mu):
    r = mu[np.abs(mu.imag) < 1e-8].real
    return r[np.argmin(np.abs(r + 1.0))]


def _criticality(m, c, k):
    """"super" or "sub" from the period-2 branch at the PD near PD-C point k (module doc)."""
    o = copy.copy(c.orbits[k])
    o.p = o.p.copy()
    o.p[m.param_index("I_e")] *= 0.997          # start just off the PD point
    Ie, Dee = float(o.p[m.param_index("I_e")]), float(c.params["D_ee"][k])
    mk = m.with_params(D_ee=Dee, I_e=Ie)
    lc = continuation(mk, "LC-C", o, ["I_e"], log_params=["I_e"],
                      bounds={"I_e": (Ie * 0.9, Ie * 1.1)}, ds=0.0005, ds_max=0.002,
                      max_points=60, direction="both")
    pd = min(lc.special_points("PD"), key=lambda s: abs(s.params["I_e"] - c.params["I_e"][k]))
    I, j = lc.params["I_e"], pd.index
    after = j + 2 if j + 2 < len(lc) else j - 1
    q = after if _pd_multiplier(lc.multipliers[after]) < -1 else (j - 1 if after == j + 2 else j + 2)
    unstable_side = np.sign(I[q] - pd.params["I_e"])
    p2 = continuation(mk, "LC-C", pd, ["I_e"], log_params=["I_e"],
                      bounds={"I_e": (Ie * 0.5, Ie * 2)}, ds=0.0005, ds_max=0.002, max_points=6)
    assert p2.data["period"][3] == pytest.approx(2 * pd.data["period"], rel=1e-2)
    return "super" if np.sign(p2.params["I_e"][3] - pd.params["I_e"]) == unstable_side else "sub"


def test_ei_pd_loop_gpd_points_agree_with_the_period_2_branches(ei_pd_loop):
    m, c = ei_pd_loop
    assert c.status == {"forward": "closed_loop"}
    labels = [s.label for s in c.special_points()]
    assert labels == ["LPPD", "GPD", "LPPD", "GPD"]
    lppd = [s for s in c.special_points() if s.label == "LPPD"]
    cc = c.data["pd_coefficient"]
    for g in c.special_points("GPD"):
        assert g.converged and abs(g.data["c"]) < 1e-10 * np.nanmax(np.abs(cc))
        # a GPD is a zero of c, not the pole of c at an LPPD point
        assert all(abs(g.params["I_e"] / s.params["I_e"] - 1) > 1e-4 for s in lppd)
        k = g.index                                   # the point before the GPD
        assert cc[k] * cc[k + 1] < 0
        sides = [_criticality(m, c, k), _criticality(m, c, k + 1)]
        assert sides == ["super" if cc[k] < 0 else "sub", "super" if cc[k + 1] < 0 else "sub"]
