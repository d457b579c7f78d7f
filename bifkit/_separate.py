"""Call a large compiled function without linking its code into every caller (issue 16, item 4).

numba links the LLVM code of every njit function a compiled function calls into
the caller's own module, optimises it there again and emits its machine code
again; a function nested d levels deep is optimised and emitted d + 1 times.  In
the cold main job about 46 % of LLVM's final work was such re-processing of
linked copies (``docs/cold_start.md``).

:func:`separate` gives an intrinsic that calls a dispatcher's compiled function
by a *symbol name* instead: the caller's code holds a call to the external
function ``bifkit.sep.<module>.<qualname>.<hash of its argument and return
types>``, which the JIT linker resolves, in each process, to the address of the
function compiled (or loaded from numba's disk cache) in that process
(``llvmlite.binding.add_symbol``).  An address is never written into compiled
code, so the disk cache stays valid across processes.

When the symbol is registered:

* compiling a caller: while typing the call (the callee is compiled or loaded
  then, as numba compiles any callee);
* loading a caller from the disk cache: numba runs the functions in the cached
  result's ``reload_init`` before it links the cached machine code; the call's
  code generation adds the registering function there (and numba passes it on
  to every caller that links this caller's code).

The call itself is numba's ordinary call of a compiled function (its calling
convention: errors raised inside propagate as usual); only the callee's code is
not copied into the caller.  Use it for large functions that several compiled
functions call; small functions in hot loops are better linked (LLVM inlines
them).

This relies on numba's ``reload_init`` of cached compile results (numba 0.68): a
caller loaded from the cache without its symbol registered would call address 0.
``tests/test_separate.py`` compiles in one process and loads in a second, so a numba
version that changes this fails there, not in a user's run.
"""
from __future__ import annotations

import hashlib
import importlib

import llvmlite.binding as ll
from numba import types
from numba.core import cgutils
from numba.core.imputils import impl_ret_new_ref
from numba.extending import intrinsic

#: symbol name -> dispatcher whose compiled code it points to (keeps the code alive)
_registered: dict = {}


def _symbol(disp, args, restype) -> str:
    """The external name a caller uses for ``disp`` compiled for ``args`` (returning ``restype``)."""
    fn = disp.py_func
    key = repr((tuple(args), restype)).encode()
    return f"bifkit.sep.{fn.__module__}.{fn.__qualname__}.{hashlib.sha1(key).hexdigest()[:16]}"


def _compile(disp, args):
    """(compile result, symbol name) of ``disp`` for ``args``, its symbol registered."""
    args = tuple(args)
    disp.compile(args)
    cres = disp.overloads[args]
    name = _symbol(disp, args, cres.signature.return_type)
    if name not in _registered:
        addr = cres.library.get_pointer_to_function(cres.fndesc.llvm_func_name)
        if not addr:
            raise RuntimeError(f"no compiled code for {disp.py_func.__qualname__}{args}")
        ll.add_symbol(name, addr)
        _registered[name] = disp
    return cres, name


def register(module: str, qualname: str, args: tuple, restype) -> None:
    """Register the symbol of ``module.qualname`` for ``args`` (run by numba on a cache load).

    Raises
    ------
    RuntimeError
        The function now returns another type than when the caller was compiled:
        the caller's cached code is stale (remove numba's cache of the caller).
    """
    obj = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    cres, _ = _compile(obj, args)
    if cres.signature.return_type != restype:
        raise RuntimeError(f"stale numba cache: a caller of {module}.{qualname} was compiled "
                           f"for the return type {restype}, the function now returns "
                           f"{cres.signature.return_type}; clear the numba cache")


class _Reload:
    """A picklable ``reload_init`` entry: :func:`register` with fixed arguments."""

    def __init__(self, module, qualname, args, restype):
        self.spec = (module, qualname, tuple(args), restype)

    def __call__(self):
        register(*self.spec)

    def __eq__(self, other):
        return isinstance(other, _Reload) and other.spec == self.spec

    def __hash__(self):
        return hash(repr(self.spec))


def separate(disp):
    """An intrinsic calling the njit function ``disp`` through its symbol (see the module doc).

    Parameters
    ----------
    disp : numba dispatcher
        An ``njit(cache=True)`` function defined at module level.

    Returns
    -------
    numba intrinsic
        Call it in compiled code with ``disp``'s arguments.
    """
    py = disp.py_func
    module, qualname = py.__module__, py.__qualname__

    @intrinsic
    def call(typingctx, *args):
        args = tuple(types.unliteral(a) for a in args)
        cres, name = _compile(disp, args)
        sig = cres.signature.return_type(types.StarArgTuple.from_types(args))
        restype = cres.signature.return_type
        fndesc_args = cres.fndesc.argtypes

        def codegen(context, builder, signature, llargs):
            llargs = cgutils.unpack_tuple(builder, llargs[0], len(args))
            fnty = context.call_conv.get_function_type(restype, fndesc_args)
            fn = cgutils.get_or_insert_function(builder.module, fnty, name)
            status, ret = context.call_conv.call_function(builder, fn, restype, fndesc_args,
                                                          llargs)
            with cgutils.if_unlikely(builder, status.is_error):
                context.call_conv.return_status_propagate(builder, status)
            context.active_code_library._reload_init.add(_Reload(module, qualname, args,
                                                                 restype))
            return impl_ret_new_ref(context, builder, restype, ret)

        return sig, codegen

    call.__name__ = f"separate_{py.__name__}"
    return call


def _keep_reload_init_on_cache_load() -> None:
    """A function loaded from numba's disk cache keeps its ``reload_init`` on its library.

    numba (0.68) runs a cached result's ``reload_init`` when it loads it (that
    registers the symbols its code calls) but leaves the rebuilt library's own
    set empty.  A caller compiled later in the same process links that library,
    inherits nothing, and its cache entry then lacks the registrations: the next
    process loading the caller called address 0 (segfault; reproduced by editing
    ``cycles/ext_newton.py`` alone, whose callees in ``linalg_tri`` call symbols;
    ``tests/test_separate_reload.py``).  Wraps ``CompileResult._rebuild``.
    """
    from numba.core import compiler
    rebuild = compiler.CompileResult._rebuild.__func__
    if getattr(rebuild, "_bifkit_original", None) is not None:
        return

    def _rebuild(cls, target_context, libdata, fndesc, env, signature, objectmode, lifted,
                 typeann, reload_init, referenced_envs):
        result = rebuild(cls, target_context, libdata, fndesc, env, signature, objectmode,
                         lifted, typeann, reload_init, referenced_envs)
        if reload_init:
            result.library._reload_init.update(reload_init)
        return result

    _rebuild._bifkit_original = rebuild
    compiler.CompileResult._rebuild = classmethod(_rebuild)


_keep_reload_init_on_cache_load()
