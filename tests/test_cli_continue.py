"""``bifkit continue`` end to end: a branch file, its CSV and PNG, and clear errors."""
import bifkit
from bifkit.cli import main


def test_continue_writes_branch_csv_and_png(tmp_path, capsys):
    out = tmp_path / "ep.npz"
    main(["continue", "ei_neural_mass", "--curve", "EP-C", "--free", "I_e",
          "--set", "K=1000", "D_ii=0.3", "D_ee=2.0", "--bounds", "I_e=1e-5:200",
          "--log", "I_e", "--out", str(out), "--plot", "I_e:R_e"])
    printed = capsys.readouterr().out
    assert "supercritical" in printed and "subcritical" in printed
    branch = bifkit.Branch.load(out)
    hopf = branch.special_points("H")
    assert len(hopf) == 2
    assert abs(hopf[0].params["I_e"] - 0.00145976102206) < 1e-9
    assert out.with_suffix(".csv").stat().st_size > 0
    assert out.with_suffix(".png").stat().st_size > 0


def _run(argv, capsys):
    """(exit code, stderr + SystemExit message) of ``bifkit argv`` (exit 2: bad input)."""
    try:
        code = main(argv)
        message = ""
    except SystemExit as e:
        code, message = (2, str(e.code)) if isinstance(e.code, str) else (e.code, "")
    return code, capsys.readouterr().err + message


def test_continue_errors_name_the_problem(tmp_path, capsys):
    out = str(tmp_path / "x.npz")
    code, err = _run(["continue", "ei_neural_mass", "--free", "Ie", "--out", out], capsys)
    assert code == 2 and "unknown parameter 'Ie'" in err
    code, err = _run(["continue", "ei_neural_mass", "--free", "I_e", "--bounds", "I_e=1",
                      "--out", out], capsys)
    assert code == 2 and "NAME=LOW:HIGH" in err
    code, err = _run(["continue", "ei_neural_mass", "--free", "I_e", "--max-points", "0",
                      "--out", out], capsys)
    assert code == 2 and "max_points must be an integer >= 1" in err
