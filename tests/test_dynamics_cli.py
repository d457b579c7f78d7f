"""``bifkit integrate / lyapunov / response`` (bifkit/dynamics/cli.py) through argparse."""
import json

import numpy as np

from bifkit.dynamics.cli import main


def test_integrate_writes_npz_and_continues_from_it(tmp_path, capsys):
    out = tmp_path / "run.npz"
    assert main(["integrate", "shotnoise_2cc", "--set", "K=100", "eta0=0.1", "omega=4",
                 "--T", "20", "--sample", "0.5", "--out", str(out)]) == 0
    summary = json.loads(capsys.readouterr().out)
    with np.load(out) as d:
        assert d["t"].shape == (41,) and d["y"].shape == (4, 41)
        assert np.isclose(d["obs_nu"][-1], summary["observables_final"]["nu"])
        x_final = d["x_final"]
    csv = tmp_path / "more.csv"
    assert main(["integrate", "shotnoise_2cc", "--T", "1", "--method", "rk4", "--dt", "0.01",
                 "--start", str(out), "--out", str(csv)]) == 0
    rows = np.loadtxt(csv, delimiter=",", skiprows=1)
    assert csv.read_text().startswith("t,k1.re,k1.im,k2.re,k2.im,nu,v")
    assert np.allclose(rows[0, 1:5], x_final)  # continued from the previous end state


def test_lyapunov_of_a_stable_equilibrium_is_negative(tmp_path, capsys):
    out = tmp_path / "ly.json"
    # MPR at its default parameters sits on a stable node: the exponents are the eigenvalues
    import bifkit
    m = bifkit.load_model("mpr")
    ev = np.sort(m.eigenvalues(bifkit.find_equilibrium(m)).real)[::-1]
    assert main(["lyapunov", "mpr", "--T", "200", "--transient", "20", "--dt", "0.01",
                 "--start", "equilibrium", "--out", str(out)]) == 0
    res = json.loads(out.read_text())
    lam = np.array(res["exponents"])
    assert lam.size == 2 and np.allclose(lam, ev, rtol=0.01)  # measured: within 0.07 %
    assert json.loads(capsys.readouterr().out)["exponents"] == res["exponents"]


def test_response_linear_table(tmp_path, capsys):
    out = tmp_path / "r.csv"
    assert main(["response", "shotnoise_2cc", "--omega", "1", "4", "--linear", "--eta0", "0.01",
                 "--out", str(out)]) == 0
    tab = np.loadtxt(out, delimiter=",", skiprows=1)
    assert tab.shape == (2, 8) and np.all(tab[:, 1] > 0)


def test_bad_input_exits_with_status_2_and_a_message(capsys):
    assert main(["lyapunov", "ei_neural_mass", "--set", "K=abc", "--T", "1", "--dt", "0.1"]) == 2
    assert "K" in capsys.readouterr().err
    assert main(["integrate", "nomodel", "--T", "1"]) == 2
    assert "unknown model" in capsys.readouterr().err
    assert main(["integrate", "mpr", "--T", "1", "--start", "/no/such/file.npz"]) == 2
    assert main(["lyapunov", "mpr", "--T", "1", "--dt", "0.1", "--k", "5"]) == 2
    assert "k = 5" in capsys.readouterr().err
