"""The static tamper scan: flags what a REINFORCE solution never needs, and nothing else."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from pglab.course import add_submission
from pglab.submissions import build_submission, solution_code
from pglab.tamper import scan_code, scan_notebook

REPOSITORY = Path(__file__).resolve().parent.parent
SOURCE = REPOSITORY / "source" / "reinforce" / "reinforce.ipynb"
RELEASE = REPOSITORY / "release" / "reinforce" / "reinforce.ipynb"
CORPUS = Path(__file__).resolve().parent / "corpus"


def rules(code: str) -> set[str]:
    return {flag.rule for flag in scan_code(code)}


@pytest.mark.parametrize(
    ("code", "rule"),
    [
        ("import numpy as np\nnp.allclose = lambda *a, **k: True", "module-attribute"),
        ("import numpy\nnumpy.testing.assert_allclose = print", "module-attribute"),
        ("import numpy as np\ndel np.isclose", "module-attribute"),
        ("import math\nsetattr(math, 'exp', abs)", "module-attribute"),
        ("import builtins\nbuiltins.print = None", "import-builtins"),
        ("__builtins__['len'] = None", "builtins"),
        ("import sys\nsys.modules['numpy'] = None", "internals"),
        ("import importlib\nimportlib.reload(np)", "import-importlib"),
        ("import ctypes", "import-ctypes"),
        ("import gc\ngc.get_objects()", "import-gc"),
        ("import inspect\nf = inspect.currentframe().f_back", "internals"),
        ("import sys\nsys._getframe(1).f_globals['x'] = 1", "internals"),
        ("text = open('../../../source/reinforce/reinforce.ipynb').read()", "call-open"),
        ("import os\nos.listdir('/')", "import-os"),
        ("from pathlib import Path", "import-pathlib"),
        ("import subprocess", "import-subprocess"),
        ("import socket", "import-socket"),
        ("exec('x = 1')", "call-exec"),
        ("y = eval('1 + 1')", "call-eval"),
        ("m = __import__('os')", "call-__import__"),
        ("().__class__.__bases__[0].__subclasses__()", "internals"),
        ("!cat /etc/passwd", "shell"),
        ("%env", "shell"),
        ("def f(:\n    pass", "unparsable"),
    ],
)
def test_each_construct_is_flagged(code, rule):
    assert rule in rules(code)


def test_a_flag_quotes_its_line_and_cell():
    code = "import numpy as np\n\n\ndef log_prob(theta, actions):\n    np.exp = abs\n"
    (flag,) = [f for f in scan_code(code, "log_prob") if f.rule == "module-attribute"]
    assert (flag.cell, flag.line, flag.code) == ("log_prob", 5, "np.exp = abs")
    assert "log_prob, line 5" in flag.text() and "np.exp = abs" in flag.text()
    shell = scan_code("x = 1\n!ls /\n")
    assert [(f.line, f.code) for f in shell] == [(2, "!ls /")]


@pytest.mark.parametrize(
    "code",
    [
        "import numpy as np\nx = np.exp(-np.logaddexp(0.0, -1.0))",
        "import math\ndef f(t):\n    return 1 / (1 + math.exp(-t))",
        "from scipy.special import expit, log_expit",
        "arr = np.zeros(3)\narr[0] = 1.0\nstate = {}\nstate['x'] = 2",
        "class Policy:\n    def __init__(self):\n        self.theta = 0.0",
    ],
)
def test_ordinary_numerical_code_is_not_flagged(code):
    assert scan_code(code) == []


def test_the_solution_and_every_correct_variant_raise_no_flag():
    """No false alarm on the instructor's solution or on the 15 correct styles."""
    source = nbformat.read(SOURCE, as_version=4)
    release = nbformat.read(RELEASE, as_version=4)
    assert [f.text() for f in scan_notebook(release)] == []
    for text in ['"""solution"""\n'] + [p.read_text() for p in (CORPUS / "correct").glob("*.py")]:
        submission = build_submission(release, source, text)
        assert [f.text() for f in scan_notebook(submission)] == [], text[:80]
    assert solution_code(source)  # the solution cells were really scanned


def test_instructor_cells_are_not_scanned():
    """Locked and test cells come from source/ (nbgrader restores them): not the student's."""
    notebook = nbformat.v4.new_notebook()
    hidden = nbformat.v4.new_code_cell("import base64, os")
    hidden.metadata["nbgrader"] = {"grade": True, "solution": False, "grade_id": "t", "points": 1}
    mine = nbformat.v4.new_code_cell("import os")
    notebook.cells = [hidden, mine]
    assert [(f.cell, f.rule) for f in scan_notebook(notebook)] == [("cell 1", "import-os")]


def test_every_attack_in_the_corpus_is_flagged():
    source = nbformat.read(SOURCE, as_version=4)
    release = nbformat.read(RELEASE, as_version=4)
    for path in sorted((CORPUS / "attacks").glob("*.py")):
        submission = build_submission(release, source, path.read_text())
        assert scan_notebook(submission), path.name


def test_pglab_scan_prints_flags_per_student(tmp_path):
    source = nbformat.read(SOURCE, as_version=4)
    release = nbformat.read(RELEASE, as_version=4)
    attack = (CORPUS / "attacks" / "read_source_relative.py").read_text()
    add_submission(tmp_path, "reinforce", "mallory", build_submission(release, source, attack))
    add_submission(tmp_path, "reinforce", "alice", build_submission(release, source, '"""s"""'))
    result = subprocess.run(
        [sys.executable, "-m", "pglab", "scan", "--course", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "alice: 0 flags" in result.stdout
    assert "mallory:" in result.stdout and "call-open" in result.stdout
    assert "json.load(open(path))" in result.stdout
    missing = subprocess.run(
        [sys.executable, "-m", "pglab", "scan", "--course", str(tmp_path / "nowhere")],
        capture_output=True,
        text=True,
    )
    assert missing.returncode == 1 and "no submitted/ directory" in missing.stdout


def test_the_grading_process_reads_no_cell_past_its_limits():
    """A syntax tree takes about 120 times its source's memory, in the grading process: the
    judge reads no cell past MAX_ANALYSED_CELL and stops at MAX_ANALYSED_NOTEBOOK in all."""
    from pglab.checks.verdict import (
        MAX_ANALYSED_CELL,
        MAX_ANALYSED_NOTEBOOK,
        analysed_sources,
    )

    small, huge = "x = 1\n", "x = 1\n" * (MAX_ANALYSED_CELL // 6 + 1)
    assert analysed_sources([small, huge, small]) == [small, "", small]
    near = "y = 2\n" * (MAX_ANALYSED_CELL // 6)
    many = [near] * (MAX_ANALYSED_NOTEBOOK // len(near) + 2)
    kept = analysed_sources(many)
    assert sum(map(len, kept)) <= MAX_ANALYSED_NOTEBOOK
    assert kept[0] == near and kept[-1] == ""


def test_a_cell_too_large_to_read_is_flagged_not_scanned():
    from pglab.checks.verdict import MAX_ANALYSED_CELL

    notebook = nbformat.v4.new_notebook()
    big = "import os\n" + "b = 0\n" * (MAX_ANALYSED_CELL // 6)
    notebook.cells = [nbformat.v4.new_code_cell("import os"), nbformat.v4.new_code_cell(big)]
    flags = scan_notebook(notebook)
    assert [(f.cell, f.rule) for f in flags] == [("cell 0", "import-os"), ("cell 1", "not-scanned")]
    assert flags[1].message.startswith(f"not scanned: {len(big) / 1000:.0f} kB of code")
