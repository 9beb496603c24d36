"""Commands: show: a routine's cue list, as a table or JSON."""

from __future__ import annotations

import click

from voiceguide.cli.jsonout import echo_json
from voiceguide.cli.options import (
    SpeechOptions,
    cache_path,
    settings,
    speech_options,
)
from voiceguide.script.compiler import compile_script
from voiceguide.script.estimate import estimated_duration
from voiceguide.script.records import Script
from voiceguide.text import clock_tenths, one_line, printable

# Phases shown as rows of their own; breath phases are already marked by their prompts.
_SILENT_PHASES = ("hold", "pause", "rest", "answer")


@click.command(short_help="Every cue of ROUTINE with its time, and the total.")
@click.argument("routine")
@click.option("--json", "as_json", is_flag=True, help="Print the cue list as JSON on stdout.")
@click.option(
    "--exact",
    is_flag=True,
    help="Time the cues with the real clip lengths from the voice (synthesizes and caches "
    "every clip) instead of an estimate from the speech rate.",
)
@speech_options
@click.pass_context
def show(
    ctx: click.Context,
    routine: str,
    as_json: bool,
    exact: bool,
    speech: SpeechOptions,
) -> None:
    """Show what ROUTINE says and when: every cue with its time, and the total.

    ROUTINE is a routine id (see `voiceguide list`) or a path to a .yaml file. Times are
    estimated from the speech rate unless --exact is given. Where timing had to give way
    (a count left out, a prompt that ran long), a notice is printed on stderr.
    """
    from voiceguide.routine.library import find_routine

    chosen = settings(ctx, speech)
    found = find_routine(routine)
    options = chosen.compile_options()
    if exact:
        from voiceguide.render.assembly import clip_lengths

        click.echo(f"Engine: {chosen.voice_options().choice().describe()}", err=True)
        duration_of = clip_lengths(found, chosen.render_options(), cache_path(ctx))
    else:
        duration_of = estimated_duration(chosen.rate)
    script = compile_script(found, options, duration_of)
    if as_json:
        echo_json(script.to_json())
    else:
        click.echo(printable(format_table(script, exact=exact)))
    for notice in script.notices:
        click.echo(f"Notice: {one_line(notice)}", err=True)


def format_table(script: Script, *, exact: bool) -> str:
    """The cue list as the terminal shows it: a heading per step, a row per cue and per
    silent stretch (time m:ss.s, kind, text), then the total."""
    options = script.options
    timing = "timed with the voice's clips" if exact else f"estimated at {options.rate} wpm"
    lines = [f"{script.title} ({script.routine_id}), pace {options.pace:g}, {timing}"]
    rows: list[tuple[float, int, str, str, int]] = [
        (cue.start, 0, cue.kind, f"({cue.tone} tone)" if cue.tone else cue.text, cue.step)
        for cue in script.cues
    ]
    rows += [
        (phase.start, 1, phase.kind, f"({phase.end - phase.start:.1f} s)", phase.step)
        for phase in script.phases
        if phase.kind in _SILENT_PHASES
    ]
    rows.sort(key=lambda row: (row[0], row[1]))
    shown = -1
    for start, _, kind, text, step in rows:
        if step != shown:
            lines.append(f"-- {step}. {script.steps[step].title}")
            shown = step
        lines.append(f"{clock_tenths(start):>7}  {kind:<8} {text}")
    lines.append(f"Total {clock_tenths(script.duration)}")
    return "\n".join(lines)


commands: list[click.Command] = [show]
