"""Model files: the XPPAUT .ode and TOML readers, on the shipped examples and on broken files.

Independent references: each example's equations are written again in numpy
below (from the papers, not from the files); equilibria come from
``scipy.optimize.fsolve`` on them, Hopf points from ``brentq`` on the largest
real part of the eigenvalues of their central-difference Jacobian along the
equilibrium branch.  Values so obtained (script in this file's helpers):

* Morris-Lecar (Rinzel & Ermentrout 1989 Hopf set): H at I = 93.857618375 and
  I = 212.018816148 uA/cm^2;
* Wilson-Cowan (Wilson & Cowan 1972, Fig. 7 set): H at P = 1.879313198;
* Jansen-Rit (Jansen & Rit 1995): H at p = 315.696463909 and 89.829077430 1/s
  (Grimbert & Faugeras 2006 report 315.70 and 89.83).

Tolerances: fsolve xtol 1e-13, brentq xtol 1e-10 on a parameter of order 100
and a central-difference Jacobian (relative error ~1e-9): Hopf parameters
agree to ~1e-8 relative, equilibria to ~1e-10.
"""
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import brentq, fsolve

import bifkit

EXAMPLES = Path(__file__).resolve().parents[1] / "models" / "examples"


# ------------------------------------------------------------- independent numpy models
def ml(x, I=90.0, phi=.04, V1=-1.2, V2=18, V3=2, V4=30, gCa=4.4, VCa=120, gK=8, VK=-84,  # noqa: E741
       gL=2, VL=-60, C=20):
    """Morris & Lecar (1981) with Rinzel & Ermentrout (1989) parameters."""
    V, w = x
    minf = .5 * (1 + np.tanh((V - V1) / V2))
    winf = .5 * (1 + np.tanh((V - V3) / V4))
    tauw = 1 / np.cosh((V - V3) / (2 * V4))
    return np.array([(I - gCa * minf * (V - VCa) - gK * w * (V - VK) - gL * (V - VL)) / C,
                     phi * (winf - w) / tauw])


def wc(x, P=1.25, Q=0.0):
    """Wilson & Cowan (1972) eqs. 11-13, Fig. 7 parameters."""
    def s(u, a, th):
        return 1 / (1 + np.exp(-a * (u - th))) - 1 / (1 + np.exp(a * th))
    ke, ki = 1 - 1 / (1 + np.exp(1.3 * 4)), 1 - 1 / (1 + np.exp(2 * 3.7))
    E, I = x  # noqa: E741
    return np.array([-E + (ke - E) * s(16 * E - 12 * I + P, 1.3, 4),
                     -I + (ki - I) * s(15 * E - 3 * I + Q, 2, 3.7)])


def jr(x, p=200.0, A=3.25, B=22, a=100, b=50, C=135, e0=2.5, v0=6, r=0.56):
    """Jansen & Rit (1995) eqs. 6-8, state order (y0, y3, y1, y4, y2, y5)."""
    y0, y3, y1, y4, y2, y5 = x
    def S(v):  # noqa: N802
        return 2 * e0 / (1 + np.exp(r * (v0 - v)))
    return np.array([y3, A * a * S(y1 - y2) - 2 * a * y3 - a * a * y0,
                     y4, A * a * (p + 0.8 * C * S(C * y0)) - 2 * a * y4 - a * a * y1,
                     y5, B * b * 0.25 * C * S(0.25 * C * y0) - 2 * b * y5 - b * b * y2])


def fd_jacobian(f, x, h=1e-6):
    cols = []
    for j in range(x.size):
        e = np.zeros_like(x)
        e[j] = h * max(1.0, abs(x[j]))
        cols.append((f(x + e) - f(x - e)) / (2 * e[j]))
    return np.array(cols).T


def equilibrium(f, guess, **kw):
    x, _, ier, msg = fsolve(lambda y: f(y, **kw), guess, xtol=1e-13, full_output=True)
    assert ier == 1, msg
    return x


def hopf(f, name, lo, hi, guess):
    """Independent Hopf parameter: zero of max Re(eig) along the equilibria."""
    def growth(v):
        x = equilibrium(f, guess, **{name: v})
        return np.max(np.linalg.eigvals(fd_jacobian(lambda y: f(y, **{name: v}), x)).real)
    return brentq(growth, lo, hi, xtol=1e-10)


# file stem, numpy model, free parameter, Hopf bracket, guess
CASES = {"morris_lecar": (ml, "I", (80, 100), [-26.6, .129]),
         "wilson_cowan": (wc, "P", (1.0, 2.5), [.2, .1]),
         "jansen_rit": (jr, "p", (250, 350), [0.1, 0, 20, 0, 15, 0])}
FILES = [f"{stem}.{ext}" for stem in CASES for ext in ("ode", "toml")]


