"""Memory per stored point stays what the user needs (issue 20: a PD-C run kept ~3 MB per point,
the step's factorised Jacobian, and a 5285-point run peaked at 16 GB)."""
import tracemalloc

from bifkit.continuation import continuation


def test_pd_c_memory_per_point(ei_hopf):
    m, h = ei_hopf(2.0, 0.0011, 0.003)
    lc = continuation(m, "LC-C", h, ["I_e"], bounds={"I_e": (1e-5, 1.0)}, log_params=["I_e"])
    pd1 = max(lc.special_points("PD"), key=lambda s: s.params["I_e"])
    tracemalloc.start()
    c = continuation(m, "PD-C", pd1, ["I_e", "D_ee"], log_params=["I_e"], ntst=100,
                     ds=0.002, ds_max=0.002, max_points=120)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert len(c) == 120
    # a point's orbit and eigenfunction: 401 nodes x 8 numbers x 8 bytes = 26 kB, held twice
    # (the point and its Orbit) plus the mesh: measured 75 kB per point (3085 kB before)
    per_point = peak / len(c)
    assert per_point < 200e3, f"{per_point / 1e3:.0f} kB per point"
