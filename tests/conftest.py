"""Shared fixtures: the shipped knowledge base and one engine for the whole run.

durable_rules cannot register a ruleset name twice in one Host, and building the engine costs
a few milliseconds, so one Doctor serves every test that uses the shipped KB.

Property tests explore new random examples on every run on a developer's machine (that is how
they find bugs); under CI=true they are derandomized, so a CI run's verdict depends only on
the commit (tests/test_fuzz.py is derandomized everywhere).
"""
from __future__ import annotations

import os

import pytest
from hypothesis import settings

settings.register_profile("ci", derandomize=True, database=None)
settings.load_profile("ci" if os.environ.get("CI") else "default")

from rtms_doctor.reasoning.diagnosis import Doctor
from rtms_doctor.knowledge.load import load_knowledge


@pytest.fixture(scope="session")
def kb():
    return load_knowledge()


@pytest.fixture(scope="session")
def doctor(kb):
    return Doctor(kb)
