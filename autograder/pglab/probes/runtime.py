"""The code a hidden test cell runs inside the student's kernel.

A probe only *records*: it rebuilds seeded inputs, calls the student's functions on them
and displays what came back as one ``application/vnd.pglab.record+json`` output.  It
decides nothing: the verdict is computed later, in the grading process, from the record
and inputs that the grader rebuilds itself from the same seed.

The functions here are copied verbatim into every hidden cell (see ``render``), so they
may use only the standard library, numpy and IPython, and must not rely on module state.
"""

RECORD_MIME = "application/vnd.pglab.record+json"
RECORD_VERSION = 1


def _pglab_emit(probe, seed, parts):
    """Call each (function name, inputs builder, stream) part; display one record of outputs."""
    import base64
    import traceback

    import numpy
    from IPython.display import display

    def encode(array):
        return base64.b64encode(numpy.ascontiguousarray(array).tobytes()).decode("ascii")

    record = {"version": 1, "probe": probe, "seed": seed, "parts": []}
    for name, build_inputs, stream in parts:
        calls = build_inputs(numpy.random.default_rng([seed, stream]))
        function = globals().get(name)
        values, sizes, ndims, errors = [], [], [], []
        for call_index, args in enumerate(calls):
            try:
                if not callable(function):
                    raise NameError(f"name '{name}' is not defined as a function")
                out = numpy.asarray(function(*args), dtype=numpy.float64)
            except BaseException as error:  # noqa: BLE001 - any failure is a finding
                if isinstance(error, KeyboardInterrupt):
                    raise
                sizes.append(-1)
                ndims.append(-1)
                if len(errors) < 3:
                    frames = traceback.extract_tb(error.__traceback__)
                    line = frames[-1].lineno if frames else None
                    errors.append(
                        {
                            "call": call_index,
                            "type": type(error).__name__,
                            "message": str(error)[:300],
                            "line": line,
                        }
                    )
                continue
            values.append(out.ravel())
            sizes.append(out.size)
            ndims.append(out.ndim)
        flat = numpy.concatenate(values) if values else numpy.zeros(0)
        record["parts"].append(
            {
                "function": name,
                "calls": len(calls),
                "values": encode(flat.astype("<f8")),
                "sizes": encode(numpy.asarray(sizes, dtype="<i8")),
                "ndims": encode(numpy.asarray(ndims, dtype="<i8")),
                "errors": errors,
            }
        )
    summary = ", ".join(f"{p['function']} x{p['calls']}" for p in record["parts"])
    display(
        {
            "application/vnd.pglab.record+json": record,
            "text/plain": f"pglab record for {probe}: {summary}",
        },
        raw=True,
    )


def _pglab_emit_adapted(probe, seed, parts, adapters):
    """``_pglab_emit``, with each function named in ``adapters`` called through its adapter.

    ``adapter(function, args)`` calls the student's function the way its contract says (for a
    torch loss: tensors in, ``.backward()``, gradients out) and returns the numpy values to
    record.  The notebook's own binding of the name is restored afterwards.
    """
    namespace = globals()

    def bind(adapter, function):
        def call(*args):
            return adapter(function, args)

        return call

    originals = {}
    for name, adapter in adapters.items():
        function = namespace.get(name)
        if callable(function):
            originals[name] = function
            namespace[name] = bind(adapter, function)
    try:
        _pglab_emit(probe, seed, parts)
    finally:
        namespace.update(originals)
