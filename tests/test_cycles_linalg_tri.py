"""The block-triangular condensation of the extended cycle systems (bifkit.continuation.cycles.linalg_tri).

Reference: the whole bordered collocation system assembled densely and solved by
numpy.linalg.solve (LAPACK gesv), independent of the condensation code.
"""
import numpy as np
import pytest

from bifkit.continuation.cycles.linalg import Factor
from bifkit.continuation.cycles.linalg_tri import TriFactor


def extended_jacobian(rng, N, m, n, nv, nbd, couple_copies=False):
    """Random collocation blocks with the extended systems' structure: the same A on the
    diagonal of every copy, E_c coupling copy c to u only (``couple_copies``: also a block
    coupling u to v_1, which breaks the structure)."""
    ne = (1 + nv) * n
    A = rng.standard_normal((N, m, n, m + 1, n))
    J = np.zeros((N, m, 1 + nv, n, m + 1, 1 + nv, n))
    for c in range(1 + nv):
        J[:, :, c, :, :, c, :] = A
    for c in range(1, 1 + nv):
        J[:, :, c, :, :, 0, :] = rng.standard_normal((N, m, n, m + 1, n))
    if couple_copies:
        J[:, :, 0, :, :, 1, :] = rng.standard_normal((N, m, n, m + 1, n))
    return J.reshape(N, m * ne, (m + 1) * ne), rng.standard_normal((N, m * ne, nbd))


def dense_solve(Jblk, Jb, C, D, B0, B1, Bz, rcol, rbc, rc):
    """The same system assembled as one dense matrix (unknowns: nodes, then z)."""
    N, mne, _ = Jblk.shape
    ne = Jblk.shape[2] - mne
    m = mne // ne
    M = N * m + 1
    nbd = Jb.shape[2]
    nu = M * ne
    A = np.zeros((N * mne + ne + nbd, nu + nbd))
    r = np.concatenate([rcol.ravel(), rbc, rc])
    for j in range(N):
        rows = slice(j * mne, (j + 1) * mne)
        A[rows, j * m * ne:(j * m + m + 1) * ne] = Jblk[j]
        A[rows, nu:] = Jb[j]
    o = N * mne
    A[o:o + ne, :ne] = B0
    A[o:o + ne, nu - ne:nu] = B1
    A[o:o + ne, nu:] = Bz
    A[o + ne:, :nu] = C.reshape(nbd, nu)
    A[o + ne:, nu:] = D
    x = np.linalg.solve(A, r)
    return x[:nu].reshape(M, ne), x[nu:]


def problem(seed, N, m, n, nv, nbd, couple_copies=False):
    rng = np.random.default_rng(seed)
    ne = (1 + nv) * n
    Jblk, Jb = extended_jacobian(rng, N, m, n, nv, nbd, couple_copies)
    M = N * m + 1
    C, D = rng.standard_normal((nbd, M, ne)), rng.standard_normal((nbd, nbd))
    B0, B1 = rng.standard_normal((ne, ne)), rng.standard_normal((ne, ne))
    Bz = rng.standard_normal((ne, nbd))
    rhs = rng.standard_normal((N, m * ne)), rng.standard_normal(ne), rng.standard_normal(nbd)
    return (Jblk, Jb), (C, D, B0, B1, Bz), rhs


@pytest.mark.parametrize("nv,n,m,N,nbd", [(1, 4, 4, 6, 3), (2, 3, 4, 5, 4), (1, 2, 1, 7, 3),
                                            (1, 3, 2, 4, 2)])
def test_tri_condensation_solves_the_dense_system(nv, n, m, N, nbd):
    (Jblk, Jb), borders, rhs = problem(nv * 100 + n, N, m, n, nv, nbd)
    U_ref, z_ref = dense_solve(Jblk, Jb, *borders, *rhs)          # reference: LAPACK gesv
    U, z = TriFactor(Jblk, Jb, nv).solve(*borders, *rhs)
    scale = max(np.max(np.abs(U_ref)), np.max(np.abs(z_ref)))
    assert np.max(np.abs(U - U_ref)) < 1e-10 * scale
    assert np.max(np.abs(z - z_ref)) < 1e-10 * scale
    # the dense condensation of linalg agrees too (same system, other elimination order)
    U2, z2 = Factor(Jblk, Jb).solve(*borders, *rhs)
    assert np.max(np.abs(U2 - U_ref)) < 1e-10 * scale


def test_tri_factorisation_serves_several_borders_and_right_hand_sides():
    (Jblk, Jb), borders, rhs = problem(7, 5, 4, 3, 1, 3)
    F = TriFactor(Jblk, Jb, 1)
    rng = np.random.default_rng(8)
    for _ in range(2):
        C = rng.standard_normal(borders[0].shape)
        r = (rng.standard_normal(rhs[0].shape),) + rhs[1:]
        U_ref, z_ref = dense_solve(Jblk, Jb, C, *borders[1:], *r)
        U, z = F.borders(C, *borders[1:]).rhs(*r)
        assert np.max(np.abs(U - U_ref)) < 1e-10 * np.max(np.abs(U_ref))


def test_without_the_triangular_structure_the_tri_solve_is_wrong():
    # a block coupling u to v_1 is outside the assumption: the tri solve must NOT match (it
    # would if it silently fell back to a dense elimination, or ignored the structure)
    (Jblk, Jb), borders, rhs = problem(3, 5, 4, 3, 1, 3, couple_copies=True)
    U_ref, _ = dense_solve(Jblk, Jb, *borders, *rhs)
    U, _ = TriFactor(Jblk, Jb, 1).solve(*borders, *rhs)
    assert np.max(np.abs(U - U_ref)) > 1e-3 * np.max(np.abs(U_ref))


def test_tri_factor_rejects_a_layout_that_is_not_copies():
    (Jblk, Jb), _, _ = problem(1, 4, 4, 3, 1, 3)     # ne = 6: not 3 copies of anything
    with pytest.raises(ValueError, match="copies"):
        TriFactor(Jblk, Jb, 3)