@pytest.mark.parametrize("filename", FILES)
def test_example_equations_match_independent_numpy(filename):
    f, _, _, _ = CASES[filename.split(".")[0]]
    m = bifkit.load_model(EXAMPLES / filename)
    rng = np.random.default_rng(3)
    for _ in range(5):
        x = m.pack(m.default_guess()) * (1 + 0.2 * rng.standard_normal(m.n))
        assert np.allclose(m.rhs(x), f(x), rtol=1e-12, atol=1e-12 * np.max(np.abs(f(x))))


@pytest.mark.parametrize("filename", FILES)
def test_example_equilibrium_and_hopf_point(filename):
    stem = filename.split(".")[0]
    f, name, (lo, hi), guess = CASES[stem]
    m = bifkit.load_model(EXAMPLES / filename)
    x_ref = equilibrium(f, guess)
    x = m.pack(bifkit.find_equilibrium(m, m.default_guess()))
    assert np.allclose(x, x_ref, rtol=1e-10, atol=1e-12)
    # at the independently located Hopf parameter the model's own Jacobian has a
    # pair of eigenvalues on the imaginary axis (and none to the right of it)
    v_h = hopf(f, name, lo, hi, guess)
    x_h = equilibrium(f, guess, **{name: v_h})
    ev = m.eigenvalues(x_h, **{name: v_h})
    ev_ref = np.linalg.eigvals(fd_jacobian(lambda y: f(y, **{name: v_h}), x_h))
    omega = np.max(np.abs(ev_ref.imag))
    assert np.max(ev.real) == pytest.approx(0.0, abs=1e-6 * omega)
    assert np.max(np.abs(ev.imag)) == pytest.approx(omega, rel=1e-6)
    assert np.sum(np.abs(ev.real) < 1e-6 * omega) == 2   # exactly one pair, not a fold


def test_ode_and_toml_define_the_same_equations():
    for stem in CASES:
        a = bifkit.load_model(EXAMPLES / f"{stem}.ode").to_spec()
        b = bifkit.load_model(EXAMPLES / f"{stem}.toml").to_spec()
        assert a["digest"] == b["digest"] and a["params"] == b["params"]


def test_continuation_finds_the_hopf_points_of_the_ode_file():
    # references: I = 93.857618375 and 212.018816148 (module docstring, brentq on numpy model)
    m = bifkit.load_model(EXAMPLES / "morris_lecar.ode")
    eq = bifkit.find_equilibrium(m, m.default_guess())
    br = bifkit.continuation(m, "EP-C", eq, ["I"], bounds={"I": (0, 100)})
    labels = [(s.label, s.params["I"]) for s in br.special]
    assert [lab for lab, _ in labels] == ["H"]   # no fold, no second Hopf below I = 100
    assert labels[0][1] == pytest.approx(hopf(ml, "I", 80, 100, [-26.6, .129]), rel=1e-8)


def test_cli_continue_on_model_file_and_reload_in_fresh_process(tmp_path):
    out = tmp_path / "ml.npz"
    cmd = [sys.executable, "-m", "bifkit.cli", "continue", str(EXAMPLES / "morris_lecar.ode"),
           "--free", "I", "--bounds", "I=0:100", "--out", str(out)]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    assert "H    I=93.857618" in run.stdout
    code = textwrap.dedent(f"""
        import bifkit
        br = bifkit.Branch.load({str(out)!r})
        h = br.special_points("H")[0] if hasattr(br, "special_points") else \\
            [s for s in br.special if s.label == "H"][0]
        print(br.model.name if hasattr(br, "model") else "", repr(h.params["I"]))
    """)
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=600, cwd=tmp_path)   # a fresh process: nothing registered
    assert run.returncode == 0, run.stderr
    assert float(run.stdout.split()[-1]) == pytest.approx(93.857618375, rel=1e-8)


# ------------------------------------------------------------- broken files
GOOD_ODE = "x' = -a*x + y\ny' = x - y^3\npar a=1\ninit x=0.1, y=0.2\ndone\n"

BROKEN_ODE = [
    ("x' = -a*x + delay(y, 1)\ny'=x\npar a=1\n", 1, "'delay' .delay equations. is not supported"),
    ("x' = -x\ntable f fdata.tab\n", 2, "'table' .lookup tables. is not supported"),
    ("x' = -x\nmarkov z 2\n", 2, "'markov' .Markov chains. is not supported"),
    ("x' = -x + w\nwiener w\n", 2, "'wiener' .Wiener processes. is not supported"),
    ("x' = -x\nglobal 1 x-1 {x=0}\n", 2, "'global'"),
    ("x(t+1) = x/2\n", 1, "maps x.t\\+1.=... are not supported"),
    ("x' = -x\n@ meth=discrete\n", 2, "meth=discrete"),
    ("x' = -x\n\n# comment\ny' = x + q\n", 4, "unknown symbol 'q'"),
    ("x' = -x +* 2\n", 1, "cannot parse"),
    ("x' = -x\npar a=1, A=2\n", 2, "'A' is already declared as a parameter"),
    ("x' = -x\ninit z=1\n", None, "initial value given for 'z'"),
    ("x' = foo(x)\n", 1, "unknown function 'foo'"),
    ("x' = -x\npar a=abc\n", 2, "value of 'a' is not a number"),
    ("x' = -x + \\\n  b\npar c=1\n", 1, "unknown symbol 'b'"),
    ("x[1..3]' = -x[j]\n", 1, "arrays"),
    ("par a=1\n", None, "no differential equations"),
    ("x' = -x\n!d = x*2\n", 2, "derived parameter 'd' depends on"),
    ("x' = if(x>1)then(1)else(0)\n", 1, "'if' .if/then/else. is not supported"),
]


