import itertools

import numpy as np
import pytest
from scipy.special import logsumexp

from course_lib import rbm as rbm_lib
from course_lib.rbm import (
    RBM,
    cd_gradient,
    dbn_pretrain,
    energy,
    free_energy,
    gibbs_chain,
    hidden_probs,
    hidden_states,
    init_rbm,
    log_likelihood,
    log_partition,
    pseudo_likelihood,
    reconstruction_error,
    train_rbm,
    visible_probs,
)

V, H = 4, 3
ALL_V = np.array(list(itertools.product([0, 1], repeat=V)), dtype=float)  # (16, 4)
ALL_H = np.array(list(itertools.product([0, 1], repeat=H)), dtype=float)  # (8, 3)


@pytest.fixture
def tiny():
    rng = np.random.default_rng(0)
    return RBM(rng.normal(0, 1.0, (V, H)), rng.normal(0, 0.5, V), rng.normal(0, 0.5, H))


def brute_force_joint(rbm):
    """p(v, h) over all 16 x 8 states by summing exp(-E) (no closed forms)."""
    vv = np.repeat(ALL_V, len(ALL_H), axis=0)
    hh = np.tile(ALL_H, (len(ALL_V), 1))
    e = np.array(
        [
            -(v @ rbm.visible_bias) - h @ rbm.hidden_bias - v @ rbm.weights @ h
            for v, h in zip(vv, hh, strict=True)
        ]
    )
    unnormalised = np.exp(-e).reshape(len(ALL_V), len(ALL_H))
    return unnormalised / unnormalised.sum(), np.log(unnormalised.sum()), e


def test_energy_matches_the_sum_over_units(tiny):
    _, _, e = brute_force_joint(tiny)
    vv = np.repeat(ALL_V, len(ALL_H), axis=0)
    hh = np.tile(ALL_H, (len(ALL_V), 1))
    np.testing.assert_allclose(energy(tiny, vv, hh), e, rtol=1e-12)


def test_conditionals_match_enumeration(tiny):
    joint, _, _ = brute_force_joint(tiny)
    p_v = joint.sum(axis=1)
    p_h = joint.sum(axis=0)
    expected_h = (joint @ ALL_H) / p_v[:, None]  # p(h_j = 1 | v) for every v
    expected_v = (joint.T @ ALL_V) / p_h[:, None]  # p(v_i = 1 | h) for every h
    np.testing.assert_allclose(hidden_probs(tiny, ALL_V), expected_h, rtol=1e-10)
    np.testing.assert_allclose(visible_probs(tiny, ALL_H), expected_v, rtol=1e-10)


def test_free_energy_log_z_and_likelihood_match_enumeration(tiny):
    joint, log_z, e = brute_force_joint(tiny)
    expected_f = -logsumexp(-e.reshape(len(ALL_V), len(ALL_H)), axis=1)
    np.testing.assert_allclose(free_energy(tiny, ALL_V), expected_f, rtol=1e-12)
    assert log_partition(tiny) == pytest.approx(log_z, rel=1e-12)
    assert log_partition(tiny, chunk_size=3) == pytest.approx(log_z, rel=1e-12)
    np.testing.assert_allclose(np.exp(log_likelihood(tiny, ALL_V)), joint.sum(axis=1), rtol=1e-10)
    assert np.exp(log_likelihood(tiny, ALL_V)).sum() == pytest.approx(1.0, rel=1e-12)


def test_pseudo_likelihood_matches_enumeration(tiny):
    joint, _, _ = brute_force_joint(tiny)
    p_v = dict(zip(map(tuple, ALL_V), joint.sum(axis=1), strict=True))
    expected = []
    for v in ALL_V:
        total = 0.0
        for i in range(V):
            flipped = v.copy()
            flipped[i] = 1 - flipped[i]
            total += np.log(p_v[tuple(v)] / (p_v[tuple(v)] + p_v[tuple(flipped)]))
        expected.append(total)
    np.testing.assert_allclose(pseudo_likelihood(tiny, ALL_V), expected, rtol=1e-10)
    np.testing.assert_allclose(pseudo_likelihood(tiny, ALL_V, chunk_size=5), expected, rtol=1e-10)


