"""Records are untrusted kernel output: every malformed one is refused with a clear message."""

from __future__ import annotations

import base64
import copy
import dataclasses

import numpy as np
import pytest
from probe_kernel import record_outputs

from pglab.assignments import ASSIGNMENTS
from pglab.judge import judge_cell
from pglab.probes.runtime import RECORD_MIME
from pglab.records import RecordError, find_record

ASSIGNMENT = ASSIGNMENTS["reinforce"]
PROBE = ASSIGNMENT.probes["test_log_prob"]
CALLS = [len(c) for c in PROBE.rebuild_inputs()]


@pytest.fixture(scope="module")
def good_outputs():
    return record_outputs(PROBE)


def tampered(outputs, change):
    outputs = copy.deepcopy(outputs)
    change(outputs[0]["data"][RECORD_MIME])
    return outputs


def test_good_record_decodes(good_outputs):
    """A record written by the probe runtime decodes to one array per call."""
    (part,) = find_record(good_outputs, PROBE, CALLS)
    assert len(part.outputs) == CALLS[0] and all(o is not None for o in part.outputs)


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda r: r.update(seed=1), "belongs to another check"),
        (lambda r: r.update(probe="test_grad_log_prob"), "belongs to another check"),
        (lambda r: r.update(version=99), "expected format"),
        (lambda r: r["parts"].append(r["parts"][0]), "wrong number of parts"),
        (lambda r: r["parts"][0].update(values="!!!not base64"), "not valid base64"),
        (lambda r: r["parts"][0].update(values=r["parts"][0]["values"][:-8]), "truncated"),
        (
            lambda r: r["parts"][0].update(sizes=base64.b64encode(b"\0" * 8).decode()),
            "sizes does not match",
        ),
        (
            lambda r: r["parts"][0].update(values=base64.b64encode(np.zeros(3).tobytes()).decode()),
            "do not add up",
        ),
        (lambda r: r["parts"][0].update(calls=5), "does not describe"),
        (lambda r: r["parts"][0].update(function="optimal_baseline"), "does not describe"),
        (lambda r: r["parts"].__setitem__(0, "nonsense"), "not an object"),
        (lambda r: r["parts"][0].update(values=12), "not text"),
    ],
)
def test_malformed_record_is_refused(good_outputs, change, message):
    """Each way of corrupting a record is refused, with a message naming what is wrong."""
    with pytest.raises(RecordError, match=message):
        find_record(tampered(good_outputs, change), PROBE, CALLS)


def test_missing_record_fails_the_cell():
    """A cell with no record (it crashed first) fails, and the verdict says why."""
    outputs = [
        {"output_type": "error", "ename": "ZeroDivisionError", "evalue": "boom", "traceback": []}
    ]
    verdict = judge_cell(ASSIGNMENT, "test_log_prob", outputs)
    assert not verdict.passed
    assert "left no record" in verdict.summary and "ZeroDivisionError" in verdict.text()


def test_two_records_fail_the_cell(good_outputs):
    """A second, forged record in the same cell is refused rather than guessed between."""
    verdict = judge_cell(ASSIGNMENT, "test_log_prob", good_outputs + good_outputs)
    assert not verdict.passed and "more than one" in verdict.summary


def test_rows_reshape_the_records_values_as_stacking_the_calls_would():
    """``PartRecord.rows`` reads a run of calls as one array straight from the record's flat
    values: the same array as stacking the calls' outputs, read-only, and None when one of
    the calls raised or returned another number of values."""
    probe = ASSIGNMENT.probes["test_leave_one_out"]
    calls = [len(c) for c in probe.rebuild_inputs()]

    def baseline(rewards):
        rewards = np.asarray(rewards, dtype=float)
        if len(rewards) == 3 and rewards[0] > 2.5:
            raise ValueError("odd batch")
        if len(rewards) == 4 and rewards[0] > 2.5:
            return np.zeros(5)
        return (rewards.sum() - rewards) / (len(rewards) - 1)

    _, part = find_record(record_outputs(probe, leave_one_out_baseline=baseline), probe, calls)
    stacked = dataclasses.replace(part, flat=None)  # the path of a record built in memory
    per_size = calls[1] // 3
    assert any(out is None for out in part.outputs[per_size:])
    for record in (part, stacked):
        rows = record.rows(0, per_size, 2)
        np.testing.assert_array_equal(rows, np.stack(part.outputs[:per_size]))
        assert rows.shape == (per_size, 2) and not rows.flags.writeable
        assert record.rows(10, 20, 2).tolist() == np.stack(part.outputs[10:20]).tolist()
        assert record.rows(per_size, 2 * per_size, 3) is None  # some calls raised
        assert record.rows(2 * per_size, 3 * per_size, 4) is None  # some returned 5 values
        assert record.rows(0, per_size, 3) is None  # another size
        first_good = next(i for i in range(2 * per_size, 3 * per_size) if part.outputs[i].size == 4)
        np.testing.assert_array_equal(
            record.rows(first_good, first_good + 1, 4), part.outputs[first_good][None]
        )
