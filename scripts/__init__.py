"""The checkout's scripts; the benchmarks are modules run from the checkout's root
(``python -m scripts.bench``), so they import ``scripts.figures`` and the tests' support
package the ordinary way."""