def test_pseudo_likelihood_is_the_mean_of_scikit_learns_estimate(tiny):
    from sklearn.neural_network import BernoulliRBM

    sk = BernoulliRBM(n_components=H)
    sk.components_ = tiny.weights.T.copy()
    sk.intercept_visible_ = tiny.visible_bias.copy()
    sk.intercept_hidden_ = tiny.hidden_bias.copy()
    sk.n_features_in_ = V
    many = np.tile(ALL_V, (4000, 1))
    sk.random_state = 0
    estimate = sk.score_samples(many).reshape(4000, len(ALL_V)).mean(axis=0)
    np.testing.assert_allclose(estimate, pseudo_likelihood(tiny, ALL_V), rtol=0.05, atol=0.05)
    np.testing.assert_allclose(-sk._free_energy(ALL_V), -free_energy(tiny, ALL_V), rtol=1e-12)


def test_hidden_states_enumerates_every_binary_vector():
    states = hidden_states(3)
    assert states.shape == (8, 3)
    assert len({tuple(s) for s in states}) == 8
    np.testing.assert_array_equal(hidden_states(3, 5, 7), states[5:7])


def test_gibbs_chain_reaches_the_model_distribution(tiny):
    joint, _, _ = brute_force_joint(tiny)
    rng = np.random.default_rng(1)
    v, probs = gibbs_chain(tiny, np.zeros((20000, V)), steps=30, rng=rng)
    codes = (v @ (2 ** np.arange(V)[::-1])).astype(int)  # row index in ALL_V
    empirical = np.bincount(codes, minlength=len(ALL_V)) / len(v)
    np.testing.assert_allclose(empirical, joint.sum(axis=1), atol=0.015)
    assert probs.shape == v.shape and np.all((probs > 0) & (probs < 1))


def exact_gradient(rbm, data):
    """<v h>_data - <v h>_model by enumeration (model term from the exact p(v))."""
    joint, _, _ = brute_force_joint(rbm)
    p_v = joint.sum(axis=1)
    h_data, h_all = hidden_probs(rbm, data), hidden_probs(rbm, ALL_V)
    dW = data.T @ h_data / len(data) - (ALL_V * p_v[:, None]).T @ h_all
    db = data.mean(0) - p_v @ ALL_V
    dc = h_data.mean(0) - p_v @ h_all
    return dW, db, dc


def test_exact_gradient_is_the_log_likelihood_gradient(tiny):
    data = ALL_V[[3, 5, 5, 12, 15]]
    dW, _, _ = exact_gradient(tiny, data)
    step = 1e-6
    numeric = np.zeros_like(dW)
    for i, j in itertools.product(range(V), range(H)):
        plus, minus = tiny.copy(), tiny.copy()
        plus.weights[i, j] += step
        minus.weights[i, j] -= step
        numeric[i, j] = (log_likelihood(plus, data).mean() - log_likelihood(minus, data).mean()) / (
            2 * step
        )
    np.testing.assert_allclose(numeric, dW, atol=1e-7)


def test_cd_gradient_with_an_equilibrium_chain_is_unbiased(tiny):
    joint, _, _ = brute_force_joint(tiny)
    rng = np.random.default_rng(2)
    chain = ALL_V[rng.choice(len(ALL_V), size=40000, p=joint.sum(axis=1))]  # exact samples
    data = ALL_V[[3, 5, 5, 12, 15]]
    dW, db, dc, v_model = cd_gradient(tiny, data, k=1, rng=rng, chain=chain)
    expected = exact_gradient(tiny, data)
    for got, want in zip((dW, db, dc), expected, strict=True):
        np.testing.assert_allclose(got, want, atol=0.02)
    assert v_model.shape == chain.shape


