"""The one way a model's kernels reach compiled algorithms: function addresses.

Every compiled algorithm (the EP-C loop, the codim-2 cores, the cycle
collocation kernels) is compiled ONCE for all models and cached on disk by
numba: it receives the model's kernels as an int64 *address array* ``K`` and
rebuilds them inside compiled code as first-class functions of fixed type
(``numba.types.FunctionType``).  The compiled code is then the same for every
model, so numba's disk cache serves a model it has never seen (a
dispatcher-typed argument, or kernels spliced in as globals, would make numba
compile the algorithm again for each model).

Layout of ``K``: two addresses per kernel, in the slot order of
:data:`KERNEL_TYPES` -- numba's C wrapper (``c``) then numba's own calling
convention entry (``jit``, used for the calls).  A kernel that was not asked
for has both addresses 0; compiled code must not call it.  The slots after the model's
six kernels hold their into-variants (``jac_into(t, x, p, out)`` writes into
a caller-owned ``out``, :func:`bifkit.codegen.into_kernel`), for loops that
call a kernel at every collocation point without allocating.

Inside compiled code::

    f = kernel_f(K); jac = kernel_jac(K); B = kernel_B(K)     # and so on
    fx = f(0.0, x, p)

From Python, :func:`addresses` builds ``K`` from ``model.compiled``, and
:func:`bind` gives a template module's address-taking functions with ``K``
already supplied (``bind(core, f=c.f, jac=c.jac, dfdp=c.dfdp).ep_run(...)``).
The dispatchers must stay alive as long as their addresses are used: the
objects returned by :func:`bind` keep them, and ``model.compiled`` does.
"""
from __future__ import annotations

import functools
import types as pytypes
import warnings
import weakref

import numba as nb
import numpy as np
from numba import types
from numba.core import cgutils
from numba.core.errors import NumbaExperimentalFeatureWarning
from numba.extending import intrinsic

from . import _kernel_support  # noqa: F401  (cheap slice-assignment error path, see there)

# first-class functions are an 'experimental' numba feature (stable since 0.53)
warnings.filterwarnings("ignore", message=".*First-class function type feature is experimental",
                        category=NumbaExperimentalFeatureWarning)

F1 = types.float64[::1]
F2 = types.float64[:, ::1]
F3 = types.float64[:, :, ::1]
F_TYPE = types.FunctionType(F1(types.float64, F1, F1))                  # f(t, x, p)
JAC_TYPE = types.FunctionType(F2(types.float64, F1, F1))                # jac, dfdp (t, x, p)
DJDP_TYPE = types.FunctionType(F3(types.float64, F1, F1))               # dJdp(t, x, p)
B_TYPE = types.FunctionType(F1(types.float64, F1, F1, F1, F1))          # B(t, x, p, u, v)
C_TYPE = types.FunctionType(F1(types.float64, F1, F1, F1, F1, F1))      # C(t, x, p, u, v, w)
# the same kernels writing into a caller-owned last argument (bifkit.codegen.into_kernel)
NONE = types.none
F_INTO_TYPE = types.FunctionType(NONE(types.float64, F1, F1, F1))          # f_into(t, x, p, out)
JAC_INTO_TYPE = types.FunctionType(NONE(types.float64, F1, F1, F2))        # jac_into, dfdp_into
DJDP_INTO_TYPE = types.FunctionType(NONE(types.float64, F1, F1, F3))       # dJdp_into
B_INTO_TYPE = types.FunctionType(NONE(types.float64, F1, F1, F1, F1, F1))  # B_into(.., u, v, out)
C_INTO_TYPE = types.FunctionType(NONE(types.float64, F1, F1, F1, F1, F1, F1))  # C_into
# slot order of the kernels in an address array
KERNEL_TYPES = (("f", F_TYPE), ("jac", JAC_TYPE), ("dfdp", JAC_TYPE), ("dJdp", DJDP_TYPE),
                ("B", B_TYPE), ("C", C_TYPE),
                ("f_into", F_INTO_TYPE), ("jac_into", JAC_INTO_TYPE),
                ("dfdp_into", JAC_INTO_TYPE), ("dJdp_into", DJDP_INTO_TYPE),
                ("B_into", B_INTO_TYPE), ("C_into", C_INTO_TYPE))
