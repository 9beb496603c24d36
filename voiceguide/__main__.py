"""``python -m voiceguide``."""

from voiceguide.cli import main

main()
