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
    """Draw the learning-rate comparison and the momentum path side by side."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
    optimlab.compare_configs(epochs=30, lr=[1, 0.1, 0.01, 0.001]).plot(ax=left)
    # The yardstick: a run above this line predicts worse than the training mean does.
    yardstick = optimlab.baseline_rmse(optimlab.exercise_data(0))
    left.axhline(yardstick, color="black", linestyle="--", linewidth=1.2,
                 label="predicting the training mean")  # fmt: skip
    # Again, now with the yardstick; placed where no curve of this figure runs.
    left.legend(title="Configuration", loc="center", bbox_to_anchor=(0.6, 0.6))
    bottom, top = left.get_ylim()
    left.set_ylim(min(bottom, 0.9 * yardstick), max(top, 1.1 * yardstick))
    left.set_title("Question 1: four learning rates, AdamW, one seed")
    optimlab.plot_rosenbrock(ax=right)
    path = optimlab.rosenbrock_path("momentum", lr=0.01, steps=500, momentum=0.9)
    optimlab.plot_path(path, ax=right)
    right.plot(*optimlab.landscape.MINIMUM, marker="*", markersize=14, color="white",
               markeredgecolor="black", linestyle="none", label="minimum (1, 1)")  # fmt: skip
    right.legend(loc="lower left")
    right.set_title("Question 2: momentum on Rosenbrock, 500 steps")
    fig.savefig(OUTPUT, dpi=100)
    print(f"wrote {OUTPUT}")


if __name__ == "__main__":
    main()
