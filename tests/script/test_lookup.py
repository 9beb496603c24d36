"""A step found from what a person typed (``play --from``): its number or its title."""

from __future__ import annotations

import pytest

from tests.support.fake_timelines import stepped_timeline
from voiceguide.errors import PlaybackError
from voiceguide.script.lookup import find_step


def test_find_step_by_number_title_or_a_unique_part_of_it() -> None:
    script = stepped_timeline(8000).script
    assert find_step(script, "0") == 0  # numbered as `show` numbers them
    assert find_step(script, "3") == 3
    assert find_step(script, "step 3") == 2
    assert find_step(script, " STEP 2 ") == 1
    with pytest.raises(PlaybackError, match="there is no step 4: Fake routine has steps 0 to 3"):
        find_step(script, "4")
    with pytest.raises(PlaybackError, match="no step of Fake routine is called 'plank'"):
        find_step(script, "plank")
    with pytest.raises(PlaybackError, match="'step' matches several steps: 0 \\(Step 1\\)"):
        find_step(script, "step")
