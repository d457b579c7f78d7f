"""A start outside the bounds of a free parameter is a ValueError naming it, for every curve
type (LC-C from such a Hopf point used to fail with numpy's LinAlgError inside the corrector)."""
import pytest

import bifkit


def _hopf_nf(make_model):
    def rhs(x, y, mu, w):
        r2 = x * x + y * y
        return [mu * x - w * y - x * r2, w * x + mu * y - y * r2]
    return make_model("start_bounds_hopf", ["x", "y"], {"mu": -0.3, "w": 1.0}, rhs)


def test_start_outside_bounds_is_named(make_model):
    m = _hopf_nf(make_model)
    ep = bifkit.continuation(m, "EP-C", {"x": 0.0, "y": 0.0}, ["mu"],
                             bounds={"mu": (-0.3, 0.3)}, ds=0.05, direction="forward")
    (h,) = ep.special_points("H")                 # closed form: mu = 0
    with pytest.raises(ValueError, match=r"start's mu = .* outside its bounds \(0.02, 0.5\)"):
        bifkit.continuation(m, "LC-C", h, ["mu"], bounds={"mu": (0.02, 0.5)}, ntst=20)
    with pytest.raises(ValueError, match="start's mu = -0.3 is outside its bounds"):
        bifkit.continuation(m, "EP-C", {"x": 0.0, "y": 0.0}, ["mu"], bounds={"mu": (0.0, 1.0)})
    # on the bound itself is a valid start
    lc = bifkit.continuation(m, "LC-C", h, ["mu"], bounds={"mu": (h.params["mu"], 0.5)}, ntst=20,
                             max_points=5)
    assert len(lc.params["mu"]) >= 2