@pytest.mark.parametrize("text, line, message", BROKEN_ODE)
def test_broken_ode_file_names_line_and_construct(tmp_path, text, line, message):
    path = tmp_path / "broken.ode"
    path.write_text(text)
    prefix = f"broken.ode, line {line}: " if line else "broken.ode: "
    with pytest.raises(ValueError, match=prefix.replace(".", "\\.") + ".*" + message):
        bifkit.load_model(path)


def test_ode_features_comments_continuations_functions_fixed_numbers(tmp_path):
    path = tmp_path / "feat.ode"
    path.write_text(textwrap.dedent("""\
        # all supported constructs
        " a note line, ignored as XPPAUT does
        dx/dt = -k*x + \\
                f(y, 2)      # trailing comment
        y'=g - y
        f(u,v)=u^v
        g = c*x
        number c=0.5
        !k = 2*a
        p a=1.5 b=2
        x(0)=0.25
        i y=1
        aux s=x+y
        aux drive = sin(2*t)
        @ total=10
        done
        z' = garbage after done is ignored
        """))
    m = bifkit.load_model(path, a=1.0)
    x, y = 0.3, 0.7
    assert np.allclose(m.rhs(np.array([x, y])), [-2.0 * x + y ** 2, 0.5 * x - y], rtol=1e-14)
    assert m.default_guess() == {"x": 0.25, "y": 1.0}
    assert m.observables(np.array([x, y]))["s"] == pytest.approx(1.0)
    assert m.observables(np.array([x, y]), t=0.25)["drive"] == pytest.approx(np.sin(0.5))
    assert m.param_names == ["a", "b"]


GOOD_TOML = 'name = "t1"\n[states]\nx = 0.1\n[parameters]\na = 1.0\n[rhs]\nx = "-a*x"\n'
BROKEN_TOML = [
    (GOOD_TOML.replace('"-a*x"', '"-a*q"'), 7, r"\[rhs\] x.*unknown symbol 'q'"),
    (GOOD_TOML.replace('"-a*x"', '"-a*"'), 7, r"\[rhs\] x.*cannot parse"),
    (GOOD_TOML.replace('a = 1.0', 'a = { min = 0 }'), 5, "parameter 'a' has no default"),
    (GOOD_TOML.replace('a = 1.0', 'a = { default = 1, mx = 2 }'), 5, "unknown field 'mx'"),
    (GOOD_TOML.replace('x = "-a*x"', 'y = "-a*x"'), 7, r"not a state: 'y'"),
    (GOOD_TOML.replace('[rhs]', '[rhs]\nx = "1"'), 8, "not valid TOML"),
    ("colour = 1\n" + GOOD_TOML, 1, "unknown entry 'colour'"),
]


@pytest.mark.parametrize("text, line, message", BROKEN_TOML)
def test_broken_toml_file_names_line(tmp_path, text, line, message):
    path = tmp_path / "broken.toml"
    path.write_text(text)
    with pytest.raises(ValueError, match="broken\\.toml" + (f".*line {line}" if line else "")
                       + ".*" + message):
        bifkit.load_model(path)


def test_missing_file_and_unknown_suffix(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        bifkit.load_model(tmp_path / "nope.ode")
    (tmp_path / "m.txt").write_text("x")
    with pytest.raises(ValueError, match="unknown suffix '.txt'"):
        bifkit.load_model(tmp_path / "m.txt")


def test_file_read_once_per_version(tmp_path):
    path = tmp_path / "m.ode"
    path.write_text(GOOD_ODE)
    a, b = bifkit.load_model(path), bifkit.load_model(str(path), a=2.0)
    assert a.definition is b.definition and b.params["a"] == 2.0
    path.write_text(GOOD_ODE.replace("-a*x", "-a*x*x"))    # changed file: read again
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10 ** 9))
    c = bifkit.load_model(path)
    assert c.definition is not a.definition
    assert c.rhs(np.array([2.0, 0.0]))[0] == pytest.approx(-4.0)
