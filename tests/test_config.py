from __future__ import annotations

from pathlib import Path

import pytest

from voiceguide.config import Settings, load_settings
from voiceguide.errors import ConfigError


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    assert load_settings(tmp_path / "config.yaml") == Settings()


def test_values_override_defaults(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("rate: 140\npace: 1.5\nengine: espeak-ng\npan_sides: true\n")
    settings = load_settings(path)
    assert (settings.rate, settings.pace, settings.engine, settings.pan_sides) == (
        140,
        1.5,
        "espeak-ng",
        True,
    )


def test_unknown_setting_suggests_the_near_one(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("rate: 140\nvoise: en\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert str(caught.value) == f"{path}:2:1: unknown setting 'voise'; did you mean 'voice'?"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("pace: 9\n", "'pace' must be from 0.5 to 3, not 9"),
        ("pace: slow\n", "'pace' must be a number from 0.5 to 3, not 'slow'"),
        ("rate: fast\n", "'rate' must be a whole number from 80 to 300, not 'fast'"),
        ("rate: 150.5\n", "'rate' must be a whole number from 80 to 300, not 150.5"),
        (
            "pan_sides: maybe\n",
            "'pan_sides' must be true or false, like 'pan_sides: true', not 'maybe'",
        ),
        (
            "listen: sometimes\n",
            "'listen' must be true or false, like 'listen: true', not 'sometimes'",
        ),
        ("input: [1, 2]\n", "'input' must be a name, not a list"),
        ("count: sideways\n", "'count' must be down, up or none, not 'sideways'"),
        ("bed_level: -5\n", "'bed_level' must be from -60 to -30, not -5"),
        (
            "bed: [waves]\n",
            "'bed' must be a soundscape's name or an audio file's path, not a list",
        ),
    ],
)
def test_bad_values_name_the_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("# settings\n" + text)
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert str(caught.value).startswith(f"{path}:2:")
    assert str(caught.value).endswith(message)


def test_top_level_must_be_a_mapping(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("- rate\n")
    with pytest.raises(ConfigError, match="must be a mapping"):
        load_settings(path)


def test_an_unknown_setting_is_shortened_in_the_error(tmp_path: Path) -> None:
    # `--config ~/.ssh/id_rsa`: the error names the file, not its contents.
    secret = "AAAAB3NzaC1yc2EAAAADAQABAAABgQC" * 10
    path = tmp_path / "private"
    path.write_text(f"{secret}: 1\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert str(caught.value).startswith(f"{path}:1:1: unknown setting '{secret[:37]}...'; ")
    assert secret[:60] not in str(caught.value)


def test_a_bed_is_a_built_in_name_or_a_file_beside_the_config(tmp_path: Path) -> None:
    from voiceguide.render.options import BedChoice

    path = tmp_path / "config.yaml"
    path.write_text("bed: waves\nbed_level: -30\n")
    assert load_settings(path).render_options().bed == BedChoice("waves", -30.0)
    path.write_text("bed: sounds/rain.ogg\n")
    settings = load_settings(path)
    assert settings.render_options().bed == BedChoice(str(tmp_path / "sounds/rain.ogg"))
    # Nothing chosen: each routine's own ``bed:``, where it has one.
    assert Settings().render_options().bed == BedChoice(None)


def test_the_command_line_then_the_config_then_the_routine_choose_the_bed(
    tmp_path: Path,
) -> None:
    from tests.support.routines import write_file
    from voiceguide.cli.options import BedOptions
    from voiceguide.routine.library import load_routine

    routine = load_routine(
        write_file(tmp_path, "r.yaml", "bed: drone\ntitle: T\nkind: stretch\nsteps: [say: Hi.]\n")
    )
    config = tmp_path / "config.yaml"

    def chosen(config_text: str, bed: str | None = None) -> str | None:
        config.write_text(config_text)
        settings = BedOptions(bed=bed).applied_to(load_settings(config))
        choice = settings.render_options().bed
        return None if choice is None else choice.source_for(routine)

    assert chosen("") == "drone"
    assert chosen("bed: waves\n") == "waves"
    assert chosen("bed: none\n") is None
    assert chosen("bed: waves\n", bed="brown") == "brown"
    assert chosen("bed: waves\n", bed="none") is None
    assert chosen("", bed="none") is None


def test_listening_and_its_microphone_come_from_the_file(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("listen: true\ninput: USB headset\n")
    chosen = load_settings(path)
    assert (chosen.listen, chosen.input) == (True, "USB headset")
    assert (Settings().listen, Settings().input) == (False, None)
