"""Issue 20: bad input never hangs, never lies, never reaches numba untyped.

One table of cases over the API and the command line.  Each case names the call, the
error class it must raise (for the CLI: the exit code, 2 = bad input, see bifkit/cli.py)
and a regular expression the message must match: the culprit's name.  Every case runs
under an alarm (``CASE_TIMEOUT`` seconds), so a case that hangs fails instead of blocking
the suite.  CLI cases call ``bifkit.cli.main`` in-process (a subprocess costs ~1.5 s of
imports per case); argparse usage errors exit with 2 as well.

Cases owned by other areas that do not pass yet are listed in the report of issue 20,
not here.
"""
from __future__ import annotations

import math
import os
import signal
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pytest

import bifkit
from bifkit import _io, _validate
from bifkit.backends import auto07p
from bifkit.cli import main
from bifkit.dynamics.testproblems import lorenz, riccati, stuart_landau
from bifkit.errors import InputError

CASE_TIMEOUT = 120  # s; generous for a first numba compile on a cold cache, a hang fails


@dataclass
class Case:
    id: str
    call: Callable
    error: type | int     # exception class (API) or exit code (CLI)
    match: str            # regex the message must match (names the culprit)


def mpr():
    return bifkit.load_model("mpr")


def api(id, call, match, error=InputError):
    return Case(id, call, error, match)


def cli(id, argv, match, code=2):
    return Case(id, ("cli", argv), code, match)


# ----------------------------------------------------------------------------- API cases
def _integrate(**kw):
    span = kw.pop("t_span", (0.0, 1.0))
    model = kw.pop("model", None) or mpr()
    return lambda: bifkit.integrate(model, span, **kw)


def _lyap(**kw):
    model = kw.pop("model", None) or lorenz()
    kw.setdefault("dt", 0.01)
    T = kw.pop("T", 1.0)
    return lambda: bifkit.lyapunov_spectrum(model, T, x0=kw.pop("x0", [1.0, 1.0, 1.0]), **kw)


def _feq(**kw):
    return lambda: bifkit.find_equilibrium(mpr(), **kw)


def _response(**kw):
    from bifkit.dynamics import rate_response
    kw.setdefault("omega", [1.0])
    kw.setdefault("eta0", 0.01)
    return rate_response(bifkit.load_model("shotnoise_2cc"), kw.pop("omega"), kw.pop("eta0"),
                         **kw)


def _classify(**kw):
    kw = {"T": 1.0, "transient": 1.0, "dt": 0.01, **kw}
    return bifkit.classify(mpr(), **kw)


def _with_env(name, value, call):
    def run():
        old = os.environ.get(name)
        os.environ[name] = value
        try:
            return call()
        finally:
            if old is None:
                del os.environ[name]
            else:
                os.environ[name] = old
    return run


def _auto(curve="EP-C", free=("eta",), **kw):
    m = mpr()
    return lambda: auto07p.continuation(m, curve, bifkit.find_equilibrium(m), list(free), **kw)


def _labelled(label):
    """A start point of the MPR model at its default equilibrium (eta = -5, far from the
    folds), carrying ``label`` like a SpecialPoint."""
    from types import SimpleNamespace
    m = mpr()
    x = bifkit.find_equilibrium(m)
    return SimpleNamespace(label=label, state=x, params=m.params, data={})