def test_cd_gradient_positive_phase_and_sampling_order(tiny):
    data = ALL_V[[1, 6, 9]]
    dW, db, dc, v_model = cd_gradient(tiny, data, k=2, rng=np.random.default_rng(3))
    rng = np.random.default_rng(3)  # the same draws, written out
    h_data = hidden_probs(tiny, data)
    h = (rng.random(h_data.shape) < h_data).astype(float)
    v1 = (rng.random(data.shape) < visible_probs(tiny, h)).astype(float)
    h = (rng.random(h.shape) < hidden_probs(tiny, v1)).astype(float)
    v2 = (rng.random(data.shape) < visible_probs(tiny, h)).astype(float)
    np.testing.assert_array_equal(v_model, v2)
    h2 = hidden_probs(tiny, v2)
    np.testing.assert_allclose(dW, (data.T @ h_data - v2.T @ h2) / 3, rtol=1e-12)
    np.testing.assert_allclose(db, data.mean(0) - v2.mean(0), atol=1e-15)
    np.testing.assert_allclose(dc, h_data.mean(0) - h2.mean(0), rtol=1e-12)


@pytest.mark.parametrize("persistent", [False, True])
def test_training_raises_the_exact_likelihood(persistent):
    rng = np.random.default_rng(4)
    prototypes = np.array([[1, 1, 0, 0, 0, 0], [0, 0, 0, 0, 1, 1]], dtype=float)
    x = prototypes[rng.integers(0, 2, 300)]
    rbm = init_rbm(6, 3, seed=0)
    history = train_rbm(
        rbm,
        x,
        epochs=30,
        learning_rate=0.1,
        batch_size=20,
        persistent=persistent,
        callback=lambda epoch, model: log_likelihood(model, x).mean(),
    )
    assert len(history) == 31
    assert history[-1] > history[0] + 2.0
    assert reconstruction_error(rbm, x) < 0.1


def test_init_and_dbn_shapes():
    rbm = init_rbm(5, 2, seed=1, weight_scale=0.1)
    assert rbm.weights.shape == (5, 2) and not rbm.visible_bias.any() and not rbm.hidden_bias.any()
    assert rbm.weights.std() == pytest.approx(0.1, rel=0.6)
    x = (np.random.default_rng(0).random((40, 6)) < 0.5).astype(float)
    rbms = dbn_pretrain(x, [4, 3], epochs=2, learning_rate=0.05, batch_size=10)
    assert [r.weights.shape for r in rbms] == [(6, 4), (4, 3)]


def test_errors_name_the_argument(tiny):
    rng = np.random.default_rng(0)
    grey = np.full((2, V), 0.5)
    with pytest.raises(ValueError, match="v must be binary"):
        free_energy(tiny, grey)
    with pytest.raises(ValueError, match="x must be binary"):
        train_rbm(tiny, grey, epochs=1, learning_rate=0.1)
    with pytest.raises(ValueError, match="v_data must be binary"):
        cd_gradient(tiny, grey, k=1, rng=rng)
    with pytest.raises(ValueError, match="k must be"):
        cd_gradient(tiny, ALL_V, k=0, rng=rng)
    with pytest.raises(ValueError, match="k must be"):
        train_rbm(tiny, ALL_V, epochs=1, learning_rate=0.1, k=0)
    for bad in (0.0, -0.1, float("nan")):
        with pytest.raises(ValueError, match="learning_rate"):
            train_rbm(tiny, ALL_V, epochs=1, learning_rate=bad)
    with pytest.raises(ValueError, match="steps"):
        gibbs_chain(tiny, ALL_V, steps=0, rng=rng)
    with pytest.raises(ValueError, match=r"v must have shape \(n, 4\)"):
        hidden_probs(tiny, np.zeros((2, 5)))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        visible_probs(tiny, np.full((1, H), 2.0))
    with pytest.raises(ValueError, match="hidden units"):
        log_partition(init_rbm(3, rbm_lib.MAX_EXACT_HIDDEN + 1))
    with pytest.raises(ValueError, match="hidden_sizes"):
        dbn_pretrain(ALL_V, [], epochs=1, learning_rate=0.1)
