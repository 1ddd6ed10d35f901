"""The durable_rules in use is the vendored build with PyEval_CallObject replaced
(vendor/durable-rules/PATCHES.md), so the same engine runs on every supported Python.

The five replaced calls sit in the callbacks durable_rules makes into Python when a ruleset
has persistence callbacks set; rtms-doctor's own engine sets none, so the rest of the suite
never reaches them. The last test drives all five, on whatever Python runs the suite.
"""
from __future__ import annotations

import json
from importlib import metadata
from pathlib import Path

import durable
import durable_rules_engine
import pytest

REINSTALL = ("`pip uninstall -y durable-rules`, then reinstall rtms-doctor (pip install . or "
             "pip install -e '.[test]'): the vendored durable_rules is built by rtms-doctor's install")


def test_no_separate_durable_rules_distribution():
    # PyPI's durable-rules 2.0.28 would shadow the vendored package (same module names) and
    # does not import on Python 3.13; an environment upgraded from an older rtms-doctor has it.
    try:
        found = metadata.distribution("durable-rules")
    except metadata.PackageNotFoundError:
        return
    pytest.fail(f"durable-rules {found.version} is installed separately: {REINSTALL}")


def test_the_extension_is_the_patched_build():
    binary = Path(durable_rules_engine.__file__).read_bytes()
    assert b"PyEval_CallObject" not in binary, f"{durable_rules_engine.__file__} is not the patched build: {REINSTALL}"
    assert b"PyObject_CallObject" in binary
    # the Python package and its extension come from the same place (the wheel, or the
    # vendored folder in an editable install)
    assert Path(durable.__file__).resolve().parent.parent == Path(durable_rules_engine.__file__).resolve().parent


def test_every_patched_callback_calls_into_python():
    calls: list[tuple] = []

    def record(name):  # type: ignore[no-untyped-def]
        def callback(*args):  # type: ignore[no-untyped-def]
            calls.append((name, *args))
            return 0  # RULES_OK
        return callback

    definition = json.dumps({"r": {"all": [{"m": {"x": 1}}]}})
    stored = durable_rules_engine.create_ruleset("probe_stored", definition)
    queued = durable_rules_engine.create_ruleset("probe_queued", definition)
    try:
        durable_rules_engine.set_store_message_callback(stored, record("store"))
        durable_rules_engine.set_delete_message_callback(stored, record("delete"))
        durable_rules_engine.set_get_idle_state_callback(stored, record("idle"))
        durable_rules_engine.set_get_queued_messages_callback(stored, record("queued"))
        durable_rules_engine.set_queue_message_callback(queued, record("queue"))

        fact = json.dumps({"sid": "7", "x": 1})
        durable_rules_engine.assert_fact(stored, fact)            # stores the fact and the state
        assert durable_rules_engine.start_action(stored) is not None  # asks for idle state and queued messages; r fires
        durable_rules_engine.retract_fact(stored, fact)           # deletes the stored fact
        durable_rules_engine.assert_fact(queued, fact)            # unknown session: queued, not created
    finally:
        durable_rules_engine.delete_ruleset(stored)
        durable_rules_engine.delete_ruleset(queued)

    names = {call[0] for call in calls}
    assert names == {"store", "delete", "idle", "queued", "queue"}, calls
    assert ("idle", "probe_stored") in calls and ("queued", "probe_stored", "7") in calls
    queue_call = next(call for call in calls if call[0] == "queue")
    assert queue_call[1:3] == ("probe_queued", "7") and json.loads(queue_call[-1]) == {"sid": "7", "x": 1}
