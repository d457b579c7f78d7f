"""numba's disk cache made to see edits to the functions a cached bifkit function calls.

numba keys a cached function on a hash of its own source file (and its own
bytecode).  But a compiled function carries the code of every njit function it
calls: numba links the callees' code into the caller's.  After an edit to a
callee in another file, the caller's cache entry still loads and runs the OLD
callee; after a change of a callee's arguments it can crash.  This happens to a
developer editing bifkit, and to a user whose upgrade changes a file that others
call.  (Seen here: a cached ``cycles.ext_newton.correct`` that ran an earlier
``linalg_tri`` and gave a PD-C branch 5e-11 off the freshly compiled one; an LC-C
run that crashed after an edit to ``cycles/linalg.py``.)

For each bifkit source file, :func:`dependency_digest` hashes the file together
with every bifkit module it imports, transitively (a compiled function can only
call what its module imports).  :func:`install` adds numba cache locators for
bifkit's files whose source stamp includes that digest, so an edit anywhere a
function can reach invalidates its cache entry and numba compiles it again.
Files outside the package (users' code, generated model kernels) keep numba's
own behaviour.

``import bifkit`` does not load numba; :func:`install_on_import` installs the
locators when ``numba.core.caching`` loads (or at once if it is loaded).  Cost:
each file is read and parsed once per process (~1 ms each), when numba first
looks up a cached bifkit function of that file.
"""
from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

#: the bifkit package directory (the files whose cache entries get the digest)
PACKAGE_DIR = Path(__file__).resolve().parent


def _module_file(root: Path, parts: list[str]) -> Path | None:
    """The source file of the module ``parts`` (``['bifkit', 'x', 'y']``) under ``root``."""
    base = root.joinpath(*parts)
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


@lru_cache(maxsize=None)
def imported_files(path: Path, package_dir: Path = PACKAGE_DIR) -> tuple[Path, ...]:
    """The files of the modules of ``package_dir``'s package that ``path`` imports directly.

    ``from .a import b`` counts the module ``a.b`` if there is one, else ``a``
    (where ``b`` is defined or re-exported); relative imports are resolved
    against ``path``'s package; imports anywhere in the file count (also those
    inside functions).
    """
    import ast   # (here: ``import bifkit`` must stay cheap)
    root = package_dir.parent
    package = list(path.relative_to(root).parts[:-1])   # a/b/c.py and a/b/__init__.py: a.b
    found = set()
    for node in ast.walk(ast.parse(path.read_bytes(), filename=str(path))):
        files = []
        if isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            module = base + (node.module.split(".") if node.module else [])
            if module[:1] == [package_dir.name]:
                # a submodule imported by name, else the module the names come from
                files = [_module_file(root, module + [alias.name]) or _module_file(root, module)
                         for alias in node.names]
        elif isinstance(node, ast.Import):
            files = [_module_file(root, alias.name.split(".")) for alias in node.names
                     if alias.name.split(".")[0] == package_dir.name]
        found.update(f.resolve() for f in files if f is not None and f.resolve() != path)
    return tuple(sorted(found))


@lru_cache(maxsize=None)
def _file_hash(path: Path, mtime_ns: int, size: int) -> bytes:
    return hashlib.sha256(path.read_bytes()).digest()


def dependency_digest(path, package_dir: Path = PACKAGE_DIR) -> str:
    """sha256 of ``path`` and of every module of the package it imports, transitively."""
    start = Path(path).resolve()
    seen, todo = set(), [start]
    while todo:
        file = todo.pop()
        if file in seen:
            continue
        seen.add(file)
        todo.extend(imported_files(file, package_dir))
    digest = hashlib.sha256()
    for file in sorted(seen):
        st = file.stat()
        digest.update(str(file.relative_to(package_dir.parent)).encode())
        digest.update(_file_hash(file, st.st_mtime_ns, st.st_size))
    return digest.hexdigest()


def _in_package(py_file: str, package_dir: Path) -> bool:
    try:
        Path(py_file).resolve().relative_to(package_dir)
    except (ValueError, OSError):
        return False
    return True


def install(package_dir: Path = PACKAGE_DIR) -> None:
    """Give numba's cache entries of ``package_dir``'s files the dependency digest.

    Adds, in front of numba's own locators, a subclass of each of numba's
    source-file locators that takes the package's files only and whose source
    stamp is (numba's stamp, :func:`dependency_digest`, the LLVM optimisation level of
    ``bifkit/_opt_level.py``).  Idempotent.
    """
    import importlib
    caching = importlib.import_module("numba.core.caching")   # (also while numba loads)
    package_dir = Path(package_dir).resolve()
    current = caching.CacheImpl._locator_classes
    if any(getattr(cls, "_bifkit_package", None) == package_dir for cls in current):
        return

    def from_function(cls, py_func, py_file):
        if not _in_package(py_file, package_dir):
            return None
        return super(cls, cls).from_function(py_func, py_file)

    def get_source_stamp(self):
        from ._opt_level import level
        return (super(type(self), self).get_source_stamp(),
                dependency_digest(self._py_file, package_dir), f"O{level()}")

    ours = [type(f"Dependency{base.__name__}", (base,),
                 {"_bifkit_package": package_dir, "from_function": classmethod(from_function),
                  "get_source_stamp": get_source_stamp})
            for base in current if issubclass(base, caching._SourceFileBackedLocatorMixin)]
    caching.CacheImpl._locator_classes = ours + list(current)


def install_on_import() -> None:
    """:func:`install` now if numba's caching module is loaded, else when it loads."""
    from ._threads import when_imported
    when_imported("numba.core.caching", install, tag="numba cache dependencies")
