import numpy as np
import pytest

from course_lib.rnn import recurrent_classifier


@pytest.mark.parametrize("kind", ["simple_rnn", "lstm", "gru"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_recurrent_classifier_shapes_and_parameters(kind, bidirectional):
    vocab, length, embed, units = 50, 7, 4, 3
    model = recurrent_classifier(kind, vocab, length, embed, units, bidirectional)
    x = np.array([[3, 4, 5, 0, 0, 0, 0], [1, 2, 3, 4, 5, 6, 7]], dtype="int32")
    p = np.asarray(model.predict(x, verbose=0))
    assert p.shape == (2, 1) and np.all((p > 0) & (p < 1))
    gates = {"simple_rnn": 1, "lstm": 4, "gru": 3}[kind]
    # GRU (reset_after=True) has two bias vectors per gate
    bias = gates * units * (2 if kind == "gru" else 1)
    recurrent = gates * (embed * units + units * units) + bias
    directions = 2 if bidirectional else 1
    expected = vocab * embed + directions * recurrent + (directions * units + 1)
    assert model.count_params() == expected
    assert model.optimizer is not None  # compiled


def test_recurrent_classifier_masks_padding():
    model = recurrent_classifier("gru", 20, 6, 4, 3)
    short = np.array([[5, 6, 7, 0, 0, 0]], dtype="int32")
    # padding (id 0) is skipped, so trailing zeros give the same state as the short sequence
    full = recurrent_classifier("gru", 20, 3, 4, 3)
    full.set_weights(model.get_weights())
    np.testing.assert_allclose(
        model.predict(short, verbose=0), full.predict(short[:, :3], verbose=0), atol=1e-6
    )


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"kind": "transformer"}, "kind"),
        ({"vocab_size": 0}, "vocab_size"),
        ({"sequence_length": -1}, "sequence_length"),
        ({"embed_dim": 0}, "embed_dim"),
        ({"units": 2.5}, "units"),
    ],
)
def test_recurrent_classifier_rejects_bad_arguments(kwargs, name):
    args = {"kind": "lstm", "vocab_size": 10, "sequence_length": 5} | kwargs
    with pytest.raises(ValueError, match=name):
        recurrent_classifier(**args)
