"""The player: a ``Timeline`` heard in real time, steered by keys and headset buttons.

- ``player``: ``Player``, the controls' meanings over a Timeline, and its loop;
- ``transport``: the Timeline as a stream that pauses, resumes and jumps;
- ``state``: the records the display and MPRIS read (``Status``, ``PlayResult``, ``Outcome``);
- ``commands``: a key or a button becomes a ``Request``; one meaning per command;
- ``keys``, ``keyboard``: the key maps, and the key reader of this platform
  (``keys_posix`` or ``keys_windows``);
- ``display``: the glanceable terminal display;
- ``whereami``: what "where am I?" says;
- ``rating``: "how is your back, 0 to 10?": its sound and window, digits made a number;
- ``media_keys`` (with ``mpris`` and ``session_bus``): media keys and headset buttons
  over D-Bus, where there is one.
"""
