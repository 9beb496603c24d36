"""voiceguide's test suite (a package, so ``tests.support`` is importable by the tests and by
scripts/ alike)."""
