"""Writers killed with SIGKILL at random moments never leave a broken, empty or blocked store."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from ..stress.kill_saves import run_kills

KILLS = 200


@pytest.mark.skipif(sys.platform == "win32" or not hasattr(os, "fork"), reason="needs fork")
@pytest.mark.timeout(120)
def test_saves_killed_at_random_moments_leave_every_file_whole(tmp_path: Path) -> None:
    found = run_kills(tmp_path / "home", KILLS, seed=20261123)
    assert found.problems == []
    assert found.kills == KILLS
    # The kills must have hit the moments that matter, or the test proves nothing.
    assert found.cut_saves >= KILLS // 10, found
    assert found.temp_files_left >= 1 and found.cut_creates >= 1, found