API_CASES = [
    # integrate: time span, method, steps, tolerances, recording
    api("integrate t_span inf", _integrate(t_span=(0, math.inf)), r"t_span\[1\] = inf"),
    api("integrate t_span nan", _integrate(t_span=(0, math.nan)), r"t_span\[1\]"),
    api("integrate t_span reversed", _integrate(t_span=(1, 0)), r"t_span .* t1 > t0"),
    api("integrate t_span scalar", _integrate(t_span=5), r"t_span = 5 must be a pair"),
    api("integrate t_span string", _integrate(t_span=("a", 1)), r"t_span\[0\] = 'a'"),
    api("integrate t_span triple", _integrate(t_span=(0, 1, 2)), r"t_span"),
    api("integrate method unknown", _integrate(method="euler"), r"method = 'euler'"),
    api("integrate rk4 without dt", _integrate(method="rk4"), r"needs a positive step dt"),
    api("integrate rk4 dt negative", _integrate(method="rk4", dt=-1.0), r"dt = -1"),
    api("integrate rk4 dt inf", _integrate(method="rk4", dt=math.inf), r"dt = inf"),
    api("integrate dt string", _integrate(method="rk4", dt="0.1"), r"dt = '0.1'"),
    api("integrate dopri dt zero", _integrate(dt=0.0), r"dt = 0"),
    api("integrate sample tiny (runaway)", _integrate(t_span=(0, 1000), sample=1e-9),
        r"1e\+12 samples.*memory cap"),
    api("integrate rk4 dt tiny (runaway)", _integrate(method="rk4", dt=1e-9),
        r"memory cap|max_steps"),
    api("integrate rk4 steps beyond max_steps",
        _integrate(method="rk4", dt=1e-6, sample=0.5, t_span=(0, 1e3)), r"max_steps"),
    api("integrate sample zero", _integrate(sample=0.0), r"sample = 0"),
    api("integrate sample negative", _integrate(sample=-1.0), r"sample = -1"),
    api("integrate sample nan", _integrate(sample=math.nan), r"sample"),
    api("integrate rtol negative", _integrate(rtol=-1.0), r"rtol = -1"),
    api("integrate rtol nan", _integrate(rtol=math.nan), r"rtol"),
    api("integrate atol zero", _integrate(atol=0.0), r"atol = 0"),
    api("integrate max_steps float", _integrate(max_steps=2.5), r"max_steps = 2.5"),
    api("integrate blowup negative", _integrate(blowup=-1.0), r"blowup = -1"),
    api("integrate max_memory negative", _integrate(max_memory=-5), r"max_memory = -5"),
    api("integrate max_memory small", _integrate(max_memory=100), r"memory cap of 100 B"),
    api("integrate BIFKIT_MAX_MEMORY garbage",
        _with_env("BIFKIT_MAX_MEMORY", "lots", _integrate()), r"BIFKIT_MAX_MEMORY"),
    api("integrate x0 wrong size", _integrate(x0=[1.0, 2.0, 3.0]), r"x0: .* 3 entries"),
    api("integrate x0 nan", _integrate(x0=[math.nan, 1.0]), r"x0 .* not finite"),
    api("integrate x0 unknown state", _integrate(x0={"R": 1.0, "Q": 2.0}),
        r"x0: unknown state 'Q'"),
    api("integrate t_eval decreasing", _integrate(t_eval=[0.5, 0.2]), r"t_eval"),
    api("integrate t_eval outside span", _integrate(t_eval=[0.5, 2.0]), r"t_eval"),
    api("integrate forcing unknown parameter", _integrate(forcing={"nope": 1.0}),
        r"unknown parameter 'nope'", ValueError),
    api("integrate riccati default runs (blow-up is a status, not a hang)",
        lambda: _raise_unless_failed(bifkit.integrate(riccati(), (0, 10), [1.0])),
        r"stopped early: blow-up|status -1"),
    # lyapunov_spectrum
    api("lyapunov T inf", _lyap(T=math.inf), r"T = inf must be finite"),
    api("lyapunov T nan", _lyap(T=math.nan), r"T = nan"),
    api("lyapunov transient inf (was a hang)", _lyap(transient=math.inf),
        r"transient = inf must be finite"),
    api("lyapunov transient negative", _lyap(transient=-1.0), r"transient = -1"),
    api("lyapunov dt zero", _lyap(dt=0.0), r"dt = 0"),
    api("lyapunov dt nan", _lyap(dt=math.nan), r"dt = nan"),
    api("lyapunov T shorter than dt", _lyap(T=0.001), r"T = 0.001 must be longer than dt"),
    api("lyapunov k zero", _lyap(k=0), r"k = 0"),
    api("lyapunov k beyond n", _lyap(k=5), r"k = 5 must be between 1 and n = 3"),
    api("lyapunov k float", _lyap(k=1.5), r"k = 1.5 must be an integer"),
    api("lyapunov seed float (was truncated)", _lyap(seed=1.5), r"seed = 1.5 must be an integer"),
    api("lyapunov seed negative", _lyap(seed=-1), r"seed = -1"),
    api("lyapunov seed string", _lyap(seed="a"), r"seed = 'a'"),
    api("lyapunov renorm_steps zero", _lyap(renorm_steps=0), r"renorm_steps = 0"),
    api("lyapunov n_blocks zero", _lyap(n_blocks=0), r"n_blocks = 0"),
    api("lyapunov n_history float", _lyap(n_history=2.5), r"n_history = 2.5"),
    api("lyapunov too many steps (runaway)", _lyap(T=1e12, dt=1e-3), r"max_steps"),
    api("lyapunov x0 wrong size", _lyap(x0=[1.0, 2.0]), r"x0: .* 2 entries"),
    api("lyapunov blowup zero", _lyap(blowup=0.0), r"blowup = 0"),
    api("lyapunov stuart-landau x0 complex mismatch",
        lambda: bifkit.lyapunov_spectrum(stuart_landau(), 1.0, dt=0.01, x0=[1, 2, 3]),
        r"x0: .* 3 entries"),
    # the network validator (its own checks; here: that they hold)
    api("simulate g0 inf (was rc 0 with NaN)",
        lambda: bifkit.simulate("inhibitory_qif", N=100, K=10, g0=math.inf), r"g0", ValueError),
    api("simulate transient inf (was a hang)",
        lambda: bifkit.simulate("inhibitory_qif", N=100, K=10, transient=math.inf),
        r"transient", ValueError),
    # response and regimes
    api("rate_response periods float (was truncated)",
        lambda: _response(periods=2.5), r"periods = 2.5 must be an integer"),
    api("rate_response samples_per_period small",
        lambda: _response(samples_per_period=4), r"samples_per_period = 4"),
    api("rate_response eta0 inf", lambda: _response(eta0=math.inf), r"eta0 = inf", ValueError),
    api("rate_response omega negative", lambda: _response(omega=[-1.0]), r"omega", ValueError),
    api("classify T inf", lambda: _classify(T=math.inf), r"T = inf must be finite"),
    api("classify transient zero", lambda: _classify(transient=0.0), r"transient = 0"),
    api("orbit_diagram transient inf",
        lambda: bifkit.orbit_diagram(mpr(), "eta", [-5.0], "R", T=1.0, transient=math.inf,
                                     dt=0.01), r"t_span\[1\] = inf"),
    api("orbit_diagram unknown parameter",
        lambda: bifkit.orbit_diagram(mpr(), "etaa", [-5.0], "R", T=1.0, transient=1.0,
                                     dt=0.01), r"unknown parameter 'etaa'", ValueError),
    # find_equilibrium
    api("find_equilibrium tol negative (was a misleading message)", _feq(tol=-1.0),
        r"tol = -1"),
    api("find_equilibrium tol above 1", _feq(tol=2.0), r"tol = 2"),
    api("find_equilibrium maxiter zero", _feq(maxiter=0), r"maxiter = 0"),
    api("find_equilibrium maxiter float", _feq(maxiter=2.5), r"maxiter = 2.5"),
    api("find_equilibrium guess nan", _feq(guess={"R": math.nan, "V": 0.0}),
        r"guess .* not finite"),
    api("find_equilibrium unknown parameter", _feq(etaa=1.0), r"unknown parameter 'etaa'",
        ValueError),
    api("find_equilibrium parameter inf", _feq(eta=math.inf), r"eta .* finite", ValueError),
    # load_model: names and values
    api("load_model unknown model", lambda: bifkit.load_model("nomodel"), r"unknown model",
        ValueError),
    api("load_model K inf", lambda: bifkit.load_model("ei_neural_mass", K=math.inf),
        r"K = inf .* finite", ValueError),
    api("load_model K string", lambda: bifkit.load_model("ei_neural_mass", K="abc"),
        r"K = 'abc' .* real number", ValueError),
    api("load_model K bool", lambda: bifkit.load_model("ei_neural_mass", K=True),
        r"K = True", ValueError),
    api("load_model misspelt parameter", lambda: bifkit.load_model("ei_neural_mass", Kx=1.0),
        r"did you mean 'K'", ValueError),
    api("load_model Delta nan", lambda: bifkit.load_model("mpr", Delta=math.nan),
        r"Delta", ValueError),
    api("load_model chain M float", lambda: bifkit.load_model("shotnoise_chain", M=8.5),
        r"M = 8.5", ValueError),
    api("load_model chain M string", lambda: bifkit.load_model("shotnoise_chain", M="a"),
        r"M = 'a'", ValueError),
    # the validation layer itself
    api("parse_number word", lambda: _validate.parse_number("abc", "N"),
        r"^N = 'abc' is not a number$"),
    api("parse_number integer with fraction",
        lambda: _validate.parse_number("2000.5", "N", integer=True), r"N = 2000.5 must be an int"),
    api("parse_number inf", lambda: _validate.parse_number("inf", "g0"), r"g0 = 'inf' must be fin"),
    api("parse_number nan", lambda: _validate.parse_number("nan", "x"), r"x = 'nan' is not a n"),
    api("parse_assignments no equals", lambda: _validate.parse_assignments(["K"]),
        r"--set expects NAME=VALUE, got 'K'"),
    api("parse_assignments no name", lambda: _validate.parse_assignments(["=3"]),
        r"no parameter name"),
    api("parse_assignments twice", lambda: _validate.parse_assignments(["K=1", "K=2"]),
        r"'K' is given twice"),
    api("parse_assignments M fraction",
        lambda: _validate.parse_assignments(["M=8.5"], integers=("M",)), r"M = 8.5"),
    api("parse_value empty", lambda: _validate.parse_value(" ", "i0"), r"i0 has an empty value"),
    api("parse_value inf", lambda: _validate.parse_value("inf", "g0"), r"g0 = 'inf'"),
    api("parse_point_spec word", lambda: _validate.parse_point_spec("abc"), r"--point 'abc'"),
    api("parse_point_spec label without index", lambda: _validate.parse_point_spec("H:x"),
        r"--point 'H:x'.*'x' is not an integer"),
    api("parse_point_spec index without label", lambda: _validate.parse_point_spec(":3"),
        r"--point ':3'"),
    api("as_int bool", lambda: _validate.as_int(True, "N"), r"N = True must be an integer"),
    api("as_int inf", lambda: _validate.as_int(math.inf, "N"), r"N = inf must be an integer"),
    api("as_float None", lambda: _validate.as_float(None, "g0"), r"g0 = None"),
    api("as_seed float", lambda: _validate.as_seed(2.5), r"seed = 2.5"),
    api("check_memory above cap", lambda: _validate.check_memory(1e20, "a raster"),
        r"a raster would need .* memory cap"),
    # input and output files
    api("check_output_path empty", lambda: _io.check_output_path(""), r"--out: an output path"),
    api("check_output_path folder", lambda: _io.check_output_path(os.getcwd()),
        r"is a folder"),
    api("read_npz missing", lambda: _io.read_npz("/nonexistent/x.npz"), r"--from .* no such file"),
    api("read_npz folder", lambda: _io.read_npz(os.getcwd()), r"is a folder"),
    api("read_npz text file", lambda: _io.read_npz(__file__), r"is not an .npz file"),
    # the AUTO-07p backend: everything checked before AUTO is compiled or run
    api("auto unknown curve", _auto(curve="XX-C"), r"unknown curve type 'XX-C'", ValueError),
    api("auto NF-C", _auto(curve="NF-C"), r"NF-C .* no AUTO-07p counterpart", ValueError),
    api("auto wrong number of free parameters", _auto(curve="LP-C"), r"LP-C takes 2 free",
        ValueError),
    api("auto unknown free parameter", _auto(free=("etaa",)), r"unknown parameter 'etaa'",
        ValueError),
    api("auto unknown option", _auto(stepsize=0.1), r"unknown option\(s\) \['stepsize'\]",
        ValueError),
    api("auto max_points float (was truncated)", _auto(max_points=2.5), r"max_points = 2.5"),
    api("auto max_points one", _auto(max_points=1), r"max_points must be >= 2", ValueError),
    api("auto tol negative", _auto(tol=-1.0), r"tol must be in \(0, 1\)", ValueError),
    api("auto ds inf", _auto(ds=math.inf), r"ds = inf must be finite"),
    api("auto ds_max nan", _auto(ds_max=math.nan), r"ds_max = nan"),
    api("auto ntst fraction", _auto(ntst=10.5), r"ntst = 10.5"),
    api("auto ncol too large", _auto(ncol=9), r"ncol", ValueError),
    api("auto direction", _auto(direction="sideways"), r"direction", ValueError),
    api("auto bounds reversed", _auto(bounds={"eta": (1.0, -1.0)}), r"bounds of eta",
        ValueError),
    api("auto bounds word", _auto(bounds={"eta": (0.0, "x")}), r"bounds of eta \(high\)"),
    api("auto timeout negative", _auto(timeout=-1.0), r"timeout = -1"),
    api("auto bounds of a non-free parameter", _auto(bounds={"J": (0.0, 1.0)}),
        r"'J' is not a free parameter", ValueError),
    # issue 20: LP-C started from a Hopf point jumped to a far fold and returned one point
    api("LP-C from a point labelled H",
        lambda: bifkit.continuation(mpr(), "LP-C", _labelled("H"), ["eta", "J"]),
        r"LP-C cannot start from a 'H' point", ValueError),
    api("H-C from a point labelled LP",
        lambda: bifkit.continuation(mpr(), "H-C", _labelled("LP"), ["eta", "J"]),
        r"H-C cannot start from a 'LP' point", ValueError),
]


