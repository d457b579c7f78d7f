"""HC-C against AUTO-07p's HomCont (IPS = 9) on AUTO's demo 'ab' (B = 14, beta = 2).

bifkit's HC-C point (from the end of the LC-C branch, beta held at 2) is restarted in
HomCont, which continues it in (D, PAR(11) = 2T); its point with 2T nearest bifkit's
(within 1 %) must give the same D: the same continuous problem (projection conditions,
the saddle solved alongside), two codes.  AUTO prints 11 significant digits; agreement
measured 3.5e-11.  Skipped without AUTO-07p.
"""
import numpy as np
import pytest

from bifkit.backends import auto07p
from bifkit.continuation.homoclinic.auto_homcont import ab_demo_comparison, homcont_from_point
from bifkit.errors import InputError

pytestmark = pytest.mark.skipif(not auto07p.available(), reason="AUTO-07p not installed")


def test_ab_demo_homoclinic_point_matches_homcont():
    c = ab_demo_comparison(steps=6)
    assert abs(c["auto_two_T"] - c["two_T"]) < 0.01 * c["two_T"]
    # 11 printed digits of AUTO; the same BVP discretised by two codes (ntst 80, ncol 4)
    assert c["bifkit_D"] == pytest.approx(c["auto_D"], abs=1e-9)
    assert np.allclose(c["bifkit_x0"], c["auto_x0"], atol=1e-8)
    # all HomCont points (2T growing) stay at the demo's homoclinic value D = 0.105507
    assert all(abs(r["param"] - 0.105507) < 1e-5 for r in c["auto"])
    assert np.all(np.diff([r["two_T"] for r in c["auto"]]) > 0)
    with pytest.raises(InputError, match="HC-C branch"):
        lc_like = type("B", (), {"curve": "LC-C"})()
        homcont_from_point(c["model"], lc_like, 0)