SLOT = {name: i for i, (name, _) in enumerate(KERNEL_TYPES)}
#: the model's own kernels (``model.compiled``'s attributes; :func:`addresses`' default)
MODEL_KERNELS = ("f", "jac", "dfdp", "dJdp", "B", "C")


def _maker(ftype):
    @intrinsic
    def as_function(typingctx, c_addr, jit_addr):
        """A first-class function of type ``ftype`` from its two addresses."""
        def codegen(context, builder, sig, args):
            fn = cgutils.create_struct_proxy(ftype)(context, builder)
            vp = context.get_value_type(types.voidptr)
            fn.c_addr = builder.inttoptr(args[0], vp)
            fn.py_addr = cgutils.get_null_value(vp)
            fn.jit_addr = builder.inttoptr(args[1], vp)
            return fn._getvalue()
        return ftype(types.int64, types.int64), codegen
    return as_function


_as_f, _as_jac, _as_djdp, _as_b, _as_c = (_maker(t) for t in
                                         (F_TYPE, JAC_TYPE, DJDP_TYPE, B_TYPE, C_TYPE))
_as_f_into, _as_jac_into, _as_djdp_into, _as_b_into, _as_c_into = (
    _maker(t) for t in (F_INTO_TYPE, JAC_INTO_TYPE, DJDP_INTO_TYPE, B_INTO_TYPE, C_INTO_TYPE))


def compiled_function(disp, args: tuple):
    """A compiled algorithm's own function for calls through its address.

    numba links the code of every njit function an entry point calls into that
    entry point and optimises and compiles it there again; a large callee
    shared by several entry points (or compiled on its own and again inside
    one) is cheaper called through its address, compiled once.

    Parameters
    ----------
    disp : numba dispatcher
        The function (``cache=True``), compiled or loaded here for ``args``.
    args : tuple of numba types
        Its argument types.

    Returns
    -------
    (maker, addresses, ftype)
        ``maker(c_addr, jit_addr)`` (an intrinsic for compiled code) gives the
        function as a first-class function of type ``ftype``; ``addresses`` is
        the (c, jit) address pair to pass it at run time.  ``disp`` must stay alive.

    Notes
    -----
    numba's compiled code calls a first-class function through its ``jit``
    address (numba's own calling convention) whenever that is not 0; the C
    wrapper's address is only its fallback.  So ``disp`` may be compiled with
    ``no_cfunc_wrapper=True`` (and without a Python wrapper,
    :func:`bifkit._dispatchers.compiled_only`): its C address is then 0.
    """
    disp.compile(tuple(args))
    cres = disp.overloads[tuple(args)]
    lib = cres.library
    addrs = (lib.get_pointer_to_function(cres.fndesc.llvm_cfunc_wrapper_name),
             lib.get_pointer_to_function(cres.fndesc.llvm_func_name))
    if not addrs[1]:
        raise RuntimeError(f"could not obtain the address of {disp.py_func.__qualname__}")
    ftype = types.FunctionType(cres.signature)
    return _maker(ftype), addrs, ftype


@nb.njit(cache=True)
def kernel_f(K):
    """The model's f(t, x, p) from the address array ``K``."""
    return _as_f(K[0], K[1])


@nb.njit(cache=True)
def kernel_jac(K):
    """The model's Jacobian jac(t, x, p) (n x n) from ``K``."""
    return _as_jac(K[2], K[3])


@nb.njit(cache=True)
def kernel_dfdp(K):
    """The model's df/dp(t, x, p) (n x n_params) from ``K``."""
    return _as_jac(K[4], K[5])


