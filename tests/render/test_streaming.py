"""Playing while the voice renders: a fake voice whose clips arrive slowly. Playing must
wait for them, never play a cue whose place is not final, and never drift: with the
waits taken out, what is heard is the finished Timeline, frame for frame."""

from __future__ import annotations

import io
import time
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
import pytest
from rich.console import Console, RenderableType

from tests.support.fake_output import FakeOutput
from voiceguide.audio.acks import Ack, ack_sound
from voiceguide.audio.samples import Samples
from voiceguide.player import transport as transport_module
from voiceguide.player.player import Player
from voiceguide.player.transport import JUMP_GAP, Transport
from voiceguide.render import assembly
from voiceguide.render.clips import ClipStore
from voiceguide.render.options import BedChoice, RenderOptions
from voiceguide.render.streaming import BackgroundRender, GrowingTimeline
from voiceguide.render.timeline import Timeline
from voiceguide.routine.library import all_routines, find_routine
from voiceguide.routine.records import Routine
from voiceguide.script.compiler import compile_known, compile_script, spoken_texts

RATE = 8000
BLOCK = 400
ROUTINE = "floor-option3"


def fake_clip(text: str) -> Samples:
    """A clip of noise, 60 ms a character: the same for the same text, never silent."""
    rng = np.random.default_rng(zlib.crc32(text.encode()))
    return (0.3 * rng.uniform(-1, 1, round(0.06 * len(text) * RATE))).astype(np.float32)


def finished_timeline(
    routine: Routine, options: RenderOptions, store: ClipStore | None = None
) -> Timeline:
    """The Timeline of the fake clips (as ``store`` made and cached them, if given), all
    known from the start."""
    texts = spoken_texts(routine, options.compile_options())
    clips = store.get_many(texts) if store else {text: fake_clip(text) for text in texts}
    script = compile_script(
        routine, options.compile_options(), lambda text: len(clips[text]) / RATE
    )
    return assembly.place(script, clips, RATE, breath_tones=options.breath_tones)


@pytest.fixture
def silent_wait_tone(monkeypatch: pytest.MonkeyPatch) -> None:
    """The "wait" tone as silence, so that heard frames compare with the Timeline alone
    (the tone itself is checked on its own below)."""
    real = ack_sound

    def sound(ack: Ack, rate: int) -> Samples:
        return np.zeros_like(real(ack, rate)) if ack == "wait" else real(ack, rate)

    monkeypatch.setattr(transport_module, "ack_sound", sound)


def assert_heard_exactly(heard: Samples, waited: list[tuple[int, int]], final: Timeline) -> None:
    """With its waits taken out, ``heard`` is ``final`` (then the last block's silence)."""
    keep = np.ones(len(heard), dtype=bool)
    for start, frames in waited:
        assert not heard[start : start + frames].any(), "a wait must be silent"
        keep[start : start + frames] = False
    kept = heard[keep]
    np.testing.assert_array_equal(kept[: final.frames], final.read(0, final.frames))
    assert len(kept) - final.frames < BLOCK and not kept[final.frames :].any()


@pytest.mark.parametrize("options", [RenderOptions(), RenderOptions(breath_tones=True, pace=1.5)])
@pytest.mark.parametrize("routine_id", [routine.id for routine in all_routines()])
def test_compile_known_is_the_whole_compile_up_to_where_it_is_final(
    options: RenderOptions, routine_id: str
) -> None:
    routine = find_routine(routine_id)
    compiling = options.compile_options()
    lengths = {text: len(fake_clip(text)) / RATE for text in spoken_texts(routine, compiling)}
    whole = compile_script(routine, compiling, lengths.__getitem__)
    order = GrowingTimeline(routine, options, RATE).heard_order()
    for known in range(len(order)):
        script, final_until = compile_known(
            routine, compiling, {text: lengths[text] for text in order[:known]}
        )
        assert final_until is not None
        assert script.cues == whole.cues[: len(script.cues)]
        later = whole.cues[len(script.cues) :]
        assert all(cue.start >= final_until for cue in later)
        # Steps begun are where they will be (the last one's end is not known yet).
        assert script.steps[:-1] == whole.steps[: len(script.steps) - 1]
        assert [s.start for s in script.steps] == [s.start for s in whole.steps][
            : len(script.steps)
        ]
    assert compile_known(routine, compiling, lengths) == (whole, None)


