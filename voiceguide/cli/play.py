"""Command: play, the hands-free player."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import click

from voiceguide.cli.options import (
    BedOptions,
    OptionGroup,
    OutputOptions,
    SpeechOptions,
    bed_options,
    cache_path,
    confirm,
    option_group,
    output_options,
    settings,
    speech_options,
)
from voiceguide.listen.vocabulary import spoken_help
from voiceguide.signals import exit_status

if TYPE_CHECKING:
    from voiceguide.player.state import PlayResult
    from voiceguide.script.records import Script


@dataclass(frozen=True)
class ListenOptions(OptionGroup):
    """``--listen`` and ``--input``: voice commands, and the microphone they come from."""

    listen: bool | None = None
    input: str | None = None


listen_options = option_group(
    ListenOptions,
    "listening",
    click.option(
        "--listen/--no-listen",
        default=None,
        help="Take spoken commands (the `listen` extra; offline, nothing is recorded): "
        f"{spoken_help()}. Heard only while the guide is silent. Default from the "
        "config file (listen: true), else off.",
    ),
    click.option(
        "--input",
        default=None,
        metavar="DEVICE",
        help="The microphone for --listen: its number or part of its name (`voiceguide devices`).",
    ),
)


@click.command("play", short_help="Talk you through ROUTINE, hands-free.")
@click.argument("routine")
@click.option(
    "--from",
    "from_step",
    metavar="STEP",
    default=None,
    help="Start at this step: its number as `voiceguide show` counts them, or its title.",
)
@output_options
@click.option(
    "-y",
    "--yes",
    "assume_yes",
    is_flag=True,
    help="Do not ask before a routine with contraindications (they are still shown).",
)
@click.option(
    "--force",
    is_flag=True,
    help="Play a cracking routine even when the frequency guard says it is too soon.",
)
@click.option(
    "--no-rating",
    is_flag=True,
    help="Do not ask how your back is (0 to 10) at the start and the end.",
)
@speech_options
@bed_options
@listen_options
@click.pass_context
def play(
    ctx: click.Context,
    routine: str,
    from_step: str | None,
    output: OutputOptions,
    assume_yes: bool,
    force: bool,
    no_rating: bool,
    speech: SpeechOptions,
    bed: BedOptions,
    listening: ListenOptions,
) -> None:
    """Talk you through ROUTINE (an id from `voiceguide list`, or a routine file).

    Keys, no Enter needed: space pauses and resumes, n (or right arrow) skips to the
    next step, p (or left arrow) goes back to the start of the step (twice: the step
    before), r repeats the last instruction, w says where you are, s stops at once if
    something hurts, q quits. Each key answers with a short tone. Headset buttons and
    media keys (MPRIS, on a Linux desktop) do the same, answered in words. With
    --listen, each key has a spoken equivalent, answered in words. At a question, a (or
    a headset's play/pause) takes one more round; no answer goes on. At the start and
    the end it asks how your back is, 0 to 10: press a digit (1 then 0 for ten), or
    nothing. Without a terminal it just plays.
    """
    from voiceguide.app.play import PlayInterrupted, PlayRequest, play_routine, rating_advice
    from voiceguide.errors import Declined
    from voiceguide.player.display import elapsed, length
    from voiceguide.script.phrasing import PAIN_ADVICE

    request = PlayRequest(
        routine, from_step=from_step, force=force, assume_yes=assume_yes, rating=not no_rating
    )
    try:
        script, result = play_routine(
            request, settings(ctx, output, speech, bed, listening), cache_path(ctx), ask=confirm
        )
    except Declined as declined:
        click.echo(f"Not playing {declined.title}: you answered no.", err=True)
        return
    except PlayInterrupted as stopped:
        where = _resumable(stopped.script, stopped.result)
        click.echo(f"Interrupted {stopped.script.title} {where}.", err=True)
        ctx.exit(exit_status(stopped))  # the signal's: 130, 143 or 129
    where = f"at {elapsed(result.position)} of {length(script.duration)}"
    if result.ratings:
        rated = ", ".join(f"{value} {moment}" for moment, value in result.ratings)
        click.echo(f"Your back, 0 to 10: {rated}.", err=True)
        advice = rating_advice(result)
        if advice is not None and result.outcome != "stopped":
            click.echo(advice, err=True)
    if result.outcome == "completed":
        click.echo(f"Finished {script.title} ({length(script.duration)}).", err=True)
    elif result.outcome == "quit":
        click.echo(f"Quit {script.title} {_resumable(script, result)}.", err=True)
    else:
        # Stopped because it hurts: the screen says what the voice said, and offers no
        # way straight back into the step that hurt.
        click.echo(f"Stopped {script.title} {where}. {PAIN_ADVICE}", err=True)


def _resumable(script: Script, result: PlayResult) -> str:
    """Where playing ended, and how to start there again."""
    from voiceguide.player.display import elapsed, length

    where = f"at {elapsed(result.position)} of {length(script.duration)}"
    if result.step >= 0:
        step = result.step
        where += f", in step {step} ({script.steps[step].title}); --from {step} starts there"
    return where


commands: list[click.Command] = [play]
