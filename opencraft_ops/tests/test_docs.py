"""The README stays short and every link in it, and in docs/, leads to a file of the repo."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
LINK = re.compile(r"\]\(([^)\s]+)\)")
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def test_readme_is_short_and_starts_with_the_two_commands() -> None:
    text = (ROOT / "README.md").read_text()
    assert len(text.encode()) <= 10 * 1024
    first_block = text.split("```")[1]
    assert "make run" in first_block and "make test" in first_block


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_resolves_to_a_file(doc: Path) -> None:
    missing = []
    for target in LINK.findall(doc.read_text()):
        if re.match(r"^[a-z]+:", target) or target.startswith("#"):
            continue
        path = (doc.parent / target.split("#", 1)[0]).resolve()
        if not path.exists():
            missing.append(target)
    assert missing == []


def test_docs_name_no_module_that_is_gone() -> None:
    # Module paths written as `app/module.py` in the docs exist (the epics move renamed many).
    gone = []
    for doc in DOCS:
        for path in re.findall(r"`((?:[a-z_]+/)+[a-z_]+\.py)`", doc.read_text()):
            if not (ROOT / path).exists():
                gone.append(f"{doc.name}: {path}")
    assert gone == []
