"""AUTO-07p as a continuation engine for bifkit models.

``bifkit.backends.auto07p.continuation(model, curve, start, free, **options)``
takes the same arguments and returns the same :class:`bifkit.Branch` as
:func:`bifkit.continuation`, so a user switches engine by changing one name::

    from bifkit.backends import auto07p
    if auto07p.available():
        br = auto07p.continuation(m, "EP-C", m.steady_state()[0], ["I_e"],
                                  bounds={"I_e": (1e-5, 200)})

How: the model's sympy right-hand side becomes an AUTO user file in Fortran
with the analytic Jacobian and parameter derivatives (``fortran``), compiled
against the installed AUTO-07p objects and cached by content hash (``build``),
run in a private temporary directory (``runner``), and its fort.7/8/9 files
are read back (``files``, ``assemble``).  Curve types, option mapping and
labels: ``driver``, ``options``, ``labels``.
"""
from .build import available, missing_message
from .driver import CURVES, continuation
from .problem import compile_model

__all__ = ["available", "missing_message", "continuation", "compile_model", "CURVES"]