def _raise_unless_failed(tr):
    """A trajectory that stopped early must say so (status -1 and a message), not raise."""
    if tr.status == -1:
        raise InputError(f"status -1: {tr.message}")
    return tr


# ----------------------------------------------------------------------------- CLI cases
def _files(tmp):
    """Input files for the CLI cases: a truncated .npz, an .npz without x_final, a file."""
    good = tmp / "good.npz"
    np.savez(good, x_final=np.zeros(2), other=np.arange(1000.0))
    (tmp / "truncated.npz").write_bytes(good.read_bytes()[:200])
    np.savez(tmp / "nox.npz", y=np.zeros(3))
    (tmp / "plain").write_text("a file, not a folder")
    (tmp / "adir").mkdir()
    _branch_file(tmp / "ep.npz")
    return tmp


def _branch_file(path):
    """A saved 3-point branch with one LP special point (for --from/--point cases)."""
    from bifkit import Branch, SpecialPoint
    m = mpr()
    x = np.array([[0.1, -1.0], [0.2, -0.9], [0.3, -0.8]])
    p = np.tile(m.p, (3, 1))
    sp = SpecialPoint("LP", 1, {"R": 0.2, "V": -0.9}, m.params, {}, True)
    Branch(m, "EP-C", ["eta"], x, p, np.zeros((3, 2), complex), [sp], {}, "test").save(path)