@nb.njit(cache=True)
def kernel_dJdp(K):
    """The model's dJ/dp(t, x, p) (n_params x n x n) from ``K``."""
    return _as_djdp(K[6], K[7])


@nb.njit(cache=True)
def kernel_B(K):
    """The model's second-derivative form B(t, x, p, u, v) from ``K``."""
    return _as_b(K[8], K[9])


@nb.njit(cache=True)
def kernel_C(K):
    """The model's third-derivative form C(t, x, p, u, v, w) from ``K``."""
    return _as_c(K[10], K[11])


@nb.njit(cache=True)
def kernel_f_into(K):
    """f_into(t, x, p, out): f written into ``out`` (n), from ``K``."""
    return _as_f_into(K[12], K[13])


@nb.njit(cache=True)
def kernel_jac_into(K):
    """jac_into(t, x, p, out): the Jacobian written into ``out`` (n x n), from ``K``."""
    return _as_jac_into(K[14], K[15])


@nb.njit(cache=True)
def kernel_dfdp_into(K):
    """dfdp_into(t, x, p, out): df/dp written into ``out`` (n x n_params), from ``K``."""
    return _as_jac_into(K[16], K[17])


@nb.njit(cache=True)
def kernel_dJdp_into(K):
    """dJdp_into(t, x, p, out): dJ/dp written into ``out`` (n_params x n x n), from ``K``."""
    return _as_djdp_into(K[18], K[19])


@nb.njit(cache=True)
def kernel_B_into(K):
    """B_into(t, x, p, u, v, out): B(x; u, v) written into ``out`` (n), from ``K``."""
    return _as_b_into(K[20], K[21])


@nb.njit(cache=True)
def kernel_C_into(K):
    """C_into(t, x, p, u, v, w, out): C(x; u, v, w) written into ``out`` (n), from ``K``."""
    return _as_c_into(K[22], K[23])


@nb.njit(cache=True)
def unpack(K):
    """(f, jac, dfdp, dJdp, B, C) from an address array holding all six kernels."""
    return (kernel_f(K), kernel_jac(K), kernel_dfdp(K), kernel_dJdp(K), kernel_B(K),
            kernel_C(K))


def _kernel_addresses(name, disp):
    """(c, jit) addresses of the dispatcher ``disp`` compiled for kernel ``name``'s type."""
    ftype = dict(KERNEL_TYPES)[name]
    if not hasattr(disp, "get_compile_result"):
        raise ValueError(f"kernel {name!r} must be a numba njit function; "
                         f"got {type(disp).__name__}")
    try:
        cres = disp.get_compile_result(ftype.signature)   # compiles (or loads) if needed
    except Exception as e:
        raise ValueError(f"kernel {name!r} does not compile for the signature "
                         f"{ftype.signature}: {type(e).__name__}: {str(e)[:300]}") from None
    lib = cres.library
    out = (lib.get_pointer_to_function(cres.fndesc.llvm_cfunc_wrapper_name),
           lib.get_pointer_to_function(cres.fndesc.llvm_func_name))
    if not all(out):
        raise RuntimeError(f"could not obtain the address of the model's compiled {name!r}")
    return out


# dispatcher -> {kernel name: (c, jit) addresses}; entries go with their model's kernels
_cache = weakref.WeakKeyDictionary()


