"""The CLI refuses a decompression bomb and a half-configured login with one line, no traceback."""

from pathlib import Path

import pytest

from tests.support.images import bomb_png
from tests.test_cli import run_studio

pytestmark = pytest.mark.slow


def test_process_refuses_a_bomb_with_one_line(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(bomb_png())
    result = run_studio(["process", "make this a pencil sketch", "--image", str(bomb)], tmp_path / "data")
    assert result.returncode != 0
    assert "400 megapixels" in result.stderr and "at most 40 megapixels" in result.stderr
    assert "Traceback" not in result.stderr and "DecompressionBomb" not in result.stderr


def test_a_password_without_a_user_name_stops_start_up(tmp_path: Path) -> None:
    result = run_studio(["models", "--no-smoke"], tmp_path / "data", STUDIO_AUTH_PASSWORD="s3cret")
    assert result.returncode == 2
    assert "STUDIO_AUTH_USERNAME" in result.stderr and "s3cret" not in result.stderr
