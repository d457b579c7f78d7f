"""User models: ``define_model``, ``register_model``, and ``Model.to_spec`` / ``from_spec``.

References: right-hand sides are checked against the same formula written in
numpy in the test (independent of sympy and numba); round trips must be exact
(bit-identical evaluations, equal digests).
"""
import json
import math
import re
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import sympy as sp

import bifkit
from bifkit.model import Model
from bifkit.model_files.spec import ModelMismatchError, check_spec_matches
from bifkit.registry import register_model, unregister_model


def _fhn(**kw):
    """FitzHugh-Nagumo with user names that sympy would otherwise take (I, E, gamma, beta)."""
    return bifkit.define_model(
        kw.pop("name", "fhn_user"), states=["v", "w"],
        params={"I": 0.5, "E": 0.7, "gamma": 0.8, "beta": {"default": 12.5, "min": 0.1}},
        rhs=kw.pop("rhs", ["v - v^3/3 - w + I", "(v + E - gamma*w)/beta"]),
        observables={"energy": "v**2 + w**2"}, **kw)


def _fhn_numpy(x, I=0.5, E=0.7, gamma=0.8, beta=12.5):  # noqa: E741 (the model's own names)
    v, w = x
    return np.array([v - v ** 3 / 3 - w + I, (v + E - gamma * w) / beta])


# ------------------------------------------------------------------ define_model
def test_define_from_strings_matches_numpy_formula():
    m = Model(_fhn(), {"I": 0.3})
    x = np.array([0.4, -0.2])
    assert np.allclose(m.rhs(x), _fhn_numpy(x, I=0.3), rtol=1e-14, atol=0)
    assert m.observables(x)["energy"] == pytest.approx(0.2, rel=1e-14)
    assert m.param_names == ["I", "E", "gamma", "beta"]   # user symbols, not sympy's I, E, gamma
    with pytest.raises(ValueError, match="beta"):           # the range given as min
        m.with_params(beta=0.0)


def test_define_from_sympy_and_symbols_equals_strings():
    v, w, I, E, gamma, beta = sp.symbols("v w I E gamma beta")  # plain symbols, no assumptions
    d = bifkit.define_model("fhn_sym", states=[v, w],
                            params={I: 0.5, E: 0.7, gamma: 0.8, beta: 12.5},
                            rhs={w: (v + E - gamma * w) / beta, v: v - v ** 3 / 3 - w + I})
    x = np.array([-1.1, 0.3])
    assert np.allclose(Model(d).rhs(x), _fhn_numpy(x), rtol=1e-14, atol=0)


def test_states_as_dict_give_initial_values_and_guess():
    d = bifkit.define_model("decay", states={"x": 2.0}, params={"k": 1.0}, rhs=["-k*x"])
    assert Model(d).default_guess() == {"x": 2.0}


@pytest.mark.parametrize("kwargs, culprit", [
    (dict(rhs=["v - w + J", "v"]), "unknown symbol 'J'"),
    (dict(rhs=["v - w +", "v"]), "rhs of v: cannot parse"),
    (dict(rhs=["v"]), "2 states .* but 1 right-hand sides"),
    (dict(rhs=["foo(v)", "v"]), "unknown function 'foo'"),
    (dict(rhs=["__import__('os')", "v"]), "unknown function '__import__'"),
    (dict(rhs=["v.__class__", "v"]), "unsupported syntax"),
    (dict(states=["v", "v"]), "duplicate state name 'v'"),
    (dict(states=["v", "a"]), "duplicate name 'a' .a state and a parameter"),
    (dict(params=["a"]), "parameter 'a' has no default"),
    (dict(params={"a": None}), "parameter 'a' has no numeric value"),
    (dict(params={"a": {"min": 0}}), "parameter 'a' has no default"),
    (dict(params={"a": float("nan")}), "default of parameter 'a' must be finite"),
    (dict(states=["t", "w"]), "'t' is reserved for time"),
    (dict(states=["exp", "w"]), "'exp' is the name of a function"),
    (dict(ranges={"a": (2, 1)}), "range of 'a' is empty"),
    (dict(ranges={"b": (0, 1)}), "range given for 'b', which is not a parameter"),
    (dict(params={"a": 5.0}, ranges={"a": (0, 1)}), "default a = 5 is outside"),
    (dict(observables={"o": "v*q"}), "observable o: unknown symbol 'q'"),
])
def test_bad_input_is_a_value_error_naming_it(kwargs, culprit):
    args = dict(name="bad", states=["v", "w"], params={"a": 1.0}, rhs=["-v + a", "v - w"])
    args.update(kwargs)
    with pytest.raises(ValueError, match=culprit):
        bifkit.define_model(**args)


