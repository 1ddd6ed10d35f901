"""Shared fixtures: the shipped knowledge base and one engine for the whole run.

durable_rules cannot register a ruleset name twice in one Host, and building the engine costs
a few milliseconds, so one Doctor serves every test that uses the shipped KB.
"""
from __future__ import annotations

import pytest

from rtms_doctor.diagnosis import Doctor
from rtms_doctor.knowledge import load_knowledge


@pytest.fixture(scope="session")
def kb():
    return load_knowledge()


@pytest.fixture(scope="session")
def doctor(kb):
    return Doctor(kb)
