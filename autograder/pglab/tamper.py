"""Tamper evidence: a static scan of the code a student wrote, for what REINFORCE never needs.

The scan parses each student cell (IPython syntax is first turned into Python, so ``!cmd``
and ``%magic`` become ``get_ipython()`` calls) and walks the syntax tree. It flags:

- assignments (also ``del``, ``setattr``) to attributes of imported modules, e.g.
  ``np.allclose = ...``;
- ``builtins`` / ``__builtins__``, ``sys.modules`` and the other import-system hooks;
- importing ``importlib``, ``ctypes``, ``gc``, ``inspect``, ``os``, ``pathlib``,
  ``subprocess``, ``socket`` and similar system modules;
- frame and object introspection (``sys._getframe``, ``f_back``, ``__subclasses__``...);
- ``open``, ``exec``, ``eval``, ``compile``, ``__import__`` and shell escapes/magics.

A flag quotes its line.  Grading adds flags of its own, about what the functions returned
rather than a line (line 0, see :func:`attribution_flags`): a function that answered the
same inputs differently in two cells, a helper right only in its own cell, an excuse that
could not be checked on any value (``checks/attribution.py``, which settles the scores; such
a cell has no automatic score and goes to a TA, ``preprocessors/write_verdicts.py``; the flag
itself changes nothing). Flags never change a score: they tell a TA where to look
(``pglab scan``, and the autograded notebook's metadata, see docs/sandbox.md).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import asdict, dataclass

import nbformat

SYSTEM_MODULES = {
    "builtins": "the builtins module",
    "importlib": "the import system",
    "ctypes": "raw memory access",
    "gc": "the garbage collector (reaches every live object)",
    "inspect": "frame and source introspection",
    "os": "the operating system (files, processes, environment)",
    "pathlib": "the file system",
    "shutil": "the file system",
    "io": "files",
    "subprocess": "other programs",
    "multiprocessing": "other processes",
    "signal": "signals",
    "socket": "the network",
    "urllib": "the network",
    "http": "the network",
    "requests": "the network",
    "sqlite3": "databases (the gradebook is one)",
    "pickle": "arbitrary object loading",
    "marshal": "code objects",
    "types": "building code and modules",
    "sys": "the interpreter's internals",
    "pty": "terminals",
}
DANGEROUS_CALLS = {
    "open": "opens a file",
    "exec": "runs code built at run time",
    "eval": "runs code built at run time",
    "compile": "builds code at run time",
    "__import__": "imports by name at run time",
    "globals": "reaches the notebook's global namespace",
    "vars": "reaches an object's namespace",
    "breakpoint": "starts a debugger",
}
INTERNALS = {
    "modules": "sys.modules (replaces imported modules)",
    "meta_path": "import hooks",
    "path_hooks": "import hooks",
    "settrace": "tracing other code",
    "setprofile": "tracing other code",
    "_getframe": "another function's frame",
    "currentframe": "another function's frame",
    "stack": "other functions' frames",
    "f_back": "a caller's frame",
    "f_globals": "a frame's globals",
    "f_locals": "a frame's locals",
    "f_builtins": "a frame's builtins",
    "tb_frame": "a traceback's frames",
    "gi_frame": "a generator's frame",
    "__subclasses__": "every subclass in the interpreter",
    "__globals__": "a function's globals",
    "__code__": "a function's code object",
    "__builtins__": "the builtins",
    "__dict__": "an object's namespace",
    "__class__": "an object's class",
    "__bases__": "a class's bases",
    "__mro__": "a class's bases",
}
SHELL = {"system", "getoutput", "run_line_magic", "run_cell_magic"}


@dataclass(frozen=True)
class Flag:
    """One suspicious construct: where it is, what it is, and the line itself."""

    cell: str  # the cell's grade_id, or "cell <n>" for a cell without one
    line: int  # 1-based, within the cell
    rule: str
    message: str
    code: str  # the line, stripped

    def text(self) -> str:
        if not self.line:  # a flag about what the functions returned, not about a line
            return f"{self.cell}: {self.message} [{self.rule}]"
        return f"{self.cell}, line {self.line}: {self.message} [{self.rule}]\n    {self.code}"

    def as_dict(self) -> dict:
        return asdict(self)


def python_source(cell_source: str) -> str:
    """The cell as plain Python: IPython's own transformation of ``!cmd`` and ``%magic``."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager
    except ImportError:  # pragma: no cover - IPython ships with nbgrader
        return cell_source
    return TransformerManager().transform_cell(cell_source)