I = ["integrate", "mpr", "--T", "1"]             # noqa: E741
L = ["lyapunov", "mpr", "--T", "1", "--dt", "0.01"]
C = ["continue", "mpr", "--curve", "EP-C", "--free", "eta", "--out"]

CLI_CASES = [
    cli("integrate --set value word", I + ["--set", "J=abc"], r"J = 'abc' is not a number"),
    cli("integrate --set value inf", I + ["--set", "J=inf"], r"J = 'inf' must be finite"),
    cli("integrate --set no equals", I + ["--set", "J"], r"--set expects NAME=VALUE"),
    cli("integrate --set twice", I + ["--set", "J=1", "J=2"], r"'J' is given twice"),
    cli("integrate --set unknown parameter", I + ["--set", "Jx=1"], r"unknown parameter 'Jx'"),
    cli("integrate --set out of range", ["integrate", "ei_neural_mass", "--T", "1", "--set",
                                         "K=-3"], r"K = -3"),
    cli("integrate chain M fraction", ["integrate", "shotnoise_chain", "--T", "1", "--set",
                                       "M=8.5"], r"M = 8.5 must be an integer"),
    cli("integrate unknown model", ["integrate", "nomodel", "--T", "1"], r"unknown model"),
    cli("integrate --T inf", ["integrate", "mpr", "--T", "inf"], r"t_span\[1\] = inf"),
    cli("integrate --T negative", ["integrate", "mpr", "--T", "-1"], r"t_span"),
    cli("integrate --T word (argparse)", ["integrate", "mpr", "--T", "abc"], r"--T"),
    cli("integrate --t0 nan", I + ["--t0", "nan"], r"t_span\[0\]"),
    cli("integrate rk4 --dt 0", I + ["--method", "rk4", "--dt", "0"], r"dt = 0"),
    cli("integrate --method unknown (argparse)", I + ["--method", "euler"], r"--method"),
    cli("integrate --sample 1e-9 (runaway)", ["integrate", "mpr", "--T", "1000", "--sample",
                                              "1e-9"], r"memory cap"),
    cli("integrate --rtol negative", I + ["--rtol", "-1"], r"rtol = -1"),
    cli("integrate --atol zero", I + ["--atol", "0"], r"atol = 0"),
    cli("integrate --start missing", I + ["--start", "{tmp}/missing.npz"],
        r"--start .*missing.npz"),
    cli("integrate --start truncated", I + ["--start", "{tmp}/truncated.npz"],
        r"--start .*truncated.npz.*(truncated|damaged)"),
    cli("integrate --start without x_final", I + ["--start", "{tmp}/nox.npz"],
        r"no 'x_final' array"),
    cli("integrate --start wrong size", ["integrate", "ei_neural_mass", "--T", "1", "--start",
                                         "{tmp}/good.npz"],
        r"x_final has 2 entries"),
    cli("integrate --out under a file", I + ["--out", "{tmp}/plain/x.json"], r"is a file"),
    cli("integrate --out is a folder", I + ["--out", "{tmp}/adir"], r"is a folder"),
    cli("lyapunov --T inf", ["lyapunov", "mpr", "--T", "inf", "--dt", "0.01"], r"T = inf"),
    cli("lyapunov --transient inf (was a hang)", L + ["--transient", "inf"],
        r"transient = inf must be finite"),
    cli("lyapunov --transient negative", L + ["--transient", "-5"], r"transient = -5"),
    cli("lyapunov --dt negative", ["lyapunov", "mpr", "--T", "1", "--dt", "-0.1"], r"dt = -0.1"),
    cli("lyapunov --dt missing (argparse)", ["lyapunov", "mpr", "--T", "1"], r"--dt"),
    cli("lyapunov --k 0", L + ["--k", "0"], r"k = 0"),
    cli("lyapunov --k 5", L + ["--k", "5"], r"k = 5"),
    cli("lyapunov --seed float (argparse, not truncated)", L + ["--seed", "1.5"], r"--seed"),
    cli("lyapunov --renorm-steps 0", L + ["--renorm-steps", "0"], r"renorm_steps = 0"),
    cli("lyapunov --out under a file", L + ["--out", "{tmp}/plain/l.json"], r"is a file"),
    cli("lyapunov --start truncated", L + ["--start", "{tmp}/truncated.npz"], r"--start"),
    cli("steady --set word", ["steady", "mpr", "--set", "eta=abc"], r"eta = 'abc'"),
    cli("steady unknown model", ["steady", "nomodel"], r"unknown model"),
    cli("report --out under a file", ["report", "--out", "{tmp}/plain/r.json"], r"is a file"),
    cli("response --omega word (argparse)", ["response", "shotnoise_2cc", "--omega", "abc"],
        r"--omega"),
    cli("continue --set word", C + ["{tmp}/c.npz", "--set", "eta=abc"], r"eta = 'abc'"),
    cli("continue --bounds malformed", C + ["{tmp}/c.npz", "--bounds", "eta=1:x"],
        r"--bounds"),
    cli("continue --max-points 2.5 (argparse)", C + ["{tmp}/c.npz", "--max-points", "2.5"],
        r"--max-points"),
    cli("continue --from missing", C + ["{tmp}/c.npz", "--from", "{tmp}/missing.npz"],
        r"missing.npz"),
    cli("continue --out under a file", C + ["{tmp}/plain/c.npz"], r"is a file"),
    cli("continue --from truncated", C + ["{tmp}/c.npz", "--from", "{tmp}/truncated.npz"],
        r"--from .*truncated.npz' is truncated or damaged"),
    cli("continue --from not an npz", C + ["{tmp}/c.npz", "--from", "{tmp}/plain"],
        r"--from .*plain' is not an .npz file"),
    cli("continue --from not a branch", C + ["{tmp}/c.npz", "--from", "{tmp}/nox.npz"],
        r"--from .*nox.npz' is not a branch saved by bifkit"),
    cli("continue --point word", C + ["{tmp}/c.npz", "--from", "{tmp}/ep.npz", "--point",
                                      "abc"], r"--point 'abc': expected LABEL:K"),
    cli("continue --point out of range", C + ["{tmp}/c.npz", "--from", "{tmp}/ep.npz",
                                              "--point", "9999"],
        r"--point 9999 \(branch points\): index 9999 is out of range; there are 3"),
    cli("continue --point label index out of range",
        C + ["{tmp}/c.npz", "--from", "{tmp}/ep.npz", "--point", "LP:7"],
        r"--point LP:7 \(LP points\): index 7 is out of range; there are 1"),
    cli("continue --point label word", C + ["{tmp}/c.npz", "--from", "{tmp}/ep.npz",
                                            "--point", "LP:x"], r"'x' is not an integer"),
    cli("continue --point unknown label", C + ["{tmp}/c.npz", "--from", "{tmp}/ep.npz",
                                               "--point", "H:0"], r"has no 'H' point"),
    cli("continue --out is a folder", C + ["{tmp}/adir"], r"is a folder"),
    cli("simulate --set N word", ["simulate", "inhibitory_qif", "--set", "N=abc"], r"N"),
    cli("simulate --set i0 word", ["simulate", "inhibitory_qif", "--set", "i0=abc"], r"i0"),
    cli("simulate --set N fraction", ["simulate", "inhibitory_qif", "--set", "N=100.5"],
        r"N.*integer"),
    cli("simulate --set seed float", ["simulate", "inhibitory_qif", "--set", "seed=1.5"],
        r"seed.*integer"),
    cli("simulate --seed float (argparse)", ["simulate", "inhibitory_qif", "--seed", "1.5"],
        r"--seed"),
    cli("simulate --set g0 inf (was rc 0 with NaN)", ["simulate", "inhibitory_qif", "--set",
                                                       "g0=inf"], r"g0 = 'inf' must be finite"),
    cli("simulate --set dt_sample tiny (was a runaway)",
        ["simulate", "inhibitory_qif", "--set", "N=100", "K=10", "dt_sample=1e-9"],
        r"dt_sample"),
    cli("simulate --set value empty", ["simulate", "inhibitory_qif", "--set", "i0="],
        r"i0 has an empty value"),
    cli("simulate --T inf (argparse)", ["simulate", "inhibitory_qif", "--T", "inf"],
        r"--T: 'inf' must be finite"),
    cli("simulate --transient inf (was a hang)", ["simulate", "inhibitory_qif", "--transient",
                                                  "inf"], r"--transient: 'inf' must be finite"),
    cli("simulate --transient negative", ["simulate", "inhibitory_qif", "--transient", "-1"],
        r"--transient: -1.0 must be >= 0"),
    cli("simulate --out under a file", ["simulate", "inhibitory_qif", "--set", "N=100",
                                        "--out", "{tmp}/plain/s.json"], r"is a file"),
    cli("diagram unknown recipe", ["diagram", "nofigure"], r"unknown diagram 'nofigure'"),
    cli("diagram --out is a file", ["diagram", "bi2021-fig1a", "--quick", "--out",
                                    "{tmp}/plain"], r"is a file, not a folder"),
    cli("sweep --out under a file", ["sweep", "ei_qif", "--grid", "D_ii=1", "--out",
                                     "{tmp}/plain/sweep"], r"is a file, not a folder"),
    cli("no subcommand (argparse)", [], r"command|usage"),
]

