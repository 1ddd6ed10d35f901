"""Symptom words in a line of code are not symptoms (reader._symptoms_that_happened): code that
handles endpoint.url_validation says nothing of a validation that failed."""
from __future__ import annotations

import pytest

from helpers import read_post

CODE = """\
join() fails with an error.
```ts
if (body.event === 'endpoint.url_validation') {
  return reply.send(validationResponse(body.payload.plainToken));
}
```
"""


def _symptoms(tmp_path, kb, text: str) -> set[str]:
    resolved = read_post(tmp_path, kb, text)
    return {m.sign.owner for m in resolved.signs if m.sign.owner.startswith("symptom:")}


def test_symptom_words_in_code_are_not_symptoms(tmp_path, kb):
    assert "symptom:webhook_problems" not in _symptoms(tmp_path, kb, CODE)


def test_the_same_words_in_prose_still_are(tmp_path, kb):
    text = "The endpoint URL validation fails every time: Zoom says the URL could not be validated.\n"
    assert "symptom:webhook_problems" in _symptoms(tmp_path, kb, text)



@pytest.mark.parametrize("line", [
    "If I start a meeting from the desktop client, no rtms_started ever arrives.",
    "From the logs: no rtms_started ever arrives for these meetings.",
])
def test_prose_that_opens_like_a_statement_keyword_is_not_code(tmp_path, kb, line):
    assert "symptom:no_start_event" in _symptoms(tmp_path, kb, line + "\n")


def test_lines_of_a_fenced_block_marked_as_code_are_code(tmp_path, kb):
    text = ('Webinars never start.\n```java\n@PostMapping("/zoom/events")\npublic ResponseEntity<?> onEvent(\n'
            '        @RequestHeader("x-zm-signature") String sig) {\n    switch (event) {\n'
            '        case "endpoint.url_validation":\n            return ok(validator.respond(p));\n    }\n}\n```\n')
    assert "symptom:webhook_problems" not in _symptoms(tmp_path, kb, text)
