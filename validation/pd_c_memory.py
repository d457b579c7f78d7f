"""Peak memory of a long PD-C run (issue 20: bounded memory per stored point).

The run of the issue: E-I neural mass (K = 1000, D_ii = 0.3), the period-doubling
curve in (I_e, D_ee) from the first PD point of the D_ee = 2 cycle branch, ntst = 100,
ds = ds_max = 0.002 (about 5300 points before the loop closes). Before the fix it
peaked at 16 GB resident (about 3 MB kept per point); the target is < 1 GB.

    python validation/pd_c_memory.py            # the full run (minutes)
    python validation/pd_c_memory.py --quick    # 300 points

Prints the number of points, the status, peak resident memory (ru_maxrss) and the
stored bytes per point.
"""
import argparse
import resource
import sys
import time

import numpy as np

import bifkit


def _nbytes(obj, seen=None) -> int:
    """Bytes of the numpy arrays reachable from ``obj`` (attributes, lists, dicts)."""
    seen = set() if seen is None else seen
    if id(obj) in seen:
        return 0
    seen.add(id(obj))
    if isinstance(obj, np.ndarray):
        return obj.nbytes
    if isinstance(obj, dict):
        return sum(_nbytes(v, seen) for v in obj.values())
    if isinstance(obj, (list, tuple)):
        return sum(_nbytes(v, seen) for v in obj)
    if hasattr(obj, "__dict__"):
        return _nbytes(vars(obj), seen)
    return 0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="300 points only")
    args = ap.parse_args(argv)
    m = bifkit.load_model("ei_neural_mass", K=1000, D_ii=0.3, D_ee=2.0, I_e=0.0011)
    ep = bifkit.continuation(m, "EP-C", m.steady_state()[0], ["I_e"],
                             bounds={"I_e": (1e-5, 0.003)}, log_params=["I_e"])
    h = [s for s in ep.special_points("H") if 0.0011 < s.params["I_e"] < 0.003][0]
    lc = bifkit.continuation(m, "LC-C", h, ["I_e"], bounds={"I_e": (1e-5, 1.0)},
                             log_params=["I_e"])
    pd1 = max(lc.special_points("PD"), key=lambda s: s.params["I_e"])
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0 = time.perf_counter()
    pd = bifkit.continuation(m, "PD-C", pd1, ["I_e", "D_ee"], log_params=["I_e"], ntst=100,
                             ds=0.002, ds_max=0.002, max_points=300 if args.quick else 20000)
    wall = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"PD-C points={len(pd)} status={pd.status} wall_s={wall:.0f}")
    print(f"peak_rss_MB={peak:.0f} (before the PD-C run: {rss0:.0f}) "
          f"stored_kB_per_point={_nbytes(pd) / len(pd) / 1e3:.1f}")
    return 0 if peak < 1024 else 1


if __name__ == "__main__":
    sys.exit(main())