class _Scanner(ast.NodeVisitor):
    def __init__(self, cell: str, lines: list[str]):
        self.cell, self.lines = cell, lines
        self.modules: set[str] = set()  # names bound to imported modules
        self.flags: list[Flag] = []

    def flag(self, node: ast.AST, rule: str, message: str) -> None:
        number = getattr(node, "lineno", 1)
        code = self.lines[number - 1].strip() if 0 < number <= len(self.lines) else ""
        self.flags.append(Flag(self.cell, number, rule, message, code))

    # imports ---------------------------------------------------------------------------
    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.modules.add(alias.asname or alias.name.split(".")[0])
            self._import(node, alias.name)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        self._import(node, node.module or "")
        for alias in node.names:
            if alias.name in DANGEROUS_CALLS or alias.name in INTERNALS:
                self.flag(node, "internals", f"imports {alias.name}")

    def _import(self, node: ast.AST, module: str) -> None:
        top = module.split(".")[0]
        if top in SYSTEM_MODULES:
            self.flag(node, f"import-{top}", f"imports {module}: {SYSTEM_MODULES[top]}")

    # assignments to modules ------------------------------------------------------------
    def _target(self, target: ast.AST, node: ast.AST, verb: str) -> None:
        if isinstance(target, ast.Attribute):
            base = target.value
            while isinstance(base, ast.Attribute):
                base = base.value
            if isinstance(base, ast.Name) and base.id in self.modules | {"__builtins__"}:
                dotted = ast.unparse(target)
                self.flag(node, "module-attribute", f"{verb} {dotted}, part of a module")
        elif isinstance(target, ast.Subscript):
            self._target(target.value, node, verb)
        elif isinstance(target, ast.Tuple | ast.List):
            for element in target.elts:
                self._target(element, node, verb)

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._target(target, node, "assigns")
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self._target(node.target, node, "assigns")
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self._target(node.target, node, "assigns")
        self.generic_visit(node)

    def visit_Delete(self, node: ast.Delete) -> None:
        for target in node.targets:
            self._target(target, node, "deletes")
        self.generic_visit(node)

    # calls, names, attributes ----------------------------------------------------------
    def visit_Call(self, node: ast.Call) -> None:
        function = node.func
        if isinstance(function, ast.Name):
            if function.id in DANGEROUS_CALLS:
                self.flag(node, f"call-{function.id}", f"{function.id}(): "
                          f"{DANGEROUS_CALLS[function.id]}")  # fmt: skip
            if function.id in ("setattr", "delattr") and node.args:
                first = node.args[0]
                if isinstance(first, ast.Name) and first.id in self.modules:
                    self.flag(node, "module-attribute", f"{function.id}() on module {first.id}")
            if function.id == "get_ipython":
                self.flag(node, "ipython", "get_ipython(): the kernel's own machinery")
        elif isinstance(function, ast.Attribute) and function.attr in SHELL:
            self.flag(node, "shell", f"{function.attr}(): a shell command or magic")
            for argument in [*node.args, *node.keywords]:
                self.visit(argument)
            return  # get_ipython() here is IPython's spelling of ! and %: one flag is enough
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        if node.id in ("__builtins__", "builtins") and node.id not in self.modules:
            self.flag(node, "builtins", f"uses {node.id}")
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr in INTERNALS:
            self.flag(node, "internals", f"{ast.unparse(node)}: {INTERNALS[node.attr]}")
        self.generic_visit(node)


def scan_code(source: str, cell: str = "code") -> list[Flag]:
    """Flags in one cell's source (IPython syntax allowed); a cell that does not parse is
    itself flagged, since nothing in it can be checked."""
    python = python_source(source)
    same_lines = python.rstrip("\n").count("\n") == source.rstrip("\n").count("\n")
    lines = source.splitlines() if same_lines else python.splitlines()
    try:
        tree = ast.parse(python)
    except SyntaxError as error:
        number = error.lineno or 1
        code = lines[number - 1].strip() if 0 < number <= len(lines) else ""
        return [Flag(cell, number, "unparsable", f"does not parse: {error.msg}", code)]
    scanner = _Scanner(cell, lines)
    scanner.visit(tree)
    unique = {(f.line, f.rule, f.message): f for f in scanner.flags}
    return sorted(unique.values(), key=lambda f: (f.line, f.rule))


def student_cells(notebook: nbformat.NotebookNode) -> Iterable[tuple[str, nbformat.NotebookNode]]:
    """(name, cell) of each code cell the student wrote: solution cells and cells of
    their own. Locked and test cells are the instructor's (nbgrader restores them)."""
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("locked") or (meta.get("grade") and not meta.get("solution")):
            continue
        yield meta.get("grade_id") or f"cell {index}", cell


def scan_notebook(notebook: nbformat.NotebookNode) -> list[Flag]:
    """Flags in every cell the student wrote. A cell past the judge's limits on how much code
    the grading process reads (``checks.verdict.analysed_sources``: a syntax tree takes about
    120 times its source's memory) is not scanned, and flagged as such for the TA."""
    from pglab.checks.verdict import analysed_sources

    code = [c for c in notebook.cells if c.cell_type == "code"]  # the judge reads them all
    sources = analysed_sources([c.source for c in code])
    read = {id(c) for c, kept in zip(code, sources, strict=True) if kept}
    flags = []
    for name, cell in student_cells(notebook):
        if cell.source and id(cell) not in read:
            size = len(cell.source)
            shown = f"{size / 1000:.0f} kB" if size >= 1000 else f"{size} characters"
            message = f"not scanned: {shown} of code, past what grading reads in a notebook"
            flags.append(Flag(name, 0, "not-scanned", message, ""))
            continue
        flags.extend(scan_code(cell.source, name))
    return flags


def attribution_flags(notes: Iterable) -> list[Flag]:
    """Flags for the notes ``pglab.checks.attribution.settle`` leaves for the TA."""
    return [Flag(note.cell, 0, note.rule, note.message, "") for note in notes]
