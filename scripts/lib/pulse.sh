# Sourced by scripts/test: make sure a PulseAudio server is reachable for the audio tests.
# When none answers, start a private one with a null sink (no sound card needed) whose
# socket is at a path we choose; PULSE_SERVER points every client at it, so tests that
# change HOME or XDG_* still find it. It is stopped when the calling script exits.

VOICEGUIDE_TEST_SINK="voiceguide_test"

start_private_pulseaudio() {
    if [ -n "${PULSE_SERVER:-}" ] && pactl info >/dev/null 2>&1; then
        return 0
    fi
    local dir
    dir="$(mktemp -d "${TMPDIR:-/tmp}/voiceguide-pulse.XXXXXX")"
    export PULSE_SERVER="unix:$dir/native"
    pulseaudio --daemonize=no --exit-idle-time=-1 -n --use-pid-file=no \
        --load="module-null-sink sink_name=$VOICEGUIDE_TEST_SINK rate=48000" \
        --load="module-native-protocol-unix auth-anonymous=1 socket=$dir/native" \
        >"$dir/pulseaudio.log" 2>&1 &
    VOICEGUIDE_PULSE_PID=$!
    # shellcheck disable=SC2064
    trap "kill $VOICEGUIDE_PULSE_PID 2>/dev/null; rm -rf '$dir'" EXIT
    local _
    for _ in $(seq 50); do
        pactl info >/dev/null 2>&1 && break
        sleep 0.1
    done
    if ! pactl info >/dev/null 2>&1; then
        printf 'scripts/test: PulseAudio did not start; its log:\n' >&2
        cat "$dir/pulseaudio.log" >&2
        exit 1
    fi
    pactl set-default-sink "$VOICEGUIDE_TEST_SINK"
    export VOICEGUIDE_TEST_SINK
}
