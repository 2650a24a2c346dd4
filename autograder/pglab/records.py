"""Reading the records that probes leave in a graded cell's outputs.

A record is data from an untrusted kernel: every field is validated, arrays are decoded
with ``numpy.frombuffer`` (never unpickled), and anything unexpected becomes a
:class:`RecordError` whose message the student can read.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

import numpy as np

from pglab.probes import Probe
from pglab.probes.runtime import RECORD_MIME, RECORD_VERSION


class RecordError(Exception):
    """The cell left no usable record; the message says why, in the student's terms."""


@dataclass(frozen=True)
class CallError:
    call: int
    type: str
    message: str


@dataclass(frozen=True)
class PartRecord:
    """What one student function returned for each call of one probe part.

    ``outputs[i]`` is the float64 array returned by call i, or None if the call raised.
    """

    function: str
    outputs: list[np.ndarray | None]
    ndims: list[int]
    errors: list[CallError]
    #: The record's flat values and each call's number of them (-1: the call raised), when
    #: read from a record: ``rows`` then reshapes instead of stacking.
    flat: tuple[np.ndarray, np.ndarray] | None = None

    def first_error(self) -> CallError | None:
        return self.errors[0] if self.errors else None

    def rows(self, start: int, stop: int, size: int) -> np.ndarray | None:
        """``outputs[start:stop]`` as one read-only array of shape ``(stop - start, size)``, or
        None if any of those calls raised or returned another number of values."""
        if self.flat is None:
            chunk = self.outputs[start:stop]
            if any(out is None or out.size != size for out in chunk):
                return None
            rows = np.stack(chunk).reshape(len(chunk), size) if chunk else np.empty((0, size))
            rows.setflags(write=False)
            return rows
        values, sizes = self.flat
        if not np.all(sizes[start:stop] == size):
            return None
        first = int(np.maximum(sizes[:start], 0).sum())
        rows = values[first : first + (stop - start) * size].reshape(stop - start, size)
        rows.setflags(write=False)
        return rows


def _decode(text: object, dtype: str, what: str) -> np.ndarray:
    if not isinstance(text, str):
        raise RecordError(f"the record's {what} is not text")
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as error:
        raise RecordError(f"the record's {what} is not valid base64") from error
    if len(raw) % np.dtype(dtype).itemsize:
        raise RecordError(f"the record's {what} has a truncated array")
    return np.frombuffer(raw, dtype=dtype)


def _part(data: object, expected_function: str, expected_calls: int) -> PartRecord:
    if not isinstance(data, dict):
        raise RecordError("a part of the record is not an object")
    if data.get("function") != expected_function or data.get("calls") != expected_calls:
        raise RecordError(
            f"the record does not describe {expected_calls} calls of {expected_function}"
        )
    values = _decode(data.get("values"), "<f8", "values")
    sizes = _decode(data.get("sizes"), "<i8", "sizes")
    ndims = _decode(data.get("ndims"), "<i8", "shapes")
    if sizes.size != expected_calls or ndims.size != expected_calls:
        raise RecordError("the record's list of output sizes does not match its calls")
    if np.any(sizes < -1) or int(sizes[sizes > 0].sum()) != values.size:
        raise RecordError("the record's output sizes do not add up")
    outputs: list[np.ndarray | None] = []
    offset = 0
    for size, ndim in zip(sizes.tolist(), ndims.tolist(), strict=True):
        if size < 0:
            outputs.append(None)
            continue
        chunk = values[offset : offset + size]
        offset += size
        outputs.append(chunk.reshape(()) if ndim == 0 else chunk)
    errors = []
    for item in data.get("errors") or []:
        if isinstance(item, dict):
            errors.append(
                CallError(
                    int(item.get("call", -1)),
                    str(item.get("type", "Exception"))[:80],
                    str(item.get("message", ""))[:300],
                )
            )
    return PartRecord(expected_function, outputs, ndims.tolist(), errors, (values, sizes))


def find_record(outputs: list, probe: Probe, expected_calls: list[int]) -> list[PartRecord]:
    """The decoded parts of ``probe``'s record among a cell's outputs.

    Exactly one record for this probe must be present; one for another probe, a second
    copy, or a malformed one is refused.
    """
    found = [
        o["data"][RECORD_MIME]
        for o in outputs
        if o.get("output_type") == "display_data" and RECORD_MIME in o.get("data", {})
    ]
    if not found:
        raise RecordError("the hidden checks left no record: the cell stopped before they ran")
    if len(found) > 1:
        raise RecordError("the cell produced more than one check record")
    data = found[0]
    if not isinstance(data, dict) or data.get("version") != RECORD_VERSION:
        raise RecordError("the check record is not in the expected format")
    if data.get("probe") != probe.name or data.get("seed") != probe.seed:
        raise RecordError("the check record belongs to another check")
    parts = data.get("parts")
    if not isinstance(parts, list) or len(parts) != len(probe.parts):
        raise RecordError("the check record has the wrong number of parts")
    return [
        _part(raw, spec.function, calls)
        for raw, spec, calls in zip(parts, probe.parts, expected_calls, strict=True)
    ]
