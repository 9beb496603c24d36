"""``Samples``: mono float32 audio in [-1, 1], the one type every stage passes sound in.

Its own module, needing NumPy alone, so that speech engines and outputs can name it
without loading the signal helpers' libraries."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Samples = npt.NDArray[np.float32]
