"""The README documents every setting, with its default, and the two set-up commands."""

import re
from pathlib import Path

from engine.settings import Settings

README = (Path(__file__).parents[1] / "README.md").read_text()


def test_every_setting_is_documented_with_its_default() -> None:
    rows = dict(re.findall(r"^\| `(STUDIO_[A-Z_0-9]+)` \| `([^`]*)` \|", README, flags=re.MULTILINE))
    for name, field in Settings.model_fields.items():
        default = field.default_factory() if field.default_factory else field.default  # type: ignore[call-arg]
        if isinstance(default, list):
            default = ",".join(default) or None
        shown = "(unset)" if default is None else str(default)
        assert rows.get(f"STUDIO_{name.upper()}") == shown, f"README row for STUDIO_{name.upper()}"
    assert len(rows) == len(Settings.model_fields)


def test_setup_is_exactly_two_commands() -> None:
    setup = README.split("## Set-up", 1)[1].split("##", 1)[0]
    block = re.search(r"```bash\n(.*?)```", setup, flags=re.DOTALL)
    assert block is not None
    commands = [line.split("#")[0].strip() for line in block.group(1).splitlines() if line.strip()]
    assert commands == ["make run", "make test"]
