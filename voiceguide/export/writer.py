"""Export: a rendered routine written as files a phone can play, with captions and the
cue list. The ``export`` command around it (many routines, --force, Ctrl-C) is
``app/export.py``.

Per routine, in the output folder: ``ID.<format>`` (the Timeline, streamed block by block,
so memory stays flat), ``ID.cues.json`` (``show --json``'s shape plus ``sample_rate``),
``ID.lrc``, ``ID.vtt`` and ``ID.chapters.json`` (Podcasting 2.0 chapters); title and
artist tags, and one chapter per step: ID3 ``CHAP`` frames in MP3, Vorbis ``CHAPTERnnn``
comments in Ogg and FLAC (WAV has no chapters players read).
A playlist beside them (``playlist_path``): ``ID.m3u8`` for one routine, a
``voiceguide.m3u8`` of several in their order.

Split (``split=True``): one track per step instead, ``ID-00.<format>`` (the opening),
``ID-01...``, numbered as the steps are everywhere, each with its own ``.lrc``, and
``ID.m3u8`` playing them in order, beside the whole session's ``ID.cues.json`` and
``ID.chapters.json``.

Every file is written under a temporary name in the output folder and renamed into place
only when it is complete, so an interruption (Ctrl-C, a full disk) leaves nothing partial.
Existing files are replaced only when asked (``replace``); otherwise each final name is
taken exclusively.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Literal

from voiceguide import writing
from voiceguide.audio.signal import to_pcm16
from voiceguide.errors import ExportError
from voiceguide.export import captions, chapters, split
from voiceguide.render.timeline import Timeline
from voiceguide.script.records import Script
from voiceguide.text import one_line

Format = Literal["wav", "flac", "ogg", "mp3"]
# libsndfile's (container, encoding) for each format a user can choose.
FORMATS: dict[Format, tuple[str, str]] = {
    "wav": ("WAV", "PCM_16"),
    "flac": ("FLAC", "PCM_16"),
    "ogg": ("OGG", "VORBIS"),
    "mp3": ("MP3", "MPEG_LAYER_III"),
}
PLAYLIST = "voiceguide.m3u8"
SPLIT_SESSION_FILES = (".cues.json", ".chapters.json", ".m3u8")
ALBUM = "voiceguide"
# Frames mixed and written at a time: 3 s at 22050 Hz. Fewer, larger blocks cost less
# (each is a mix, a conversion and a write through libsndfile): all built-in routines
# were written with 0.34 s of CPU against 0.51 s in blocks of 16384.
BLOCK_FRAMES = 65536


@dataclass(frozen=True)
class ExportedRoutine:
    """One routine's files, all complete and in place (the audio first), and the cue
    list they were written from."""

    routine_id: str
    title: str
    duration: float
    files: tuple[Path, ...]
    script: Script

    @property
    def audio_files(self) -> tuple[Path, ...]:
        """The audio: one file, or one per step when split."""
        return tuple(path for path in self.files if path.suffix[1:] in FORMATS)


def split_output_files(script: Script, out_dir: Path, fmt: Format) -> tuple[Path, ...]:
    """The files a split export of ``script`` writes: the tracks, their captions, then
    the whole session's cue list, chapters and playlist."""
    ids = [split.track_id(script, step.index) for step in script.steps]
    return (
        *(out_dir / f"{track}.{fmt}" for track in ids),
        *(out_dir / f"{track}.lrc" for track in ids),
        *(
            out_dir / f"{script.routine_id}{suffix}"
            for suffix in (".cues.json", ".chapters.json", ".m3u8")
        ),
    )


def output_files(routine_id: str, out_dir: Path, fmt: Format) -> tuple[Path, ...]:
    """The files exporting ``routine_id`` writes, the audio first."""
    return tuple(
        out_dir / f"{routine_id}{suffix}"
        for suffix in (f".{fmt}", ".cues.json", ".lrc", ".vtt", ".chapters.json")
    )


