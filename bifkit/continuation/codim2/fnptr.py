"""Model kernels passed to compiled code as raw addresses.

The codim-2 core is compiled once for all models: its model kernels
(``f, jac, dfdp, dJdp, B, C``) are first-class functions of fixed signature
(``numba.types.FunctionType``), so numba's disk cache serves every model and
every process.  Passing a dispatcher (or a wrapper-address object) for such an
argument makes numba look the address up and re-derive the type on every call
(hundreds of microseconds for six kernels); here Python passes the addresses as
one int64 array and :func:`unpack` rebuilds the function values inside
compiled code at no cost.

Each kernel contributes two addresses: numba's own calling convention entry
(``jit``, used for the calls) and the C wrapper (``c``, the fallback numba's
call lowering expects).  The dispatchers must stay alive as long as the
addresses are used; ``model.compiled`` keeps them.
"""
from __future__ import annotations

import weakref

import numba as nb
import numpy as np
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

F1 = types.float64[::1]
F2 = types.float64[:, ::1]
F3 = types.float64[:, :, ::1]
F_TYPE = types.FunctionType(F1(types.float64, F1, F1))
JAC_TYPE = types.FunctionType(F2(types.float64, F1, F1))
DJDP_TYPE = types.FunctionType(F3(types.float64, F1, F1))
B_TYPE = types.FunctionType(F1(types.float64, F1, F1, F1, F1))
C_TYPE = types.FunctionType(F1(types.float64, F1, F1, F1, F1, F1))
# order of the kernels in an address array
KERNEL_TYPES = (("f", F_TYPE), ("jac", JAC_TYPE), ("dfdp", JAC_TYPE), ("dJdp", DJDP_TYPE),
                ("B", B_TYPE), ("C", C_TYPE))


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


_as_f = _maker(F_TYPE)
_as_jac = _maker(JAC_TYPE)
_as_djdp = _maker(DJDP_TYPE)
_as_b = _maker(B_TYPE)
_as_c = _maker(C_TYPE)


@nb.njit(cache=True)
def unpack(a):
    """(f, jac, dfdp, dJdp, B, C) from the address array of :func:`addresses`."""
    return (_as_f(a[0], a[1]), _as_jac(a[2], a[3]), _as_jac(a[4], a[5]), _as_djdp(a[6], a[7]),
            _as_b(a[8], a[9]), _as_c(a[10], a[11]))


_cache = weakref.WeakKeyDictionary()


def addresses(compiled):
    """The int64 address array of ``model.compiled``'s kernels (compiling them if needed)."""
    try:
        return _cache[compiled]
    except (KeyError, TypeError):
        pass
    out = []
    for name, ftype in KERNEL_TYPES:
        disp = getattr(compiled, name)
        cres = disp.get_compile_result(ftype.signature)
        lib = cres.library
        out += [lib.get_pointer_to_function(cres.fndesc.llvm_cfunc_wrapper_name),
                lib.get_pointer_to_function(cres.fndesc.llvm_func_name)]
    if not all(out):
        raise RuntimeError("could not obtain the addresses of the model's compiled kernels")
    arr = np.array(out, dtype=np.int64)
    try:
        _cache[compiled] = arr
    except TypeError:
        pass
    return arr
