"""Run in a venv with `pip install -e .` only (no extras): the core works, extras fail by name.

See docs/install.md. Not part of the site (excluded in mkdocs.yml).
"""
import sys
import bifkit
from bifkit.model import Model, ModelDefinition, real_symbols

print("optional packages importable:", {m: __import__("importlib").util.find_spec(m) is not None
      for m in ("dask", "distributed", "matplotlib", "tqdm", "pandas", "xarray")})
x, mu = real_symbols("x mu")
m = Model(ModelDefinition.from_sympy("fold_nf", [("x", x)], [(mu, 1.0)], [mu - x ** 2]))
br = bifkit.continuation(m, "EP-C", {"x": 1.0}, ["mu"], bounds={"mu": (-1, 2)}, ds=0.05)
print("EP-C:", br, "LP at mu =", br.special_points("LP")[0].params["mu"])
res = bifkit.simulate("inhibitory_qif", N=200, K=20, i0=0.4, g0=1.0, T=5, transient=1, seed=1)
print("simulate: rate", res.rates["all"])
for what, call in [("sweep", lambda: bifkit.sweep("inhibitory_qif", {"K": [10.0]}, "/tmp/nodask_sweep",
                                                fixed={"N": 100, "T": 1.0, "transient": 0.0})),
                   ("Branch.plot", lambda: br.plot("mu", "x")),
                   ("branch_to_dataframe", lambda: __import__("bifkit.export").export.branch_to_dataframe(br))]:
    try:
        call()
        print(what, ": no error")
    except ImportError as e:
        print(what, ":", type(e).__name__, e)