def write_routine(
    timeline: Timeline,
    out_dir: Path,
    fmt: Format,
    *,
    track: tuple[int, int] | None = None,
    split: bool = False,
    wrote: Callable[[int], None] | None = None,
    replace: bool = False,
) -> ExportedRoutine:
    """Write one rendered routine's files; all of them appear together, or none does.

    ``wrote(frames)`` hears of each block of audio written, ``frames`` long; whatever it
    raises stops the writing and removes what was begun. Files already there are replaced
    only when ``replace``; otherwise one that appeared meanwhile is an ``ExportError``.
    """
    if split:
        return _write_split(timeline, out_dir, fmt, wrote or (lambda _frames: None), replace)
    script = timeline.script
    audio, cues, lrc, vtt, chapter_list = output_files(script.routine_id, out_dir, fmt)
    with _Staging(out_dir) as staging:
        _write_audio(timeline, staging.add(audio), fmt, track, wrote or (lambda _frames: None))
        if fmt == "mp3":
            _tag_mp3(staging.temp(audio), script, track)
        elif fmt in ("ogg", "flac"):
            _add_vorbis_chapters(staging.temp(audio), fmt, script)
        document = {**script.to_json(), "sample_rate": timeline.sample_rate}
        staging.write_text(cues, json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        staging.write_text(lrc, captions.lrc(script))
        staging.write_text(vtt, captions.vtt(script))
        staging.write_text(chapter_list, chapters.json_chapters_text(script))
        staging.commit(replace=replace)
    return ExportedRoutine(
        script.routine_id,
        script.title,
        script.duration,
        (audio, cues, lrc, vtt, chapter_list),
        script,
    )


def _write_split(
    timeline: Timeline, out_dir: Path, fmt: Format, wrote: Callable[[int], None], replace: bool
) -> ExportedRoutine:
    """A track per step, each with its LRC, and the session's cue list, chapters and
    playlist; all of them appear together, or none does."""
    script = timeline.script
    files = split_output_files(script, out_dir, fmt)
    parts = split.step_timelines(timeline)
    tracks, lyrics = files[: len(parts)], files[len(parts) : 2 * len(parts)]
    cues, chapter_list, playlist = files[2 * len(parts) :]
    with _Staging(out_dir) as staging:
        for number, (part, audio, lrc) in enumerate(zip(parts, tracks, lyrics, strict=True), 1):
            _write_audio(part, staging.add(audio), fmt, (number, len(parts)), wrote)
            if fmt == "mp3":
                _tag_mp3(staging.temp(audio), part.script, (number, len(parts)))
            staging.write_text(lrc, captions.lrc(part.script))
        document = {**script.to_json(), "sample_rate": timeline.sample_rate}
        staging.write_text(cues, json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        staging.write_text(chapter_list, chapters.json_chapters_text(script))
        staging.write_text(
            playlist,
            _playlist(
                [
                    (part.script.duration, part.script.title, audio)
                    for part, audio in zip(parts, tracks, strict=True)
                ]
            ),
        )
        staging.commit(replace=replace)
    return ExportedRoutine(script.routine_id, script.title, script.duration, files, script)


def _write_audio(
    timeline: Timeline,
    path: Path,
    fmt: Format,
    track: tuple[int, int] | None,
    wrote: Callable[[int], None],
) -> None:
    import soundfile

    container, encoding = FORMATS[fmt]
    # 16-bit formats get samples rounded here, the one way voiceguide makes PCM, rather
    # than by libsndfile's own conversion (which truncates).
    pcm = encoding == "PCM_16"
    # Unbuffered: a failed write surfaces at the write, not at a later seek.
    with path.open("wb", buffering=0) as raw:
        sink = _Sink(raw)
        try:
            with soundfile.SoundFile(
                sink, "w", timeline.sample_rate, timeline.channels, encoding, format=container
            ) as out:
                if fmt != "mp3":  # MP3 tags (and chapters) are written by mutagen
                    out.title = timeline.script.title
                    out.artist = captions.ARTIST
                    out.album = ALBUM
                    if track:
                        out.tracknumber = str(track[0])
                for block in timeline.blocks(BLOCK_FRAMES):
                    out.write(to_pcm16(block) if pcm else block)
                    sink.check()
                    wrote(len(block))
        except Exception:
            sink.check()  # the real cause (a full disk) over libsndfile's report of it
            raise
        sink.check()  # closing wrote the last frames and the header


class _Sink:
    """A file for libsndfile that keeps the first error instead of raising it.

    libsndfile calls these from C, where a Python exception would be printed and lost;
    and it reports a failed write vaguely or, for MP3, not at all. Through ``check``,
    a full disk surfaces as the ``OSError`` it is.
    """

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self._error: OSError | None = None

    def write(self, data: bytes) -> int:
        view = memoryview(data)
        written = 0
        try:
            while not self._error and written < len(view):
                written += self._raw.write(view[written:])
        except OSError as exc:
            self._error = exc
        return written

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        try:
            return self._raw.seek(offset, whence)
        except OSError as exc:
            self._error = self._error or exc
            return -1

    def tell(self) -> int:
        return self._raw.tell()

    def check(self) -> None:
        if self._error:
            raise self._error


def _tag_mp3(path: Path, script: Script, track: tuple[int, int] | None) -> None:
    """Title, artist and album tags, and one chapter per step, so a phone can skip by step."""
    import mutagen.id3

    id3: Any = mutagen.id3  # mutagen's functions carry no type annotations
    tags = _frames_in_order()
    tags.add(id3.TIT2(encoding=3, text=[script.title]))
    tags.add(id3.TPE1(encoding=3, text=[captions.ARTIST]))
    tags.add(id3.TALB(encoding=3, text=[ALBUM]))
    if track:
        tags.add(id3.TRCK(encoding=3, text=[f"{track[0]}/{track[1]}"]))
    chapter_ids = [chapters.id3_element_id(step.index) for step in script.steps]
    tags.add(
        id3.CTOC(
            element_id="steps",
            flags=id3.CTOCFlags.TOP_LEVEL | id3.CTOCFlags.ORDERED,
            child_element_ids=chapter_ids,
            sub_frames=[id3.TIT2(encoding=3, text=["Steps"])],
        )
    )
    for chapter_id, step in zip(chapter_ids, script.steps, strict=True):
        tags.add(
            id3.CHAP(
                element_id=chapter_id,
                start_time=round(step.start * 1000),
                end_time=round(step.end * 1000),
                sub_frames=[id3.TIT2(encoding=3, text=[step.title])],
            )
        )
    # ID3v2.3 is the version phones and car stereos read most widely.
    tags.save(path, v2_version=3)


def _frames_in_order() -> Any:
    """An empty ID3 tag that writes its frames in the order they were added.

    mutagen writes frames sorted by their data's length, so ``CHAP`` frames would come out
    shortest title first; players that read chapters in the frames' order (FFmpeg-based
    ones among them) would then list them out of time order.
    """
    import mutagen.id3
    from mutagen.id3 import _tags

    base: Any = mutagen.id3.ID3
    frames: Any = _tags  # what mutagen's own writing serializes each frame with

    class InOrder(base):  # type: ignore[misc]
        def _write(self, config: Any) -> bytearray:
            return bytearray().join(frames.save_frame(f, config=config) for f in self.values())

    return InOrder()


def _add_vorbis_chapters(path: Path, fmt: Format, script: Script) -> None:
    """One ``CHAPTERnnn`` comment pair per step, beside the tags libsndfile wrote."""
    import mutagen.flac
    import mutagen.oggvorbis

    kinds: Any = {"flac": mutagen.flac.FLAC, "ogg": mutagen.oggvorbis.OggVorbis}
    audio = kinds[fmt](path)
    for key, value in chapters.vorbis_comments(script).items():
        audio[key] = value
    audio.save()


def playlist_path(routine_ids: Sequence[str], out_dir: Path, *, split: bool) -> Path | None:
    """The playlist an export of ``routine_ids`` writes with their files: ``ID.m3u8`` for
    one routine, ``voiceguide.m3u8`` for several. None for one routine split into tracks,
    whose ``ID.m3u8`` is written with them."""
    if len(routine_ids) > 1:
        return out_dir / PLAYLIST
    if routine_ids and not split:
        return out_dir / f"{routine_ids[0]}.m3u8"
    return None


def write_playlist(exported: Sequence[ExportedRoutine], path: Path, *, replace: bool) -> None:
    """The playlist of ``exported`` at ``path``, in their order, written atomically."""
    entries: list[tuple[float, str, Path]] = []
    for item in exported:
        if len(item.audio_files) == 1:
            entries.append((item.duration, item.title, item.audio_files[0]))
        else:  # split: a track per step
            steps = item.script.steps
            entries += [
                (step.end - step.start, step.title, audio)
                for step, audio in zip(steps, item.audio_files, strict=True)
            ]
    with _Staging(path.parent) as staging:
        staging.write_text(path, _playlist(entries))
        staging.commit(replace=replace)


def _playlist(entries: Sequence[tuple[float, str, Path]]) -> str:
    """An extended M3U playlist of (duration, title, file) entries, files relative."""
    lines = ["#EXTM3U"]
    for duration, title, audio in entries:
        # One line each: a line break in a title would add a line of its own to the list.
        lines += [f"#EXTINF:{round(duration)},{one_line(title)}", audio.name]
    return "\n".join(lines) + "\n"


class _Staging:
    """Files written under temporary names in the output folder, renamed into place
    together by ``commit``; whatever was not committed is removed on the way out."""

    def __init__(self, out_dir: Path) -> None:
        self._out_dir = out_dir
        self._temps: dict[Path, Path] = {}

    def __enter__(self) -> _Staging:
        return self

    def __exit__(self, *_exc: object) -> None:
        for temp in self._temps.values():
            writing.remove(temp)

    def add(self, final: Path) -> Path:
        """A fresh temporary file that ``commit`` will rename to ``final``."""
        # Mode 0666, not mkstemp's private 0600: the rename would keep that, and exported
        # files get the usual permissions the user's umask gives.
        temp = writing.create(final, ".part", 0o666)
        self._temps[final] = temp
        return temp

    def temp(self, final: Path) -> Path:
        return self._temps[final]

    def write_text(self, final: Path, text: str) -> None:
        self.add(final).write_text(text, encoding="utf-8")

    def commit(self, *, replace: bool) -> None:
        """Put every file in place. Without ``replace`` each final name is created
        exclusively: a file that appeared there meanwhile (another export into the same
        folder) is an ``ExportError``, and this commit's files are taken back."""
        placed: list[Path] = []
        try:
            for final, temp in list(self._temps.items()):
                if replace:
                    writing.renamed(temp, final)
                else:
                    _place_new(temp, final)
                placed.append(final)
                del self._temps[final]
        except FileExistsError:
            for ours in placed:
                ours.unlink(missing_ok=True)
            raise ExportError(
                f"{final} appeared while exporting (another export into this folder?); "
                "add --force to replace it"
            ) from None


def _place_new(temp: Path, final: Path) -> None:
    """Give ``temp`` the name ``final`` only if nothing (not even a dangling link) has it."""
    try:
        os.link(temp, final, follow_symlinks=False)  # fails if ``final`` exists: exclusive
    except FileExistsError:
        raise
    except (OSError, NotImplementedError):
        # No hard links here (FAT on a memory card, some network shares, a system that
        # cannot link without following a symbolic link): check, then
        # rename; only a file made in between these two steps can be replaced.
        if os.path.lexists(final):
            raise FileExistsError(final) from None
        writing.renamed(temp, final)
        return
    writing.remove(temp)