def test_sympy_rhs_with_stray_symbol_is_named():
    v, q = sp.symbols("v q")
    with pytest.raises(ValueError, match=r"rhs of v: unknown symbol\(s\) \['q'\]"):
        bifkit.define_model("bad", states=[v], params={"a": 1.0}, rhs=[v * q])


# ------------------------------------------------------------------ registry
def test_register_makes_load_model_find_it():
    d = _fhn(name="fhn_registered")
    register_model(d)
    try:
        m = bifkit.load_model("fhn_registered", I=0.1)
        assert m.definition is d and m.params["I"] == 0.1
        assert "fhn_registered" in bifkit.list_models()
        other = _fhn(name="fhn_registered", rhs=["v - w + I", "(v + E - gamma*w)/beta"])
        with pytest.raises(ValueError, match="different model 'fhn_registered'"):
            register_model(other)
        with pytest.raises(ValueError, match="catalogue model"):
            register_model(_fhn(name="mpr"))
    finally:
        unregister_model("fhn_registered")


# ------------------------------------------------------------------ specs
def test_spec_round_trip_is_exact_for_user_model():
    m = Model(_fhn(name="fhn_spec"), {"I": 0.25})
    spec = json.loads(json.dumps(m.to_spec()))
    m2 = Model.from_spec(spec)
    assert m2.definition is not m.definition     # rebuilt from the stored equations
    assert m2.params == m.params and m2.to_spec() == m.to_spec()
    x = np.array([0.123456789, -0.987654321])
    assert np.array_equal(m2.rhs(x), m.rhs(x))  # bit-identical
    with pytest.raises(ValueError, match="beta"):   # ranges survive
        m2.with_params(beta=0.0)


@pytest.mark.parametrize("name", ["mpr", "ei_neural_mass", "shotnoise_2cc"])
def test_spec_round_trip_of_catalogue_models_goes_through_registry(name):
    m = bifkit.load_model(name)
    m2 = Model.from_spec(json.loads(json.dumps(m.to_spec())))
    assert m2.definition is m.definition and m2.params == m.params


def test_spec_keeps_truncation_order_of_chain():
    # issue 20: a branch of shotnoise_chain with M = 8 used to reload with M = 64
    m = bifkit.load_model("shotnoise_chain", M=8, K=500.0)
    m2 = Model.from_spec(json.loads(json.dumps(m.to_spec())))
    assert m2.definition.structural == {"M": 8} and m2.n == 16 and m2.params == m.params
    assert m2.to_spec()["digest"] == m.to_spec()["digest"]
    assert m2.to_spec()["digest"] != bifkit.load_model("shotnoise_chain", M=9).to_spec()["digest"]


def test_spec_against_different_registered_definition_names_both():
    spec = Model(_fhn(name="fhn_clash")).to_spec()
    other = _fhn(name="fhn_clash", rhs=["v - w + I", "(v + E - gamma*w)/beta"])
    register_model(other)
    try:
        with pytest.raises(ModelMismatchError,
                           match=r"saved model 'fhn_clash' \(digest \w+\) differs from the "
                                 r"registered model 'fhn_clash' \(digest \w+\): right-hand "
                                 r"side v: saved I - v\*\*3/3 \+ v - w vs registered I \+ v - w"):
            Model.from_spec(spec)
        with pytest.raises(ValueError, match="right-hand side v"):
            check_spec_matches(spec, other)
        check_spec_matches(spec, _fhn(name="fhn_clash"))   # the same equations: no error
    finally:
        unregister_model("fhn_clash")


