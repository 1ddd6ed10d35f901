"""The report sandbox's shortcuts (output/sandbox.py) give what the stock Jinja2 sandbox gives,
and what the stock sandbox refuses stays refused."""
from __future__ import annotations

import pytest
from jinja2 import StrictUndefined
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment

from rtms_doctor.output.sandbox import ReportSandbox

TEMPLATES = [
    "{{ d.k }}|{{ d.missing is defined }}|{{ d['k'] }}",
    "{{ d.items is defined }}|{{ d.keys() | list }}|{{ d.get('k') }}",
    # a key named like a dict method: the method wins, as in the stock sandbox
    "{{ d.values is defined }}|{{ d.values() | list | length }}|{{ d['values'] }}",
    "{{ d.__class__ is defined }}|{{ d._private is defined }}|{{ d.__dict__ is defined }}",
    "{% for x in d.list %}{{ loop.index }}{{ loop.index0 }}{{ loop.first }}{{ loop.last }}"
    "{{ loop.length }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.depth }}{{ loop.depth0 }};{% endfor %}",
    "{% for x in d.list %}{{ loop.__class__ is defined }}{{ loop._iterator is defined }}"
    "{{ loop.cycle('a', 'b') }}{{ loop.changed(x) }}{{ loop.previtem is defined }}{% endfor %}",
    "{{ d.nested.inner.k }}|{{ d.obj.name }}|{{ d.obj.__init__ is defined }}",
    "{{ d.s.format is defined }}|{{ d.s.upper() }}",
]


class _Thing:
    name = "thing"


def _context() -> dict:
    return {"d": {"k": "v", "values": "shadowed", "_private": 1, "list": [1, 2, 3],
                  "nested": {"inner": {"k": 2}}, "obj": _Thing(), "s": "text"}}


@pytest.mark.parametrize("source", TEMPLATES)
def test_the_report_sandbox_renders_as_the_stock_sandbox(source: str) -> None:
    ours = ReportSandbox().from_string(source).render(_context())
    stock = SandboxedEnvironment().from_string(source).render(_context())
    assert ours == stock


@pytest.mark.parametrize("source", ["{{ d.missing }}", "{{ d.__class__ }}", "{{ d.obj.__init__ }}",
                                    "{% for x in d.list %}{{ loop._iterator }}{% endfor %}"])
def test_undefined_and_unsafe_stay_errors_under_strict_undefined(source: str) -> None:
    raised = []
    for env in (ReportSandbox(undefined=StrictUndefined), SandboxedEnvironment(undefined=StrictUndefined)):
        with pytest.raises((SecurityError, UndefinedError)) as caught:
            env.from_string(source).render(_context())
        raised.append(caught.type)
    assert raised[0] is raised[1]


def test_unsafe_calls_stay_refused() -> None:
    source = "{{ d.s.format.__globals__ }}{{ ''.__class__.__mro__[1].__subclasses__() }}"
    for env in (ReportSandbox(undefined=StrictUndefined), SandboxedEnvironment(undefined=StrictUndefined)):
        with pytest.raises((SecurityError, UndefinedError)):
            env.from_string(source).render(_context())
