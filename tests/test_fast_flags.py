"""bifkit._fast_flags: numba's TargetConfig.values() replaced by an identical, cheaper one."""
import numpy as np
from numba.core import targetconfig
from numba.core.compiler import Flags

from bifkit import _fast_flags


def _original():
    return getattr(targetconfig.TargetConfig, "_bifkit_original_values",
                   targetconfig.TargetConfig.values)


def test_installed_on_import():
    import bifkit  # noqa: F401
    assert _fast_flags.install()
    assert targetconfig.TargetConfig.values is _fast_flags.fast_values


def test_same_dict_as_numba_on_random_option_sets():
    original = _original()
    rng = np.random.default_rng(5)
    for cls in (Flags,):
        booleans = [n for n, o in cls.options.items() if o.type is bool]
        for _ in range(200):
            obj = cls()
            for name in rng.choice(booleans, size=int(rng.integers(0, len(booleans))),
                                   replace=False):
                setattr(obj, str(name), bool(rng.integers(0, 2)))
            a, b = original(obj), _fast_flags.fast_values(obj)
            assert a == b and list(a) == list(b)
            copy = cls(obj)                             # hashing and equality as before
            assert copy == obj and hash(copy) == hash(obj)


def test_flags_still_distinguish_values():
    a, b = Flags(), Flags()
    b.nrt = not a.nrt
    assert a != b
    b.nrt = a.nrt
    assert a == b
