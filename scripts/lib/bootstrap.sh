# Sourced by the scripts in scripts/: makes sure the system packages and the .venv that
# voiceguide needs are there, then leaves VOICEGUIDE_ROOT and VENV set.
#
#   bootstrap run    what `voiceguide play` needs
#   bootstrap dev    that, plus what the test suite needs (PulseAudio, the dev tools, extras)
#
# The work is skipped when a stamp in .venv says the same setup is already done, so later
# runs start at once.

VOICEGUIDE_ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd -P)"
VENV="$VOICEGUIDE_ROOT/.venv"

# Debian/Ubuntu package names. espeak-ng speaks; PortAudio plays.
RUN_APT_PACKAGES=(espeak-ng libespeak-ng1 libportaudio2)
# The tests play into a private PulseAudio server and record its monitor; ALSA clients
# (simpleaudio) reach it through libasound2-plugins; simpleaudio builds against ALSA headers.
# The media-key tests run in a private D-Bus session (dbus-run-session, from dbus) and
# press buttons as a desktop does (playerctl). The phone page is tested in a real headless
# chromium; ffprobe reads exported chapters back.
DEV_APT_PACKAGES=(pulseaudio pulseaudio-utils libasound2-plugins libasound2-dev gcc dbus playerctl
    chromium chromium-driver ffmpeg)
# The natural voice (Piper, GPL-licensed, so an optional extra of the package) is part of
# the checkout's setup: the first `scripts/voiceguide play` already speaks with it. So are
# matplotlib (the chart extra), for `history --chart` and the phone page's chart, and
# the offline recogniser for `play --listen` (the listen extra).
RUN_EXTRAS="piper,chart,listen"
DEV_EXTRAS="dev,simpleaudio,piper,chart,listen"

_say() { printf 'voiceguide setup: %s\n' "$*" >&2; }

_missing_apt_packages() {
    local pkg
    for pkg in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
            printf '%s\n' "$pkg"
        fi
    done
}

_ensure_apt_packages() {
    command -v dpkg-query >/dev/null 2>&1 || {
        # Not Debian or Ubuntu: macOS and Windows speak through pyttsx3's own engines.
        _say "no apt on this system; skipping system packages (see README for your platform)"
        return 0
    }
    local missing
    mapfile -t missing < <(_missing_apt_packages "$@")
    [ "${#missing[@]}" -eq 0 ] && return 0
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
            sudo=(sudo)
        else
            _say "these system packages are missing: ${missing[*]}"
            _say "install them, then run this command again:"
            printf '    sudo apt-get update && sudo apt-get install -y %s\n' "${missing[*]}" >&2
            exit 1
        fi
    fi
    _say "installing system packages: ${missing[*]}"
    "${sudo[@]}" apt-get update -qq >&2 || exit 1
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >&2 || {
        _say "apt-get could not install: ${missing[*]}"
        exit 1
    }
}

_python() {
    local candidate
    for candidate in python3.13 python3.12 python3.11 python3; do
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            printf '%s\n' "$candidate"
            return 0
        fi
    done
    _say "voiceguide needs Python 3.11 or newer; install it (apt-get install python3) and retry"
    exit 1
}

# Python compiles each module it imports, a tenth of a second for voiceguide's, and keeps the
# result only where it may write (not under PYTHONDONTWRITEBYTECODE). An editable install is
# not compiled by pip as a wheel is, so the setup does it: `play` then starts without it.
compile_bytecode() {
    "$VENV/bin/python" -m compileall -q "$VOICEGUIDE_ROOT/voiceguide" >/dev/null || true
}

# pip's own progress, on stderr. On a terminal: all of it, with its download bars. Else
# (CI, a log file): a line for each package as it is collected, and the summary, without
# bars or the lines about what was already there, so a log stays short. pip's warnings
# and errors go to stderr unfiltered either way.
_pip_install() {
    if [ -t 2 ]; then
        "$VENV/bin/python" -m pip install --disable-pip-version-check --progress-bar on "$@" >&2
    else
        "$VENV/bin/python" -m pip install --disable-pip-version-check --progress-bar off "$@" |
            { grep --line-buffered -E '^(Collecting|Installing collected|Successfully)' || true; } >&2
        return "${PIPESTATUS[0]}"
    fi
}

bootstrap() {
    local profile="$1" extras apt_packages
    if [ "$profile" = dev ]; then
        extras="$DEV_EXTRAS"
        apt_packages=("${RUN_APT_PACKAGES[@]}" "${DEV_APT_PACKAGES[@]}")
    else
        extras="$RUN_EXTRAS"
        apt_packages=("${RUN_APT_PACKAGES[@]}")
    fi
    local stamp_file="$VENV/.voiceguide-setup"
    local stamp
    stamp="$profile $(cat "$VOICEGUIDE_ROOT/pyproject.toml" "$VOICEGUIDE_ROOT/scripts/lib/bootstrap.sh" | sha256sum | cut -c1-16)"
    if [ -f "$stamp_file" ] && grep -qxF "$stamp" "$stamp_file"; then
        return 0
    fi
    # A dev setup covers a run setup: don't downgrade it.
    if [ "$profile" = run ] && [ -f "$stamp_file" ] &&
        grep -qxF "dev ${stamp#run }" "$stamp_file"; then
        return 0
    fi

    _ensure_apt_packages "${apt_packages[@]}"
    local python
    python="$(_python)"
    if [ ! -x "$VENV/bin/python" ]; then
        _say "creating $VENV"
        "$python" -m venv "$VENV" || {
            _say "could not create a virtual environment; on Debian: apt-get install python3-venv"
            exit 1
        }
    fi
    local target="$VOICEGUIDE_ROOT"
    [ -n "$extras" ] && target="$VOICEGUIDE_ROOT[$extras]"
    _say "installing voiceguide and what it needs into $VENV (${profile}; a few hundred MB)"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip >&2 &&
        _pip_install -e "$target" || {
        _say "pip could not install voiceguide; see the messages above"
        exit 1
    }
    compile_bytecode
    printf '%s\n' "$stamp" >"$stamp_file"
}
