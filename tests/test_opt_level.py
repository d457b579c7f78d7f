"""bifkit's functions compile at BIFKIT_NUMBA_OPT (default 2), users' functions at numba's level."""
import pytest
from numba import njit
from numba.core import config, event

from bifkit import _opt_level


def _function(name, module, body):
    namespace = {}
    exec(body, namespace)   # noqa: S102 (test code)
    fn = namespace[name]
    fn.__module__ = module
    return fn


def test_levels_of_bifkit_and_user_functions():
    _opt_level.install()
    user_level = int(config.OPT)
    seen_start = []

    class Record(event.Listener):
        def on_start(self, ev):
            seen_start.append((ev.data["dispatcher"].py_func.__name__, int(config.OPT)))

        def on_end(self, ev):
            pass

    user_inner = njit(_function("user_inner", "my_project.model",
                                "def user_inner(x):\n    return x * 2.0\n"))
    ns = {"user_inner": user_inner}
    src = "def bif_outer(x):\n    return user_inner(x) + 1.0\n"
    exec(src, ns)   # noqa: S102
    bif_outer = ns["bif_outer"]
    bif_outer.__module__ = "bifkit_generated_test"
    bif_outer = njit(bif_outer)
    user_alone = njit(_function("user_alone", "my_project.other",
                                "def user_alone(x):\n    return x - 1.0\n"))

    rec = Record()
    event.register("numba:compile", rec)
    try:
        assert bif_outer(1.0) == 3.0
        assert user_alone(1.0) == 0.0
    finally:
        event.unregister("numba:compile", rec)
    levels = dict(seen_start)
    assert levels["bif_outer"] == _opt_level.level()
    assert levels["user_inner"] == user_level       # a user function inside a bifkit compile
    assert levels["user_alone"] == user_level
    assert int(config.OPT) == user_level             # put back after the compiles


def test_default_and_environment(monkeypatch):
    monkeypatch.delenv(_opt_level.ENV, raising=False)
    assert _opt_level.level() == 2
    monkeypatch.setenv(_opt_level.ENV, "3")
    assert _opt_level.level() == 3
    for bad in ("4", "fast", "-1"):
        monkeypatch.setenv(_opt_level.ENV, bad)
        with pytest.raises(ValueError, match="BIFKIT_NUMBA_OPT"):
            _opt_level.level()


def test_bifkit_functions_recognised():
    from bifkit.continuation.ep import core
    assert _opt_level.is_bifkit_function(core._ep_run.py_func)
    assert _opt_level.is_bifkit_function(
        _function("f", "bifkit_ei_neural_mass_abc", "def f():\n    pass\n"))
    assert not _opt_level.is_bifkit_function(_function("f", "bifkitten", "def f():\n    pass\n"))
    assert not _opt_level.is_bifkit_function(_function("f", "mymodels", "def f():\n    pass\n"))


def test_level_put_back_when_a_compile_fails():
    from numba.core.errors import TypingError
    _opt_level.install()
    user_level = int(config.OPT)
    bad = njit(_function("bad", "bifkit_generated_bad", "def bad(x):\n    return x.nope\n"))
    with pytest.raises(TypingError):
        bad(1.0)
    assert int(config.OPT) == user_level
