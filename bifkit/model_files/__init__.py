"""User models: definitions from strings, model files (TOML, XPPAUT .ode), specs.

* :mod:`.expressions` -- strings -> sympy through an allow-list (never ``eval``),
  and sympy <-> a JSON tree that rebuilds an expression exactly.
* :mod:`.spec` -- ``Model.to_spec`` / ``Model.from_spec``: a model's full
  definition as JSON, and the check that a saved spec matches a registered model.
* :mod:`.define` -- :func:`bifkit.define_model`.
* :mod:`.toml_file`, :mod:`.xpp_file` -- model files.
"""
