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


def test_lower_layers_check_the_start_too(make_model):
    """The public lower layers (ep.continue_equilibria, codim2.continue_codim2_curve) apply the
    same rule as bifkit.continuation (one function: options.check_start_in_bounds)."""
    from bifkit.continuation.codim2.curve import continue_codim2_curve
    from bifkit.continuation.ep import continue_equilibria
    from bifkit.continuation.options import make_options
    m = _hopf_nf(make_model)
    with pytest.raises(ValueError, match="start's mu = -0.3 is outside its bounds"):
        continue_equilibria(m, {"x": 0.0, "y": 0.0}, "mu",
                            make_options("EP-C", bounds={"mu": (0.0, 1.0)}))
    h = {"state": {"x": 0.0, "y": 0.0}, "params": {"mu": 0.0, "w": 1.0}}   # closed form: Hopf
    with pytest.raises(ValueError, match="start's w = 1 is outside its bounds"):
        continue_codim2_curve(m, "H-C", h, ["mu", "w"],
                              make_options("H-C", bounds={"w": (1.5, 2.0)}))


def test_rounding_slack_is_relative_to_the_bound():
    """A start beyond a bound by rounding (relative 1e-13: a log-parameter end 10**log10(b))
    counts as on it; 1e-7 relative beyond it, or any amount below a bound at 0, does not."""
    from bifkit.continuation.options import START_BOUND_SLACK, check_start_in_bounds
    assert START_BOUND_SLACK < 1e-7
    params = {"a": 200.0 * (1 + 1e-13), "b": 1e6 * (1 - 1e-13)}

    class Model:
        param_names = ["a", "b"]
    start = {"state": {}, "params": params}
    check_start_in_bounds(Model, start, ["a", "b"], {"a": (1e-5, 200.0), "b": (1e6, 1e7)})
    with pytest.raises(ValueError, match="start's a = 200.00002 is outside"):
        check_start_in_bounds(Model, {"state": {}, "params": {"a": 200.00002}}, ["a"],
                              {"a": (1e-5, 200.0)})
    with pytest.raises(ValueError, match="start's a = -1e-12 is outside its bounds \\(0, 1\\)"):
        check_start_in_bounds(Model, {"state": {}, "params": {"a": -1e-12}}, ["a"],
                              {"a": (0.0, 1.0)})


def test_start_at_a_log_parameter_end_continues(make_model):
    """The end of a log-parameter run on its bound is a valid start of the next run whose
    bound is that value (the end is 10**log10(bound), not always the bound bit for bit)."""
    m = _hopf_nf(make_model).with_params(mu=-0.3, w=0.7)
    ep = bifkit.continuation(m, "EP-C", {"x": 0.0, "y": 0.0}, ["w"], bounds={"w": (0.5, 0.9)},
                             log_params=["w"], ds=0.05, direction="forward")
    assert ep.status["forward"] == "bound"
    w_end = ep.params["w"][-1]
    assert abs(w_end - 0.9) <= 1e-13
    again = bifkit.continuation(m.with_params(w=w_end), "EP-C", {"x": 0.0, "y": 0.0}, ["w"],
                                bounds={"w": (0.5, 0.9)}, log_params=["w"], ds=0.05)
    assert again.status["forward"] == "bound"
