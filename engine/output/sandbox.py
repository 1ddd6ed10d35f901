"""The templates' sandbox: Jinja2's SandboxedEnvironment, with a cheaper way to the two lookups
a report makes by the hundred (a view dict's key, a for-loop's counters), each giving exactly
what the stock sandbox gives.

`x.k` in a template calls `getattr(x, "k")`. For a plain dict the stock sandbox first tries the
Python attribute, which fails with an AttributeError for every key that is not a dict method,
and only then the item; building that exception is most of the cost of a report's ~900
lookups. Everything else (any other type, a dict attribute such as `items`) takes the stock
path with its safety checks.
"""
from __future__ import annotations

from typing import Any

from jinja2.runtime import LoopContext
from jinja2.sandbox import SandboxedEnvironment

# every name a plain dict answers as an attribute (its type's and object's): these keep the
# stock order (attribute first); for any other name getattr on a dict can only fail
_DICT_ATTRIBUTES = frozenset(dir(dict))
# the loop counters the templates read; plain public data the stock check lets through
_LOOP_COUNTERS = frozenset(("index", "index0", "revindex", "revindex0", "first", "last", "length",
                            "depth", "depth0"))


class ReportSandbox(SandboxedEnvironment):
    def getattr(self, obj: Any, attribute: str) -> Any:
        kind = type(obj)
        if kind is dict and attribute not in _DICT_ATTRIBUTES:
            try:  # where the stock getattr ends up after its AttributeError
                return obj[attribute]
            except (TypeError, LookupError):
                pass  # undefined, as the stock path says
        elif kind is LoopContext and attribute in _LOOP_COUNTERS:
            return getattr(obj, attribute)  # public, not a str method: the stock checks pass it
        return super().getattr(obj, attribute)
