"""One ``bifkit`` command (bifkit/cli/): one parser, subcommands declared one way.

Checked here: every subcommand module plugs into the one parser through
``add_subcommands``; the shared options (``MODEL``, ``--set``, ``--out``) are the same
everywhere; output paths are checked before the run; a missing optional package
(``--plot`` without matplotlib) is exit code 2 naming the extra, before anything runs.
"""
import argparse
import importlib
import sys

import pytest

from bifkit import cli
from bifkit.cli import options

MODEL_COMMANDS = ("steady", "continue", "integrate", "lyapunov", "response")


def _subparsers():
    parser = cli.build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return action.choices


def test_every_subcommand_module_plugs_into_the_one_parser():
    choices = _subparsers()
    for module in cli.SUBCOMMAND_MODULES:
        mod = importlib.import_module(module)
        assert callable(mod.add_subcommands), module
    for name in ("models", "steady", "report", "continue", "integrate", "lyapunov",
                 "response", "simulate", "sweep", "diagram"):
        assert name in choices, f"bifkit {name} is missing from the parser"
    # the old stand-alone entry of the dynamics tools is the one command, not a copy
    from bifkit.dynamics import cli as dynamics_cli
    assert dynamics_cli.main(["integrate", "nomodel", "--T", "1"]) == 2


def test_the_other_stand_alone_entries_are_the_one_command(tmp_path, capsys):
    """network/cli.py and diagrams/cli.py build no parser of their own: their ``main`` is
    ``bifkit.cli.main``, so they share its exit codes and its --out checks."""
    from pathlib import Path

    from bifkit.diagrams import cli as diagrams_cli
    from bifkit.network import cli as network_cli
    for mod in (network_cli, diagrams_cli):
        assert "ArgumentParser(" not in Path(mod.__file__).read_text(), mod.__name__
    assert network_cli.main(["simulate", "no_such_network", "--T", "1"]) == 2
    assert capsys.readouterr().err.startswith("bifkit: ")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert network_cli.main(["simulate", "inhibitory_qif", "--out",
                             str(blocker / "r.json")]) == 2   # checked before simulating
    assert "--out" in capsys.readouterr().err
    assert diagrams_cli.main(["diagram", "no_such_recipe", "--out", str(tmp_path / "d")]) == 2
    assert capsys.readouterr().err.startswith("bifkit: ")


def test_shared_options_are_declared_the_same_way():
    choices = _subparsers()
    for name in MODEL_COMMANDS:
        actions = {a.dest: a for a in choices[name]._actions}
        assert "model" in actions and not actions["model"].option_strings, name
        s = actions["set"]
        assert (s.nargs, s.metavar, s.default) == ("*", "NAME=VALUE", []), name
    for name in ("report", "continue", "integrate", "lyapunov", "response", "simulate"):
        assert choices[name].get_default("check_paths") == ("out",), name
    for name in ("sweep", "diagram"):
        assert choices[name].get_default("check_dirs") == ("out",), name


def test_output_path_is_checked_before_the_run(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code = cli.main(["report", "--out", str(blocker / "r.json")])  # below a regular file
    err = capsys.readouterr().err
    assert code == 2 and "--out" in err and err.startswith("bifkit: ")


def test_plot_without_matplotlib_names_the_extra_before_computing(tmp_path, capsys,
                                                                   monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib now fails
    out = tmp_path / "ep.npz"
    code = cli.main(["continue", "ei_neural_mass", "--free", "I_e", "--bounds", "I_e=1:2",
                     "--out", str(out), "--plot", "I_e:R_e"])
    captured = capsys.readouterr()
    assert code == 2 and "bifkit[plot]" in captured.err
    assert not out.exists() and "points in" not in captured.out  # nothing was computed


def test_bad_plot_spec_and_assignments_are_input_errors(tmp_path, capsys):
    code = cli.main(["continue", "ei_neural_mass", "--free", "I_e", "--out",
                     str(tmp_path / "x.npz"), "--plot", "I_e"])
    assert code == 2 and "--plot expects X:Y" in capsys.readouterr().err
    with pytest.raises(Exception, match="M = 8.5"):
        options.parse_assignments(["M=8.5"])
    assert options.parse_assignments(["K=1000", "M=8"]) == {"K": 1000.0, "M": 8}
