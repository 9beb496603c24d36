"""The transport: a Timeline as a stream of frames that can pause, resume and jump.

Every backend pulls from it (``pull``); the player changes its course (``pause``,
``resume``, ``seek``) from another thread. A change takes effect at the next frame pulled:
pausing fades the sound out over a few milliseconds (no click) and keeps the place, so
resuming plays on from exactly the frame where the sound stopped; a jump fades out, plays
its acknowledgement over a short silence and starts the new place with a fade-in. Acks are
mixed over whatever is playing, or over the silence of a pause. An output that silences
the sound at once on a change (drops what it had queued) says so (``cut``): the change
then starts from that silence, with nothing of the old sound left to fade out.

Each pull is logged with the state before it, so ``undo`` can take back frames that a
backend pulled but never played (the state is replayed up to that frame, exactly), and
``position_at`` says which Timeline frame was playing at a given output frame.

A Timeline still being rendered (``streaming.GrowingTimeline``) is final only below its
``ready`` frame: the transport never plays past it. When it gets there it waits, with
silence and the "wait" tone, and plays on from that very frame once more is ready, so a
wait lengthens the session but never moves a cue against the ones around it. Each pull
logs the ``ready`` it was made with, so an ``undo`` replays it exactly. ``waits`` counts
the times it had to wait and ``waited`` lists the stretches of output spent waiting.
"""

from __future__ import annotations

import bisect
import dataclasses
import threading
from dataclasses import dataclass

import numpy as np

from voiceguide.audio.acks import Ack, ack_sound
from voiceguide.audio.samples import Samples
from voiceguide.audio.signal import raised_cosine
from voiceguide.render.timeline import Playable

FADE = 0.005  # seconds: long enough not to click, short enough to feel instant
JUMP_GAP = 0.15  # seconds of silence between a jump's ack and the new place
LOG_LIMIT = 20_000  # pulls remembered for undo and position_at (minutes of audio)


@dataclass(frozen=True)
class _State:
    cursor: int  # the next Timeline frame to play
    playing: bool
    fade_in: int  # frames of fade-in done since the sound (re)started; FADE when done
    tail_start: int  # where the fading-out sound of a pause or jump was taken from
    tail_done: int  # frames of that fade-out played; FADE when done
    lead: int  # frames of silence still to come before the Timeline plays on
    acks: tuple[tuple[Samples, int], ...] = ()  # (sound, frames of it already played)
    finished: bool = False
    waiting: bool = False  # held at the Timeline's ``ready`` frame until more is rendered
    cut: bool = False  # the output silenced the sound here: nothing is left to fade out


@dataclass(frozen=True)
class _Pull:
    out_start: int  # output frames pulled before this pull
    count: int
    before: _State
    after: _State
    ready: int  # the Timeline's ``ready`` frame when it was pulled


