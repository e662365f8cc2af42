"""chidao's settings plus the two baseline views; used only by the benchmarks.

The product's URLconf stays free of benchmark code: only this module points at `bench.urls`.
"""

from chidao.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