def test_damaged_spec_is_refused():
    spec = Model(_fhn(name="fhn_damaged")).to_spec()
    spec["equations"]["rows"][0][0] = ["S", "v"]       # equations no longer match the digest
    with pytest.raises(ModelMismatchError, match="rebuilt from its saved equations"):
        Model.from_spec(spec)
    with pytest.raises(ValueError, match="format"):
        Model.from_spec({"name": "x"})
    spec = bifkit.load_model("mpr").to_spec()
    spec["structural"] = {"M": 8}                       # mpr takes no build options
    with pytest.raises(ModelMismatchError, match=r"build options \{'M': 8\}"):
        Model.from_spec(spec)


def test_spec_rebuilds_in_a_fresh_process(tmp_path):
    m = Model(_fhn(name="fhn_process"), {"I": 0.4})
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(m.to_spec()))
    code = textwrap.dedent(f"""
        import json, numpy as np
        from bifkit.model import Model
        m = Model.from_spec(json.load(open({str(path)!r})))
        print(m.name, m.params["I"], repr(float(m.rhs(np.array([0.5, 0.25]))[0])))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr
    name, I, f0 = out.stdout.split()
    assert (name, float(I)) == ("fhn_process", 0.4)
    assert float(f0) == m.rhs(np.array([0.5, 0.25]))[0]


def test_user_model_branch_saved_in_one_process_loads_in_another(tmp_path):
    # FitzHugh-Nagumo, the equations of models/examples/fitzhugh_nagumo.ode (shares its
    # compiled kernels).  Reference: the Hopf points in closed form, trace J = 0:
    # v_H = -+sqrt(1 - eps*b), I_H = (v_H + a)/b - v_H + v_H^3/3.
    v_h = np.sqrt(1 - 0.08 * 0.8)
    i_h = sorted((v + 0.7) / 0.8 - v + v ** 3 / 3 for v in (-v_h, v_h))
    path = tmp_path / "fhn.npz"
    save = textwrap.dedent(f"""
        import bifkit
        d = bifkit.define_model("fitzhugh_nagumo", {{"v": -1.2, "w": -0.6}},
                                {{"I": 0.0, "a": 0.7, "b": 0.8, "eps": 0.08}},
                                ["v - v^3/3 - w + I", "eps*(v + a - b*w)"])
        bifkit.register_model(d)
        m = bifkit.load_model("fitzhugh_nagumo")
        br = bifkit.continuation(m, "EP-C", bifkit.find_equilibrium(m, m.default_guess()),
                                 ["I"], bounds={{"I": (0, 2)}})
        br.save({str(path)!r})
    """)
    load = textwrap.dedent(f"""
        import bifkit
        assert "fitzhugh_nagumo" not in bifkit.list_models()
        br = bifkit.Branch.load({str(path)!r})
        print(br.model_name, *[repr(s.params["I"]) for s in br.special if s.label == "H"])
    """)
    for code in (save, load):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             timeout=900, cwd=tmp_path)
        assert out.returncode == 0, out.stderr
    name, *hopfs = out.stdout.split()
    assert name == "fitzhugh_nagumo"
    assert np.allclose([float(h) for h in hopfs], i_h, rtol=1e-8)


def test_chain_branch_with_m8_reloads_with_m8_in_a_fresh_process(tmp_path):
    # issue 20: a shotnoise_chain branch made with M = 8 reloaded with the default M = 64
    m = bifkit.load_model("shotnoise_chain", M=8, K=500.0)
    eq = bifkit.find_equilibrium(m, m.default_guess())
    br = bifkit.continuation(m, "EP-C", eq, ["i0"], bounds={"i0": (0.2, 0.6)}, max_points=10)
    path = br.save(tmp_path / "chain8.npz")
    code = textwrap.dedent(f"""
        import bifkit
        br = bifkit.Branch.load({str(path)!r})
        br.to_csv({str(tmp_path / "chain8.csv")!r})
        print(len(br.state_names), br.x.shape[1], repr(float(br.x[-1, 0])))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=600)
    assert out.returncode == 0, out.stderr
    n_names, n_cols, last = out.stdout.split()
    assert (int(n_names), int(n_cols)) == (16, 16)            # 8 complex modes, not 64
    assert float(last) == br.x[-1, 0]                         # exact round trip
    header = (tmp_path / "chain8.csv").read_text().splitlines()[0].split(",")
    assert len(header) == len(np.loadtxt(tmp_path / "chain8.csv", delimiter=",",
                                         skiprows=1)[0])


