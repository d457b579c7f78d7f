"""progress=True: a tqdm bar on a terminal, nothing otherwise; messages via the bifkit logger."""
import io
import logging
import sys

import pytest

import bifkit
from bifkit.continuation.progress import Progress


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_bar_only_on_a_terminal(monkeypatch):
    pytest.importorskip("tqdm")
    monkeypatch.setattr(sys, "stderr", io.StringIO())   # not a terminal: off
    assert Progress(True, 10, "x").bar is None
    term = _Terminal()
    monkeypatch.setattr(sys, "stderr", term)
    assert Progress(False, 10, "x").bar is None          # not asked: off
    bar = Progress(True, 10, "EP-C")
    bar.update(3)
    assert bar.bar.n == 3
    bar.close()
    assert "EP-C" in term.getvalue()


def test_progress_run_counts_points(make_model, monkeypatch):
    pytest.importorskip("tqdm")
    term = _Terminal()
    monkeypatch.setattr(sys, "stderr", term)
    m = make_model("pg_fold", ["x"], {"mu": 1.0}, lambda x, mu: [mu - x ** 2])
    br = bifkit.continuation(m, "EP-C", {"x": 1.0}, "mu", bounds={"mu": (-1, 2)}, progress=True)
    assert len(br) > 10 and "EP-C mu" in term.getvalue()


def test_no_bar_and_a_log_line_when_not_a_terminal(make_model, caplog):
    m = make_model("pg_fold", ["x"], {"mu": 1.0}, lambda x, mu: [mu - x ** 2])
    with caplog.at_level(logging.DEBUG, logger="bifkit"):
        bifkit.continuation(m, "EP-C", {"x": 1.0}, "mu", max_points=3, progress=True)
    assert any("stderr is not a terminal" in r.message for r in caplog.records)
