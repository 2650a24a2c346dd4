"""How `make test` groups tests for its pytest-xdist workers (tests/scheduling.py)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
import scheduling

TESTS = Path(__file__).resolve().parent


def _definition(scope: str) -> SimpleNamespace:
    return SimpleNamespace(scope=scope)


class Item(SimpleNamespace):
    """What scheduling reads of a pytest item."""

    __hash__ = object.__hash__

    def get_closest_marker(self, name):
        return (self.marks.get(name) or [None])[-1]

    def add_marker(self, mark):
        self.marks.setdefault(mark.name, []).append(mark)


def _item(nodeid: str, marks=None, fixturenames=(), **fixtures) -> Item:
    info = SimpleNamespace(name2fixturedefs={name: (d,) for name, d in fixtures.items()})
    return Item(nodeid=nodeid, _fixtureinfo=info, marks=marks or {}, fixturenames=fixturenames)


def test_a_split_file_keeps_the_users_of_a_module_fixture_together():
    split = sorted(scheduling.SPLIT_FILES)[0]
    shared, other, function = _definition("module"), _definition("class"), _definition("function")
    items = [
        _item(f"{split}::test_a[1]", klass=shared, tmp_path=function),
        _item(f"{split}::test_b", tmp_path=function),
        _item(f"{split}::test_c", klass=shared, other=other),
        _item(f"{split}::test_d", other=other),
        _item(f"{split}::test_e", tmp_path=function),
        _item("tests/not_split.py::test_f"),
        _item("tests/not_split.py::test_g", tmp_path=function),
    ]
    names = scheduling.unit_names(items)
    assert [names[i] for i in items] == [
        f"{split}::test_a",  # a, c and d share klass or other: one unit, named by its first
        f"{split}::test_b",
        f"{split}::test_a",
        f"{split}::test_a",
        f"{split}::test_e",
        "tests/not_split.py",
        "tests/not_split.py",
    ]


def test_longest_units_come_first_and_a_unit_keeps_its_order():
    listed = next(k for k in scheduling.UNIT_SECONDS if "::" not in k)
    items = [
        _item("tests/cheap.py::test_1"),
        _item("tests/piped.py::test_2", marks={"pipeline": [pytest.mark.pipeline]}),
        _item(f"{listed}::test_3"),
        _item(f"{listed}::test_4"),
        _item("tests/corpus.py::test_5", fixturenames=("graded_x",)),
    ]
    scheduling.schedule(items)
    order = [i.nodeid.split("::")[1] for i in items]
    if scheduling.UNIT_SECONDS[listed] > scheduling.UNLISTED_GRADED_CLASS_SECONDS:
        assert order == ["test_3", "test_4", "test_5", "test_2", "test_1"]
    else:
        assert order == ["test_5", "test_3", "test_4", "test_2", "test_1"]
    groups = {i.nodeid: i.marks["xdist_group"][0].args[0] for i in items}
    assert groups[f"{listed}::test_3"] == groups[f"{listed}::test_4"] == listed


def test_whole_files_come_longest_first_each_in_its_own_order():
    split = sorted(scheduling.SPLIT_FILES)[0]
    listed = [k for k in scheduling.UNIT_SECONDS if k.startswith(f"{split}::")]
    items = [
        _item("tests/cheap.py::test_1"),
        _item(f"{split}::test_unlisted"),
        *(_item(unit) for unit in reversed(listed)),
        _item("tests/cheap.py::test_2"),
    ]
    before = [i.nodeid for i in items]
    scheduling.schedule(items, whole_files=True)
    after = [i.nodeid for i in items]
    in_split = [n for n in before if n.startswith(split)]
    assert after == [*in_split, "tests/cheap.py::test_1", "tests/cheap.py::test_2"]


@pytest.mark.parametrize("unit", sorted(scheduling.UNIT_SECONDS))
def test_every_listed_unit_names_a_test_file_or_test(unit):
    """A renamed file or test leaves its figure behind: it must be renamed here too."""
    path, _, test = unit.partition("::")
    source = (TESTS.parent / path).read_text()
    if test:
        assert path in scheduling.SPLIT_FILES, unit
        assert f"def {test}(" in source, unit
