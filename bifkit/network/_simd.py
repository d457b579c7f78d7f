"""Two LLVM-level operations of the QIF delivery loops: the pulse as one two-lane (SSE2) operation
on a neuron's state pair, and a stream prefetch of the out-list.

The delivery loops of ``_qif_kernel.py`` apply, per synaptic event, the shear of that module's
docstring to the state (p, q) of a target neuron (Bi et al. 2021, eqs. 1-2, in the phase-offset
form of ``_qif_kernel``):

    q' = C q - S p,     p <- p + cC q',     q <- q + cS q'

numba compiles the scalar form to two 8-byte loads, two 8-byte stores and seven scalar operations;
LLVM does not pair them by itself. Here the pair is loaded and stored as one 16-byte vector and
the arithmetic runs in two lanes (``vmulpd``, one horizontal add, ``vmulpd``, ``vaddpd``).
Every lane does the same IEEE operations as the scalar code, in the same order, so the result is
bit for bit the same: ``C q + (-S) p`` equals ``C q - S p`` (negation is exact and
``a + (-b) == a - b``), and ``fadd``/``fmul`` are commutative in IEEE arithmetic. No fast-math
flag is set (no reassociation, no contraction into an FMA).

Why bother: a QIF pulse is a few flops on one random cache line, so the loops are bound by
memory operations and instructions in flight, not by arithmetic; fewer, wider memory operations
per event let more events overlap (``benchmarks/network_throughput.py`` measures the effect as
the ratio to a bare scatter, issue 21).

``prefetch_stream`` asks for out-list entries ahead of the loop with a non-temporal hint (the
list is read once per spike, at 4 bytes per event). Measured, not derived (numbers in
``_qif_kernel``'s docstring): it and the two-lane pulse raised the E-I network's ratio to the
scatter ceiling from 0.53-0.56 to 0.65-0.67; software prefetching of the *targets' states*
instead made both loops slower (the out-of-order core already overlaps those misses).

The functions are numba intrinsics: they run inside compiled code only, take a C-contiguous
float64 array and an element index ``j`` (the pair is ``a[j], a[j + 1]``; ``j`` is not
bounds-checked, as in numba's own unchecked indexing).
"""
from __future__ import annotations

from llvmlite import ir
from numba import types
from numba.extending import intrinsic

#: out-list prefetch of the delivery loops: the list's first STREAM_AHEAD targets when a delivery
#: starts (one prefetch per STREAM_LINE targets = one 64-byte line of uint32), then STREAM_AHEAD
#: targets ahead of the loop (measured on the QIF loops; see ``_qif_kernel``)
STREAM_AHEAD = 256
STREAM_LINE = 16

_V2 = ir.VectorType(ir.DoubleType(), 2)
_I32 = ir.IntType(32)
_LANE0 = ir.Constant(_I32, 0)
_LANE1 = ir.Constant(_I32, 1)


def _pair_pointer(context, builder, arrty, arr, j):
    """Pointer to the 16 bytes ``arr[j], arr[j + 1]`` as a <2 x double>."""
    ary = context.make_array(arrty)(context, builder, arr)
    return builder.bitcast(builder.gep(ary.data, [j]), _V2.as_pointer())


def _pair(builder, a, b):
    """The vector <a, b>."""
    undef = ir.Constant(_V2, ir.Undefined)
    return builder.insert_element(builder.insert_element(undef, a, _LANE0), b, _LANE1)


def _shear(builder, v, C, S, cC, cS):
    """<p, q> -> <p + cC q', q + cS q'> with q' = C q - S p (the scalar code's roundings)."""
    m = builder.fmul(v, _pair(builder, builder.fneg(S), C))  # <-S p, C q>
    qr = builder.fadd(builder.extract_element(m, _LANE1), builder.extract_element(m, _LANE0))
    return builder.fadd(v, builder.fmul(_pair(builder, cC, cS), _pair(builder, qr, qr)))


def _check(arr, j):
    if not (isinstance(arr, types.Array) and arr.dtype == types.float64 and arr.ndim == 1
            and arr.layout == "C"):
        raise TypeError(f"the state must be a C-contiguous 1-d float64 array, not {arr}")
    if not isinstance(j, types.Integer):
        raise TypeError(f"the element index must be an integer, not {j}")


@intrinsic
def shear_pair(typingctx, stf, j, C, S, cC, cS):
    """Apply the pulse (C, S, cC, cS) to the pair ``stf[j], stf[j + 1]`` in place."""
    _check(stf, j)
    sig = types.void(stf, j, C, S, cC, cS)

    def codegen(context, builder, signature, args):
        ptr = _pair_pointer(context, builder, signature.args[0], args[0], args[1])
        builder.store(_shear(builder, builder.load(ptr, align=8), *args[2:]), ptr, align=8)
        return context.get_dummy_value()

    return sig, codegen


@intrinsic
def shear_pair_before(typingctx, stf, bdf, j, C, S, cC, cS):
    """Apply the pulse to ``stf[j], stf[j + 1]`` = (p, q) and return whether the new angle lies
    before the bound angle (pB, qB) = ``bdf[j], bdf[j + 1]``: qB p - pB q > 0 (computed as in the
    scalar code, ``bdf[j + 1] * p - bdf[j] * q > 0.0``)."""
    _check(stf, j)
    _check(bdf, j)
    sig = types.boolean(stf, bdf, j, C, S, cC, cS)

    def codegen(context, builder, signature, args):
        ptr = _pair_pointer(context, builder, signature.args[0], args[0], args[2])
        bptr = _pair_pointer(context, builder, signature.args[1], args[1], args[2])
        new = _shear(builder, builder.load(ptr, align=8), *args[3:])
        builder.store(new, ptr, align=8)
        b = builder.load(bptr, align=8)
        swapped = builder.shuffle_vector(b, b, ir.Constant(ir.VectorType(_I32, 2), [1, 0]))
        prod = builder.fmul(swapped, new)  # <qB p, pB q>
        cross = builder.fsub(builder.extract_element(prod, _LANE0),
                             builder.extract_element(prod, _LANE1))
        return builder.fcmp_ordered(">", cross, ir.Constant(ir.DoubleType(), 0.0))

    return sig, codegen


@intrinsic
def prefetch_stream(typingctx, arr, i):
    """Hint the cache to fetch ``arr[i]``, which will be read once and soon (a non-temporal
    prefetch: ``llvm.prefetch`` read, locality 0). A hint: any ``i`` is safe, also past the end
    of the array (a prefetch never faults)."""
    if not (isinstance(arr, types.Array) and arr.layout == "C"):
        raise TypeError(f"prefetch_stream needs a C-contiguous array, not {arr}")
    sig = types.void(arr, i)

    def codegen(context, builder, signature, args):
        ary = context.make_array(signature.args[0])(context, builder, args[0])
        i8p = ir.IntType(8).as_pointer()
        ptr = builder.bitcast(builder.gep(ary.data, [args[1]]), i8p)
        fnty = ir.FunctionType(ir.VoidType(), [i8p, _I32, _I32, _I32])
        fn = builder.module.declare_intrinsic("llvm.prefetch", fnty=fnty)
        builder.call(fn, [ptr, ir.Constant(_I32, 0), ir.Constant(_I32, 0), ir.Constant(_I32, 1)])
        return context.get_dummy_value()

    return sig, codegen