def test_playing_waits_for_slow_clips_and_never_drifts(silent_wait_tone: None) -> None:
    options = RenderOptions(breath_tones=True)
    routine = find_routine(ROUTINE)
    final = finished_timeline(routine, options)
    growing = GrowingTimeline(routine, options, RATE)
    transport = Transport(growing)
    heard: list[Samples] = []
    # Each clip takes as long to arrive as two seconds of playing: far too slow.
    for text in growing.heard_order():
        growing.add({text: fake_clip(text)})
        for _ in range(2 * RATE // BLOCK):
            before = transport.cursor
            block = transport.pull(BLOCK)
            assert block is not None
            # What was just taken from the Timeline is already what the finished one has.
            played = transport.cursor - before
            np.testing.assert_array_equal(block[:played], final.read(before, played))
            heard.append(block)
    while (block := transport.pull(BLOCK)) is not None:
        heard.append(block)
    assert growing.complete and growing.script == final.script
    assert transport.waits > 0
    assert_heard_exactly(np.concatenate(heard), transport.waited, final)


def test_a_wait_is_announced_by_its_tone() -> None:
    routine = find_routine(ROUTINE)
    growing = GrowingTimeline(routine, RenderOptions(), RATE)
    order = growing.heard_order()
    growing.add({order[0]: fake_clip(order[0])})
    transport = Transport(growing)
    ready = growing.ready
    heard = np.concatenate([transport.pull(BLOCK) for _ in range(ready // BLOCK + 2)])
    tone = ack_sound("wait", RATE)
    start = (ready // BLOCK + 1) * BLOCK  # the pull after the one that reached ``ready``
    np.testing.assert_array_equal(heard[start : start + BLOCK, 0], tone[:BLOCK])
    assert transport.waits == 1 and transport.waiting


class SlowVoice:
    """A fake voice whose clips take ``delay`` seconds each to arrive."""

    engine = "slow"
    name = "slow"
    identity = "slow|1"

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.spoken: list[str] = []

    def synthesize(self, text: str) -> tuple[Samples, int]:
        time.sleep(self.delay)
        self.spoken.append(text)
        return fake_clip(text), RATE


def test_the_player_plays_a_routine_still_rendering_exactly(
    tmp_path: Path, silent_wait_tone: None
) -> None:
    options = RenderOptions()
    routine = find_routine(ROUTINE)
    voice = SlowVoice(0.002)
    store = ClipStore(tmp_path, voice, RATE, workers=1)
    growing = GrowingTimeline(routine, options, RATE)
    order = growing.heard_order()
    rendering = BackgroundRender(store, order, growing)
    growing.wait_until_playable(0)
    fake = FakeOutput(block=BLOCK)
    player = Player(growing, fake, rendered=growing.progress)
    result = player.run()
    rendering.join()
    assert result.outcome == "completed"
    # Synthesized in the order heard, each text once.
    assert voice.spoken == order
    final = finished_timeline(routine, options, store)
    # The fake output plays far faster than the voice speaks: it had to wait.
    assert player.transport.waits > 0
    assert_heard_exactly(fake.frames, player.transport.waited, final)


def test_a_skip_past_what_is_rendered_waits_then_goes_there(silent_wait_tone: None) -> None:
    options = RenderOptions()
    routine = find_routine(ROUTINE)
    final = finished_timeline(routine, options)
    growing = GrowingTimeline(routine, options, RATE)
    order = growing.heard_order()
    growing.add({text: fake_clip(text) for text in order[:1]})
    fake = FakeOutput(block=BLOCK)
    player = Player(growing, fake)
    player.start()
    fake.advance(BLOCK)
    player.next_step()
    status = player.status()
    assert status.waiting and status.message == "Next: waiting for the voice"
    assert not player.transport.playing
    growing.add({text: fake_clip(text) for text in order})
    at = fake.heard()
    player.run()
    # One block later the loop saw step 1 known and went there, after the "next" tone.
    target = final.frame_at(final.script.steps[1].start)
    rest = final.frames - target
    begin = at + BLOCK + len(ack_sound("next", RATE)) + round(JUMP_GAP * RATE)
    np.testing.assert_array_equal(fake.frames[begin : begin + rest], final.read(target, rest))
    assert player.steps_skipped == 1


def test_a_failed_render_stops_playing_with_its_error(tmp_path: Path) -> None:
    class Broken(SlowVoice):
        def synthesize(self, text: str) -> tuple[Samples, int]:
            if len(self.spoken) == 3:
                raise RuntimeError("the voice broke")
            return super().synthesize(text)

    routine = find_routine(ROUTINE)
    store = ClipStore(tmp_path, Broken(0.0), RATE, workers=1)
    growing = GrowingTimeline(routine, RenderOptions(), RATE)
    rendering = BackgroundRender(store, growing.heard_order(), growing)
    rendering.join()
    with pytest.raises(RuntimeError, match="the voice broke"):
        Player(growing, FakeOutput(block=BLOCK)).run()


def test_cached_clips_are_read_in_the_order_heard_and_playing_starts_after_the_first() -> None:
    """A routine whose clips are all cached starts once its opening is read: the rest is
    read (in growing groups, in the order heard) while it plays."""
    import threading

    from voiceguide.render.streaming import FIRST_READ

    routine = find_routine(ROUTINE)
    order = GrowingTimeline(routine, RenderOptions(), RATE).heard_order()
    release = threading.Event()
    asked: list[list[str]] = []

    class Cache:
        def split_cached(self, texts: Iterable[str]) -> tuple[dict[str, Samples], list[str]]:
            group = list(texts)
            asked.append(group)
            if len(asked) > 1:
                release.wait(10)  # a slow disk, from the second group on
            return {text: fake_clip(text) for text in group}, []

        def stream(self, texts: list[str]) -> Iterator[tuple[str, Samples]]:
            assert texts == [], "every clip was cached"
            yield from ()

    growing = GrowingTimeline(routine, RenderOptions(), RATE)
    rendering = BackgroundRender(Cache(), order, growing)
    try:
        assert growing.wait_until_playable(0, timeout=10)
        assert asked[0] == order[:FIRST_READ] and not growing.complete
    finally:
        release.set()
        rendering.join()
    assert [text for group in asked for text in group] == order
    assert [len(group) for group in asked[:3]] == [FIRST_READ, 2 * FIRST_READ, 4 * FIRST_READ]
    final = finished_timeline(routine, RenderOptions())
    assert growing.complete
    np.testing.assert_array_equal(growing.read(0, final.frames), final.read(0, final.frames))


def shown(view: RenderableType) -> str:
    """What the terminal shows of ``view``, as text."""
    console = Console(record=True, width=100, file=io.StringIO())
    console.print(view)
    return console.export_text()


@pytest.mark.parametrize("routine", all_routines(), ids=lambda r: r.id)
def test_from_the_first_frame_every_step_is_named_and_the_length_says_it_is_an_estimate(
    routine: Routine,
) -> None:
    """While only the opening is rendered, the display and "where am I?" count every step
    and name the next one (not "0/0 … the end"), and the length is marked as an estimate."""
    from voiceguide.player.display import render as draw
    from voiceguide.player.whereami import step_parts

    options = RenderOptions()
    growing = GrowingTimeline(routine, options, RATE)
    order = growing.heard_order()
    growing.add({order[0]: fake_clip(order[0])})
    assert not growing.complete and len(growing.script.steps) < len(growing.estimate.steps)
    player = Player(growing, FakeOutput(block=BLOCK))
    every = growing.estimate.steps
    early = player.status()
    assert early.step_label == f"{early.step}/{len(every) - 1}"
    assert early.next_title == every[early.step + 1].title
    assert early.estimated
    assert "about " in shown(draw(early))
    # "Where am I?" while rendering counts and names the steps as the finished routine does.
    final = step_parts(finished_timeline(routine, options).script, early.step)
    heard_now = player.upcoming_answers()
    assert heard_now[0] == final[0] and f"of {len(every) - 1}:" in final[0]  # the heading
    assert final[-1] in heard_now  # what comes next

    growing.add({text: fake_clip(text) for text in order})
    done = player.status()
    assert growing.complete and not done.estimated
    assert "about " not in shown(draw(done))


def test_with_a_bed_every_frame_below_ready_is_already_final() -> None:
    # The bed is lowered before each sound begins: a sound not placed yet reaches back
    # into frames before it, so those cannot be final either.
    options = RenderOptions(bed=BedChoice("brown"))
    routine = find_routine(ROUTINE)
    growing = GrowingTimeline(routine, options, RATE)
    heard: list[tuple[int, Samples]] = []
    for i, text in enumerate(growing.heard_order()):
        growing.add({text: fake_clip(text)})
        if i % 3 == 0 and not growing.complete:
            heard.append((growing.ready, growing.read(0, growing.ready)))
    final = growing.timeline()
    assert len(heard) > 5
    for ready, frames in heard:
        assert np.array_equal(frames, final.read(0, ready)), ready
