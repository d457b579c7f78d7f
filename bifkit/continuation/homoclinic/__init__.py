"""Homoclinic orbits: "HC-C" (to a saddle) and "HSN-C" (to a saddle-node), issue 17.

Entry point :func:`.curve.continue_homoclinic` ``(model, curve, start, free, **options)``.

Files
-----
``_deps.py``         every import from the rest of bifkit (cycle modules may move)
``_colloc.py``       collocation rows of u' = scale f(u) in numpy/scipy.sparse (shared with
                     :mod:`bifkit.prc`)
``saddle.py``        eigenvalues, saddle quantity, invariant subspaces for the projections
``bvp.py``           the truncated BVP (residual, sparse Jacobian), T fixed or free
``starts.py``        starts from a long-period cycle, from a BT point (asymptotic orbit),
                     HSN-C from a cycle near a SNIC
``curve.py``         pseudo-arclength driver, NSS/NSF/NFF and NCH detection, HomoclinicBranch
``auto_homcont.py``  restart of an HC-C point in AUTO-07p's HomCont (IPS = 9), for cross-checks
"""
