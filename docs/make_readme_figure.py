"""Draw ``_static/overview.png``, the figure of the README and the landing page.

Run from anywhere, ``python docs/make_readme_figure.py``; the figure is committed, so the
README shows it without a build. It is made by the same calls as the gallery's learning-rate
and momentum pages.
"""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

import optimlab

OUTPUT = Path(__file__).parent / "_static" / "overview.png"


def main() -> None:
    """Draw the learning-rate comparison above the momentum path, for a phone's width too."""
    with plt.rc_context({"font.size": 13}):
        fig, (top, bottom) = plt.subplots(2, 1, figsize=(5, 8.6), layout="constrained")
        # result.plot() draws the yardstick: a run above it predicts worse than the mean.
        optimlab.compare_configs(epochs=30, lr=[1, 0.1, 0.01, 0.001]).plot(ax=top)
        top.set_title("Question 1: four learning rates", fontsize="medium")
        optimlab.plot_rosenbrock(ax=bottom)
        path = optimlab.rosenbrock_path("momentum", lr=0.01, steps=500, momentum=0.9)
        optimlab.plot_path(path, ax=bottom)
        bottom.plot(*optimlab.landscape.MINIMUM, marker="*", markersize=14, color="white",
                    markeredgecolor="black", linestyle="none", label="minimum (1, 1)")  # fmt: skip
        bottom.legend(loc="lower left", fontsize="small")
        bottom.set_title("Question 2: momentum, 500 steps", fontsize="medium")
        fig.savefig(OUTPUT, dpi=100)
    print(f"wrote {OUTPUT}")


if __name__ == "__main__":
    main()
