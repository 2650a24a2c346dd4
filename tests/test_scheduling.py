"""The order in which `make test` hands test files to its pytest-xdist workers
(tests/scheduling.py)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
import scheduling

TESTS = Path(__file__).resolve().parent
pytest_plugins = ["pytester"]


class Item(SimpleNamespace):
    """What scheduling reads of a pytest item."""

    __hash__ = object.__hash__

    def get_closest_marker(self, name):
        return (self.marks.get(name) or [None])[-1]


def _item(nodeid: str, marks=None, fixturenames=()) -> Item:
    return Item(nodeid=nodeid, marks=marks or {}, fixturenames=fixturenames)


def test_files_come_longest_first_each_in_its_own_order():
    listed = max(scheduling.FILE_SECONDS, key=scheduling.FILE_SECONDS.get)
    items = [
        _item("tests/cheap.py::test_1"),
        _item("tests/piped.py::test_2", marks={"pipeline": [pytest.mark.pipeline]}),
        _item(f"{listed}::test_4"),
        _item("tests/cheap.py::test_5"),
        _item("tests/corpus.py::test_6", fixturenames=("graded_x",)),
        _item(f"{listed}::test_3"),
        _item("tests/other_cheap.py::test_7"),
    ]
    scheduling.order_files(items)
    assert [i.nodeid.split("::")[1] for i in items] == [
        "test_4",  # the longest listed file, its tests in collection order
        "test_3",
        "test_6",  # a file that asks for a graded corpus class
        "test_2",  # a pipeline file
        "test_1",  # the rest in collection order
        "test_5",
        "test_7",
    ]


def _config(dist: str | None = None, mainargv: list[str] | None = None):
    config = SimpleNamespace(getoption=lambda name, default=None: dist or default)
    if mainargv is not None:
        config.workerinput = {"mainargv": mainargv}
    return config


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        (_config(dist="loadfile"), "loadfile"),
        (_config(), "no"),
        # a pytest-xdist worker: its own option says "no"; the controller's command line tells
        (_config("no", ["pytest", "-n", "3", "--dist", "loadfile"]), "loadfile"),
        (_config("no", ["pytest", "-n", "3", "--dist=loadfile"]), "loadfile"),
        (_config("no", ["pytest", "-n", "auto", "--dist", "load"]), "load"),
        (_config("no", ["pytest", "-n", "2"]), "no"),
    ],
)
def test_the_run_dist_mode_is_read_where_the_workers_can_see_it(config, expected):
    assert scheduling.controller_dist(config) == expected


def test_make_test_applies_the_order_in_its_workers(pytester, monkeypatch):
    """Under `--dist loadfile` with workers, the longest listed file is collected first (the
    hook is tests/conftest.py's: ``scheduling.apply``)."""
    pytester.makeconftest(
        "import scheduling\n"
        "def pytest_collection_modifyitems(config, items):\n"
        "    scheduling.apply(config, items)\n"
        "def pytest_collection_finish(session):\n"
        "    if hasattr(session.config, 'workerinput'):\n"
        "        with open('order-' + session.config.workerinput['workerid'], 'w') as f:\n"
        "            f.write(session.items[0].nodeid)\n"
    )
    listed = max(scheduling.FILE_SECONDS, key=scheduling.FILE_SECONDS.get)
    Path(pytester.path, "tests").mkdir()
    Path(pytester.path, "tests", "test_a.py").write_text("def test_a():\n    pass\n")
    Path(pytester.path, listed).write_text("def test_b():\n    pass\n")
    monkeypatch.setenv("PYTHONPATH", str(TESTS))
    result = pytester.runpytest_subprocess(
        "-p", "xdist", "-n", "2", "--dist", "loadfile", "--no-loadscope-reorder", "tests"
    )
    result.assert_outcomes(passed=2)
    firsts = {p.read_text() for p in pytester.path.glob("order-gw*")}
    assert firsts == {f"{listed}::test_b"}


@pytest.mark.parametrize("path", sorted(scheduling.FILE_SECONDS))
def test_every_listed_file_exists(path):
    """A renamed file leaves its figure behind: it must be renamed here too."""
    assert (TESTS.parent / path).is_file(), path