CASES = API_CASES + CLI_CASES


def test_the_table_has_at_least_100_cases_with_unique_ids():
    ids = [c.id for c in CASES]
    assert len(ids) >= 100 and len(set(ids)) == len(ids)


@pytest.fixture
def alarm():
    """Fail (TimeoutError) instead of hanging when a case runs beyond CASE_TIMEOUT.

    SIGALRM interrupts Python code; a loop inside compiled numba code never returns to the
    interpreter, so a watchdog thread (faulthandler) also ends the whole run, with the
    stack of the hanging case, 30 s later.
    """
    import faulthandler

    def on_alarm(signum, frame):
        raise TimeoutError(f"case still running after {CASE_TIMEOUT} s: a hang")
    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(CASE_TIMEOUT)
    faulthandler.dump_traceback_later(CASE_TIMEOUT + 30, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


@pytest.mark.parametrize("case", API_CASES, ids=[c.id for c in API_CASES])
def test_api_case(case, alarm):
    with pytest.raises(case.error) as info:
        case.call()
    assert info.type is not TimeoutError
    msg = str(info.value)
    assert "Traceback" not in msg and "invalid literal" not in msg and "numba" not in msg.lower()
    assert _search(case.match, msg), f"{case.id}: message {msg!r} does not match {case.match!r}"


@pytest.mark.parametrize("case", CLI_CASES, ids=[c.id for c in CLI_CASES])
def test_cli_case(case, alarm, tmp_path, capsys):
    tmp = _files(tmp_path)
    argv = [a.replace("{tmp}", str(tmp)) for a in case.call[1]]
    try:
        code = main(argv)
    except SystemExit as e:   # argparse usage errors
        code = e.code
    err = capsys.readouterr().err
    assert code == case.error, f"{case.id}: exit code {code}, stderr {err!r}"
    assert "Traceback" not in err and "invalid literal" not in err
    assert len(err.strip().splitlines()) <= 3 or "usage:" in err   # one line (argparse: usage)
    assert _search(case.match, err), f"{case.id}: stderr {err!r} does not match {case.match!r}"
    # nothing written for bad input
    assert not any(p.name.startswith(("c.", "x.", "l.", "s.", "r.")) for p in tmp.rglob("*"))


def _search(pattern, text):
    import re
    return re.search(pattern, text) is not None
