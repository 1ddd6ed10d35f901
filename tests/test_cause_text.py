"""A finding's cause texts, laid out once per cause (output/cause_text.py), are what the report
laid out inline in every finding, for every cause of the KB; a warm Renderer writes the same
reports as a fresh one; an edited report-cause.md.j2 shows in the next report."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from helpers import REPO
from rtms_doctor.ingest import read_inputs
from rtms_doctor.output.cause_text import TEMPLATE
from rtms_doctor.output.render import Renderer

# the layout report.md.j2 had inline, per finding, before the cause texts moved out
INLINE = """**Why it happens.** {{ f.why }}

**How to fix it**

{% for step in f.remediation %}
{{ loop.index }}. {{ step.text }}{% if step.where %} *Where:* {{ step.where }}{% endif %}

{% if step.snippet %}
   ```{{ step.lang }}
{{ step.snippet | indent(3, true) }}
   ```

{% endif %}
{% endfor %}
@@
**References:** {% for ref in f.references %}[{{ ref.title }}]({{ ref.url }}){% if not loop.last %}; {% endif %}{% endfor %}

"""
POSTS = sorted((REPO / "tests" / "fixtures" / "posts").glob("*.txt"))[:6]


def test_every_cause_text_is_the_inline_layout(kb) -> None:
    renderer = Renderer(kb)
    inline = SandboxedEnvironment(undefined=StrictUndefined, keep_trailing_newline=True, trim_blocks=True,
                                  lstrip_blocks=True).from_string(INLINE)
    texts = renderer.cause_texts()
    for cause_id in kb.causes:
        fix, references = inline.render(f=renderer.cause_parts(cause_id)).split("@@\n")
        assert texts[cause_id]["fix"] == fix
        assert texts[cause_id]["references"] + "\n" == references


@pytest.mark.parametrize("path", POSTS, ids=lambda p: p.name)
def test_a_warm_renderer_writes_what_a_fresh_one_writes(kb, doctor, path: Path) -> None:
    warm = Renderer(kb)
    for other in POSTS:  # every cause these posts show is laid out and kept
        warm.markdown(doctor.diagnose(read_inputs([str(other)], kb)))
    diagnosis = doctor.diagnose(read_inputs([str(path)], kb))
    assert warm.markdown(diagnosis) == Renderer(kb).markdown(diagnosis)


def test_an_edited_cause_template_shows_in_the_next_report(kb, doctor, tmp_path: Path) -> None:
    shutil.copytree(REPO / "reports", tmp_path / "reports")
    renderer = Renderer(kb)
    renderer.env.loader = FileSystemLoader(str(tmp_path / "reports"))
    diagnosis = doctor.diagnose(read_inputs([str(POSTS[0])], kb))
    before = renderer.markdown(diagnosis)
    assert "**Why it happens.**" in before
    path = tmp_path / "reports" / TEMPLATE
    path.write_text(path.read_text().replace("**Why it happens.**", "**Why it goes wrong.**"))
    later = os.stat(path).st_mtime + 10
    os.utime(path, (later, later))  # Jinja reloads a template whose modification time changed
    after = renderer.markdown(diagnosis)
    assert after == before.replace("**Why it happens.**", "**Why it goes wrong.**")