class Transport:
    """Frames of ``timeline`` from ``start`` (a frame), with pause, seek and acks."""

    def __init__(self, timeline: Playable, start: int = 0) -> None:
        self.timeline = timeline
        self._fade = max(1, round(FADE * timeline.sample_rate))
        self._ramp_up = raised_cosine(self._fade, midpoints=True).astype(np.float32)
        self._ramp_down = self._ramp_up[::-1].copy()
        start = min(max(start, 0), timeline.frames)
        self._state = _State(start, True, self._fade_in_from(start), start, self._fade, 0)
        self._out = 0
        self._log: list[_Pull] = []
        self._lock = threading.RLock()
        self.waits = 0
        self.waited: list[tuple[int, int]] = []  # (first output frame, frames), as pulled

    @property
    def sample_rate(self) -> int:
        return self.timeline.sample_rate

    @property
    def channels(self) -> int:
        return self.timeline.channels

    @property
    def playing(self) -> bool:
        return self._state.playing

    @property
    def finished(self) -> bool:
        return self._state.finished

    @property
    def waiting(self) -> bool:
        """Held at the Timeline's ``ready`` frame, waiting for more to be rendered."""
        return self._state.waiting

    @property
    def cursor(self) -> int:
        """The next Timeline frame to be pulled (ahead of what is heard)."""
        return self._state.cursor

    @property
    def pulled(self) -> int:
        """Output frames pulled so far."""
        return self._out

    # --- the stream ---------------------------------------------------------------------

    def pull(self, count: int) -> Samples | None:
        with self._lock:
            before = self._state
            if before.finished:
                return None
            ready = self.timeline.ready
            out, after = self._render(before, count, ready)
            if after.finished and out is None:
                self._state = after
                return None
            assert out is not None
            if after.waiting:
                silent = count - (after.cursor - before.cursor) - (before.lead - after.lead)
                self.waited.append((self._out + count - silent, silent))
                if not before.waiting:
                    self.waits += 1
                    # Heard from the next pull on: "wait, the voice is not ready".
                    sound = ack_sound("wait", self.sample_rate)
                    after = dataclasses.replace(after, acks=(*after.acks, (sound, 0)))
            self._log.append(_Pull(self._out, count, before, after, ready))
            if len(self._log) > 2 * LOG_LIMIT:
                del self._log[:LOG_LIMIT]
            self._out += count
            self._state = after
            return out

    def undo(self, count: int) -> None:
        """Take back the last ``count`` output frames: the state is as it was before them."""
        with self._lock:
            target = max(self._out - count, self._log[0].out_start if self._log else self._out)
            if target >= self._out:
                return
            i = self._find(target)
            entry = self._log[i]
            state = entry.before
            if target > entry.out_start:
                _, state = self._render(state, target - entry.out_start, entry.ready)
            del self._log[i:]
            if target > entry.out_start:
                self._log.append(
                    _Pull(
                        entry.out_start, target - entry.out_start, entry.before, state, entry.ready
                    )
                )
            self._state = state
            self._out = target

    def cut(self) -> None:
        """The output has silenced at once what it was playing, at the frame pulled last
        (a backend that drops what it had queued, after ``undo``): there is nothing left to
        fade out, and the sound that plays on, the Timeline or an ack, fades in from
        silence. Without this, a pause or jump would fade the old sound out from full
        level after the output's own silence: a cut, a gap and a burst, heard under a bed."""
        with self._lock:
            state = self._state
            acks = []
            for sound, done in state.acks:
                rest = sound[done:].copy()
                head = min(len(rest), self._fade)
                rest[:head] *= self._ramp_up[:head]
                acks.append((rest, 0))
            self._state = dataclasses.replace(
                state,
                tail_done=self._fade,
                fade_in=self._fade_in_from(state.cursor) if state.lead == 0 else state.fade_in,
                acks=tuple(acks),
                cut=True,
            )

    def remaining(self) -> int | None:
        """Output frames still to come if nothing changes; None while paused."""
        with self._lock:
            state = self._state
            if not state.playing:
                return None
            if state.finished:
                return 0
            timeline = state.lead + max(0, self.timeline.frames - state.cursor)
            acks = max((len(sound) - done for sound, done in state.acks), default=0)
            return max(timeline, acks, self._fade - state.tail_done)

    def position_at(self, out_frame: int) -> int:
        """The Timeline frame that was playing at output frame ``out_frame``."""
        with self._lock:
            if not self._log or out_frame >= self._out:
                return min(self._state.cursor, self.timeline.frames)
            entry = self._log[self._find(out_frame)]
            moved = entry.after.cursor - entry.before.cursor
            if moved <= 0:
                return min(entry.after.cursor, self.timeline.frames)
            into = max(0, out_frame - entry.out_start - entry.before.lead)
            return min(entry.before.cursor + min(into, moved), self.timeline.frames)

    def _find(self, out_frame: int) -> int:
        return max(0, bisect.bisect_right(self._log, out_frame, key=lambda p: p.out_start) - 1)

    # --- changes of course --------------------------------------------------------------

    def pause(self, ack: Ack | Samples | None = "pause") -> bool:
        """Stop the sound (fading out) and keep the place; False if already paused."""
        with self._lock:
            state = self._state
            if not state.playing:
                return False
            self._state = dataclasses.replace(
                self._fade_out(state), playing=False, lead=0, finished=False
            )
            if ack is not None:
                self.acknowledge(ack)
            return True

    def resume(self, ack: Ack | Samples | None = "resume") -> bool:
        """Play on from the exact frame where the pause stopped; False if playing."""
        with self._lock:
            state = self._state
            if state.playing:
                return False
            self._state = dataclasses.replace(
                state, playing=True, fade_in=self._fade_in_from(state.cursor), finished=False
            )
            if ack is not None:
                self.acknowledge(ack)
            return True

    def seek(self, frame: int, ack: Ack | Samples | None = None) -> None:
        """Jump to ``frame`` and play from there: the ack first, over a short silence."""
        with self._lock:
            frame = min(max(frame, 0), self.timeline.frames)
            lead = 0
            if ack is not None:
                lead = len(self._sound(ack)) + round(JUMP_GAP * self.sample_rate)
            state = self._fade_out(self._state)
            self._state = dataclasses.replace(
                state,
                cursor=frame,
                playing=True,
                fade_in=self._fade_in_from(frame),
                lead=lead,
                finished=False,
            )
            if ack is not None:
                self.acknowledge(ack)

    def interlude(self, sound: Samples) -> None:
        """Say ``sound`` over nothing else, then play on from the very frame where the
        Timeline stopped for it (while paused: say it and stay paused)."""
        with self._lock:
            if not self._state.playing:
                self.acknowledge(sound)
                return
            self.seek(self._state.cursor, sound)

    def acknowledge(self, ack: Ack | Samples) -> None:
        """Mix the tone for ``ack`` (or a sound of its own) in from the next frame pulled."""
        with self._lock:
            state = self._state
            sound = self._sound(ack)
            self._state = dataclasses.replace(state, acks=(*state.acks, (sound, 0)), finished=False)

    def hush(self) -> None:
        """Fade out every ack still sounding, from the next frame pulled (a question the
        listener has moved away from)."""
        with self._lock:
            state = self._state
            tails = []
            for sound, done in state.acks:
                tail = sound[done : done + self._fade]
                tails.append((tail * self._ramp_down[: len(tail)], 0))
            self._state = dataclasses.replace(state, acks=tuple(tails))

    def sounding_until(self) -> int:
        """The output frame at which the acks sounding now will have been pulled (0 when
        none is)."""
        with self._lock:
            acks = self._state.acks
            return self._out + max(len(s) - done for s, done in acks) if acks else 0

    def _sound(self, ack: Ack | Samples) -> Samples:
        return ack_sound(ack, self.sample_rate) if isinstance(ack, str) else ack

    def _fade_in_from(self, frame: int) -> int:
        """Where a fade-in starting at ``frame`` begins: 0 (a full fade) when ``frame`` cuts
        into a sound, else already done, so a start in silence is the Timeline, exactly."""
        if 0 < frame < self.timeline.frames and self.timeline.read(frame - 1, 1).any():
            return 0
        return self._fade

    def _fade_out(self, state: _State) -> _State:
        """``state`` with the sound that is playing now fading out (nothing if silent)."""
        sounding = state.playing and state.lead == 0 and not state.cut
        if not sounding:
            return dataclasses.replace(state, tail_done=self._fade)
        return dataclasses.replace(state, tail_start=state.cursor, tail_done=0)

    # --- mixing -------------------------------------------------------------------------

    def _render(self, state: _State, count: int, ready: int) -> tuple[Samples | None, _State]:
        """The next ``count`` frames after ``state`` and the state after them, playing no
        Timeline frame from ``ready`` on; (None, finished) when there is nothing more."""
        timeline = self.timeline
        fade = self._fade
        if (
            state.playing
            and state.cursor >= timeline.frames
            and state.tail_done >= fade
            and not state.acks
        ):
            return None, dataclasses.replace(state, finished=True)
        out = np.zeros((count, timeline.channels), dtype=np.float32)
        tail_done = state.tail_done
        if tail_done < fade:
            n = min(count, fade - tail_done)
            piece = timeline.read(state.tail_start + tail_done, n)
            out[:n] += piece * self._ramp_down[tail_done : tail_done + n, None]
            tail_done += n
        cursor, lead, fade_in = state.cursor, state.lead, state.fade_in
        waiting = False
        if state.playing:
            skip = min(lead, count)
            lead -= skip
            n = min(count - skip, max(0, timeline.frames - cursor))
            if ready < timeline.frames and cursor + n > ready:
                n = max(0, ready - cursor)
                waiting = True
            if n > 0:
                piece = timeline.read(cursor, n)
                if fade_in < fade:
                    m = min(n, fade - fade_in)
                    piece[:m] *= self._ramp_up[fade_in : fade_in + m, None]
                    fade_in += m
                out[skip : skip + n] += piece
                cursor += n
        acks: list[tuple[Samples, int]] = []
        for sound, done in state.acks:
            n = min(count, len(sound) - done)
            out[:n] += sound[done : done + n, None]
            if done + n < len(sound):
                acks.append((sound, done + n))
        np.clip(out, -1.0, 1.0, out=out)
        after = _State(
            cursor,
            state.playing,
            fade_in,
            state.tail_start,
            tail_done,
            lead,
            tuple(acks),
            waiting=waiting,
        )
        return out, after