# every function a string may call, with its reference in Python's math module
FUNCTION_CASES = {
    "exp(x)": math.exp, "log(x)": math.log, "ln(x)": math.log, "sqrt(x)": math.sqrt,
    "sin(x)": math.sin, "cos(x)": math.cos, "tan(x)": math.tan,
    "asin(x/2)": lambda x: math.asin(x / 2), "acos(x/2)": lambda x: math.acos(x / 2),
    "arcsin(x/2)": lambda x: math.asin(x / 2), "arccos(x/2)": lambda x: math.acos(x / 2),
    "atan(x)": math.atan, "arctan(x)": math.atan, "atan2(x, 2)": lambda x: math.atan2(x, 2),
    "sinh(x)": math.sinh, "cosh(x)": math.cosh, "tanh(x)": math.tanh,
    "abs(x-1)": lambda x: abs(x - 1), "Abs(x-1)": lambda x: abs(x - 1),
    "sign(x-1)": lambda x: math.copysign(1.0, x - 1),
    "heav(x-0.5)": lambda x: float(x > 0.5), "Heaviside(x-0.5)": lambda x: float(x > 0.5),
    "min(x, 0.5)": lambda x: min(x, .5), "max(x, 0.5)": lambda x: max(x, .5),
    "max(x, 0.5, 2*x)": lambda x: max(x, .5, 2 * x), "pow(x, 3)": lambda x: x ** 3,
}


def test_every_allowed_function_compiles_and_matches_math():
    from bifkit.model_files.expressions import FUNCTIONS
    called = {re.match(r"\w+", k).group(0) for k in FUNCTION_CASES}
    assert called == set(FUNCTIONS)                       # no allowed function untested
    states = [f"x{i}" for i in range(len(FUNCTION_CASES))]
    rhs = [re.sub(r"\bx\b", s, r) for s, r in zip(states, FUNCTION_CASES)]
    m = Model(bifkit.define_model("all_functions", states, {"k": 1.0}, rhs))
    for value in (0.7, 1.3):
        x = np.full(len(states), value)
        ref = [fn(value) for fn in FUNCTION_CASES.values()]
        assert np.allclose(m.rhs(x), ref, rtol=1e-14, atol=0)
        h = 1e-6                                          # away from every kink and jump
        fd = [(fn(value + h) - fn(value - h)) / (2 * h) for fn in FUNCTION_CASES.values()]
        assert np.allclose(np.diag(m.jacobian(x)), fd, rtol=1e-7, atol=1e-7)


@pytest.mark.parametrize("states, params, culprit", [
    ([sp.Symbol("x")], [(sp.Symbol("mu"), 1.0)], r"state x is not a \(name, Symbol\) pair"),
    ([("x", sp.Symbol("x"))], {"mu": 1.0}, "not a dict"),
    ([("x", sp.Symbol("x"))], [("mu", 1.0)], r"parameter \('mu', 1.0\) is not a \(Symbol"),
])
def test_from_sympy_wrong_forms_are_named_and_point_to_define_model(states, params, culprit):
    # issue 16: these gave "cannot unpack non-iterable Symbol" / "undeclared symbols ['mu']"
    from bifkit.model import ModelDefinition
    with pytest.raises(ValueError, match=culprit + ".*define_model"):
        ModelDefinition.from_sympy("m", states, params, [sp.Symbol("mu") - sp.Symbol("x")])
