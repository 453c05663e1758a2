import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from course_lib import plots  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_show_images_grid_and_titles():
    images = np.random.default_rng(0).random((12, 28, 28))
    fig = plots.show_images(images, titles=[f"c{i}" for i in range(12)], ncols=5)
    axes = fig.get_axes()
    assert len(axes) == 15  # 3 rows x 5 columns, the last 3 empty
    assert [ax.get_title() for ax in axes[:12]] == [f"c{i}" for i in range(12)]
    assert sum(bool(ax.images) for ax in axes) == 12


def test_show_images_rejects_bad_input():
    with pytest.raises(ValueError, match="shape"):
        plots.show_images(np.zeros((28, 28)))
    with pytest.raises(ValueError, match="2 titles for 3 images"):
        plots.show_images(np.zeros((3, 4, 4)), titles=["a", "b"])


def test_plot_history_panels_and_validation_curves():
    history = {"loss": [1.0, 0.5, 0.3], "val_loss": [1.1, 0.7, 0.6], "accuracy": [0.5, 0.7, 0.8]}
    fig = plots.plot_history(history)
    loss_ax, acc_ax = fig.get_axes()
    assert loss_ax.get_ylabel() == "loss" and len(loss_ax.lines) == 2
    assert acc_ax.get_ylabel() == "accuracy" and len(acc_ax.lines) == 1
    np.testing.assert_allclose(loss_ax.lines[1].get_ydata(), [1.1, 0.7, 0.6])


def test_plot_history_errors():
    with pytest.raises(ValueError, match="empty"):
        plots.plot_history({})
    with pytest.raises(KeyError, match="'mse' not in history"):
        plots.plot_history({"loss": [1.0]}, metrics=["mse"])


def test_show_weights_dense_kernel_each_filter_scaled():
    weights = np.arange(16 * 3, dtype=float).reshape(16, 3) * [1.0, 10.0, -1.0]
    fig = plots.show_weights(weights, ncols=3)
    shown = [ax.images[0].get_array() for ax in fig.get_axes() if ax.images]
    assert len(shown) == 3 and shown[0].shape == (4, 4)
    for image in shown:
        assert image.min() == 0.0 and image.max() == 1.0


def test_show_weights_conv_kernel_and_limit():
    fig = plots.show_weights(np.random.default_rng(1).normal(size=(3, 3, 2, 40)), max_filters=8)
    assert sum(bool(ax.images) for ax in fig.get_axes()) == 8


def test_show_weights_shape_errors():
    with pytest.raises(ValueError, match="image_shape"):
        plots.show_weights(np.zeros((10, 4)))
    with pytest.raises(ValueError, match="does not hold"):
        plots.show_weights(np.zeros((10, 4)), image_shape=(3, 3))
    with pytest.raises(ValueError, match="2-D"):
        plots.show_weights(np.zeros(5))


def test_show_images_leaves_room_for_two_line_titles():
    images = np.zeros((4, 8, 8))
    one = plots.show_images(images, titles=["a"] * 4, ncols=2)
    two = plots.show_images(images, titles=["a\n-> b"] * 4, ncols=2)
    none = plots.show_images(images, ncols=2)
    heights = [fig.get_size_inches()[1] for fig in (none, one, two)]
    assert heights[0] < heights[1] < heights[2]
    assert heights[2] - heights[1] == pytest.approx(2 * 0.2)
    plt.close("all")
