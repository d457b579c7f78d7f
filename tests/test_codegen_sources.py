"""Generated kernel modules import what they use, by name, and allocate with cached helpers.

``from numpy import *`` in a generated module imported numpy's lazily loaded
submodules (numpy.f2py, numpy.ma); the outputs came from ``numpy.zeros``, which
numba compiled anew per shape in every process that compiled a new model
(issue 16, item 4).  Since the allocators got one explicit signature each (loaded from
numba's cache when ``bifkit._kernel_support`` is imported, so numba's array typing, and
with it numpy.ma, is loaded then), the by-name import is checked on the source only.
"""
import time

import pytest
import sympy as sp

from bifkit import codegen


def _src(exprs):
    x, y, a = sp.symbols("x y a", real=True)
    t = sp.Symbol("t", real=True)
    rows = [(i, e(x, y, a), None) for i, e in enumerate(exprs)]
    return codegen._source([codegen.Kernel("f", (len(rows),), rows)], [x, y], [a], t)


def test_numpy_names_are_imported_by_name(tmp_path):
    src = _src([lambda x, y, a: sp.sqrt(a) * sp.exp(x) + sp.pi * y,
                lambda x, y, a: sp.Max(x, y) + sp.Abs(y)])
    assert "import *" not in src
    imports = [ln for ln in src.splitlines() if ln.startswith("from numpy import")]
    assert len(imports) == 1
    names = imports[0].split("import", 1)[1].split("#")[0].replace(",", " ").split()
    assert set(names) >= {"sqrt", "exp", "pi"}
    assert "= numpy.zeros(" not in src and "out = zeros1(2)" in src
    path = tmp_path / "gen_names.py"
    path.write_text(src)
    module = codegen._import_file(f"gen_names_{time.time_ns()}", path)
    out = module.f.py_func(0.0, [0.0, 2.0], [4.0])   # every name it reads is bound
    assert out[0] == pytest.approx(2.0 + 2 * 3.141592653589793, rel=1e-15)  # sqrt(4)e^0 + 2 pi
    assert out[1] == 4.0                                                   # max(0, 2) + |2|


def test_a_name_numpy_does_not_have_is_an_error():
    with pytest.raises(ValueError, match="neither numpy's nor builtins: \\['not_a_numpy_name'\\]"):
        codegen._numpy_names("def f(t, x, p):\n    return not_a_numpy_name(x)\n")
