"""The source patches applied before FerretDB is built: exact, and loud when upstream moved."""

from __future__ import annotations

from pathlib import Path

import pytest

from stack import StackError
from stack.fetch import SourcePatch, apply_patch


def test_a_patch_replaces_its_text_exactly_once(tmp_path: Path) -> None:
    source = tmp_path / "pkg" / "file.go"
    source.parent.mkdir()
    source.write_text('const A = "old"\nconst B = "kept"\n')

    apply_patch(tmp_path, SourcePatch("pkg/file.go", 'A = "old"', 'A = "new"'))

    assert source.read_text() == 'const A = "new"\nconst B = "kept"\n'


@pytest.mark.parametrize("text", ["const A = 1\n", 'A = "old"; A = "old"\n'])
def test_a_patch_whose_text_is_missing_or_ambiguous_stops_the_build(
    tmp_path: Path, text: str
) -> None:
    (tmp_path / "file.go").write_text(text)

    with pytest.raises(StackError, match=r"file\.go does not contain"):
        apply_patch(tmp_path, SourcePatch("file.go", 'A = "old"', 'A = "new"'))

    assert (tmp_path / "file.go").read_text() == text
