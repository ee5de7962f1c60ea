"""``python -m voice_interviewer``."""

import sys

from .cli import main

sys.exit(main())
