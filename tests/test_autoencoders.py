import numpy as np
import pytest

from course_lib.autoencoders import dense_autoencoder, reconstruction_errors


def test_shapes_and_mirrored_layers():
    autoencoder, encoder, decoder = dense_autoencoder(20, [16, 8, 3])
    assert encoder.output_shape == (None, 3)
    assert decoder.output_shape == (None, 20)
    assert autoencoder.output_shape == (None, 20)
    sizes = [layer.units for layer in encoder.layers[1:]] + [
        layer.units for layer in decoder.layers[1:]
    ]
    assert sizes == [16, 8, 3, 8, 16, 20]
    # the autoencoder shares its weights with encoder and decoder
    assert autoencoder.count_params() == encoder.count_params() + decoder.count_params()


def test_linear_autoencoder_has_no_nonlinearity():
    autoencoder, _, _ = dense_autoencoder(5, [2], activation=None, output_activation=None)
    x = np.random.default_rng(0).normal(size=(4, 5)).astype("float32")
    y1 = np.asarray(autoencoder.predict(x, verbose=0))
    y2 = np.asarray(autoencoder.predict(2 * x, verbose=0))
    bias = np.asarray(autoencoder.predict(np.zeros_like(x), verbose=0))
    np.testing.assert_allclose(y2 - bias, 2 * (y1 - bias), rtol=1e-4, atol=1e-5)


def test_reconstruction_errors_per_sample():
    autoencoder, _, _ = dense_autoencoder(4, [4], activation=None, output_activation=None)
    autoencoder.layers[1].set_weights([np.eye(4), np.zeros(4)])  # encoder: identity
    autoencoder.layers[2].set_weights([np.eye(4), np.zeros(4)])  # decoder: identity
    x = np.array([[0, 0, 0, 0], [1, 2, 3, 4]], dtype="float32")
    np.testing.assert_allclose(reconstruction_errors(autoencoder, x), [0.0, 0.0], atol=1e-6)
    autoencoder.layers[2].set_weights([np.zeros((4, 4)), np.ones(4)])  # decoder outputs 1
    np.testing.assert_allclose(reconstruction_errors(autoencoder, x), [1.0, 3.5], rtol=1e-6)


def test_bad_sizes():
    with pytest.raises(ValueError, match="positive"):
        dense_autoencoder(10, [])
    with pytest.raises(ValueError, match="positive"):
        dense_autoencoder(10, [4, 0])