def addresses(compiled=None, names=None, **kernels) -> np.ndarray:
    """The int64 address array of a model's kernels.

    Parameters
    ----------
    compiled : object, optional
        ``model.compiled`` (kernels as attributes ``f, jac, dfdp, dJdp, B, C``).
    names : iterable of str, optional
        Which of ``compiled``'s kernels to include (default: the six of
        :data:`MODEL_KERNELS`; a name ``"k_into"`` takes
        :func:`bifkit.codegen.into_kernel` of ``compiled.k``).  Only these are
        compiled; the other slots are 0.
    **kernels
        Kernels given directly, name -> numba dispatcher (instead of ``compiled``).

    Returns
    -------
    numpy.ndarray of int64, shape (12,), or (24,) when an into-variant is included
        (compiled code reads the into slots only from arrays that include them:
        :class:`Bound` of a template with ``INTO_VARIANTS``)
    """
    if compiled is not None:
        names = tuple(names) if names is not None else MODEL_KERNELS
        kernels = {}
        for name in names:
            base = name[:-5] if name.endswith("_into") else name
            if base not in MODEL_KERNELS:
                raise ValueError(f"unknown kernel name {name!r}; known: {list(SLOT)}")
            kernels[name] = getattr(compiled, base)
            if name != base:
                from .codegen import into_kernel
                kernels[name] = into_kernel(base, kernels[name])
    unknown = sorted(set(kernels) - set(SLOT))
    if unknown:
        raise ValueError(f"unknown kernel name(s) {unknown}; known: {list(SLOT)}")
    into = any(name.endswith("_into") for name in kernels)
    out = np.zeros(2 * (len(SLOT) if into else len(MODEL_KERNELS)), dtype=np.int64)
    for name, disp in kernels.items():
        known = _cache.setdefault(disp, {})
        if name not in known:
            known[name] = _kernel_addresses(name, disp)
        out[2 * SLOT[name]:2 * SLOT[name] + 2] = known[name]
    return out


class Bound:
    """A template module's compiled functions with a model's kernel addresses supplied.

    Attribute ``g`` is ``functools.partial(template.g, K)`` for the names in
    the template's ``KERNEL_FUNCTIONS`` table (function name -> kernels it calls); any
    other attribute is the template's own.  A template with ``INTO_VARIANTS = True``
    calls the kernels' into-variants (:func:`bifkit.codegen.into_kernel`), which are
    then derived from the kernels given and added to ``K``.  Keeps the kernels alive.  The
    arrays that compiled code hands to the kernels must be writable and
    C-contiguous (the kernels' argument type): templates copy a read-only
    input such as ``model.p`` before passing it on.
    """

    def __init__(self, template: pytypes.ModuleType, kernels: dict):
        self.template, self.kernels = template, dict(kernels)
        if getattr(template, "INTO_VARIANTS", False):
            # the template calls the kernels' into-variants: derive them (compiled per model)
            from .codegen import into_kernel
            kernels = {**kernels, **{k + "_into": into_kernel(k, d) for k, d in kernels.items()
                                     if k in MODEL_KERNELS}}
        self.into = {k: d for k, d in kernels.items() if k.endswith("_into")}   # keeps them alive
        self.K = addresses(**kernels)
        for fname, needs in template.KERNEL_FUNCTIONS.items():
            if set(needs) <= set(kernels):
                setattr(self, fname, functools.partial(getattr(template, fname), self.K))

    def __getattr__(self, name):
        needs = getattr(self.template, "KERNEL_FUNCTIONS", {}).get(name)
        if needs is not None:
            raise ValueError(f"{self.template.__name__}.{name} calls the kernels {list(needs)}; "
                             f"bound with {sorted(self.kernels)} only")
        return getattr(self.template, name)


_bound: dict = {}


def bind(template: pytypes.ModuleType, **kernels) -> Bound:
    """``template``'s address-taking functions with ``kernels`` (name -> njit function) supplied.

    ``template.KERNEL_FUNCTIONS`` maps each function taking the address array as its
    first argument to the kernels it calls.  Nothing is compiled per model
    here except the kernels themselves.
    """
    if not isinstance(getattr(template, "KERNEL_FUNCTIONS", None), dict):
        raise ValueError(f"{template.__name__} has no KERNEL_FUNCTIONS table of the "
                         f"functions taking kernel addresses")
    key = (template.__name__,) + tuple((k, id(v)) for k, v in sorted(kernels.items()))
    hit = _bound.get(key)
    if hit is None or any(hit.kernels[k] is not v for k, v in kernels.items()):
        hit = _bound[key] = Bound(template, kernels)
    return hit
