"""Builds the one C extension rtms-doctor ships: durable_rules' engine, from vendor/durable-rules.

Everything else (metadata, packages, data) is in pyproject.toml. durable_rules 2.0.28 is
vendored because its last release does not import on Python 3.13 (vendor/durable-rules/PATCHES.md);
its Python package `durable` and this extension `durable_rules_engine` keep their own top-level
names, so `from durable import engine` is unchanged.
"""
import sys

from setuptools import Extension, setup

DURABLE = "vendor/durable-rules/src"
CORE = ["json", "rete", "state", "events", "regex"]  # durable's own setup.py builds these as a static library first

setup(
    # pyproject maps top-level modules to vendor/durable-rules/libpy (so an editable install
    # builds the extension there); the project's own metadata stays at the root all the same
    options={"egg_info": {"egg_base": "."}},
    ext_modules=[
        Extension(
            "durable_rules_engine",
            sources=[f"{DURABLE}/rulespy/rules.c"] + [f"{DURABLE}/rules/{name}.c" for name in CORE],
            include_dirs=[f"{DURABLE}/rules"],
            depends=[f"{DURABLE}/rules/{name}.h" for name in ("json", "regex", "rete", "rules", "state")],
            # the flags durable's own setup.py sets through CFLAGS
            extra_compile_args=["-std=c99", "-D_GNU_SOURCE"] + (["-fcommon"] if sys.platform == "darwin" else []),
        )
    ],
)
