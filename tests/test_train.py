"""nnlib.train: the minimal training loop learns, is seeded, and leaves its input alone."""

import numpy as np
import pytest

from nnlib.data import logic_gate, make_moons
from nnlib.model import init_mlp
from nnlib.train import fit_classifier, predict_classes, train_mlp


def test_loss_falls_and_xor_is_learned():
    X, y = logic_gate("XOR")
    params, history = fit_classifier(X, y, hidden=(3,), activation="tanh", lr=0.5, epochs=2000)
    assert history.loss[-1] < 0.1 * history.loss[0]
    assert history.accuracy[-1] == 1.0
    assert predict_classes(params, X, activation="tanh").tolist() == y.tolist()


def test_training_is_reproducible_and_does_not_touch_the_given_params():
    X, y = make_moons(n=64, seed=1)
    start = init_mlp([2, 5, 2], seed=3)
    before = [layer["W"].copy() for layer in start]
    a, hist_a = train_mlp(start, X, y, lr=0.3, epochs=5, batch_size=16, seed=9)
    b, hist_b = train_mlp(start, X, y, lr=0.3, epochs=5, batch_size=16, seed=9)
    assert hist_a.loss == hist_b.loss
    assert all(np.array_equal(p["W"], q["W"]) for p, q in zip(a, b, strict=True))
    assert all(np.array_equal(layer["W"], w) for layer, w in zip(start, before, strict=True))


def test_mse_training_fits_a_line():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(50, 1))
    Y = 3 * X - 1
    params, history = train_mlp(
        init_mlp([1, 1], seed=0), X, Y, activation="identity", loss="mse", lr=0.3, epochs=300
    )
    assert history.loss[-1] < 1e-6
    assert params[0]["W"][0, 0] == pytest.approx(3, abs=1e-3)
    assert history.accuracy == []


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(loss="hinge"), "unknown loss 'hinge'"),
        (dict(lr=0), "learning rate lr must be positive"),
        (dict(epochs=0), "epochs must be a positive integer"),
        (dict(batch_size=0), "batch_size must be a positive integer"),
    ],
)
def test_bad_arguments(kwargs, message):
    X, y = logic_gate("AND")
    with pytest.raises(ValueError, match=message):
        train_mlp(init_mlp([2, 2]), X, y, **kwargs)


def test_progress_bar_only_when_asked_and_not_switched_off(monkeypatch, capsys):
    X, y = logic_gate("AND")
    monkeypatch.setenv("NNLIB_PROGRESS", "1")
    train_mlp(init_mlp([2, 2]), X, y, epochs=3, progress=True)
    assert "epochs" in capsys.readouterr().err
    train_mlp(init_mlp([2, 2]), X, y, epochs=3)
    monkeypatch.setenv("NNLIB_PROGRESS", "0")
    train_mlp(init_mlp([2, 2]), X, y, epochs=3, progress=True)
    assert capsys.readouterr().err == ""


def test_l2_shrinks_the_weights_but_not_the_biases():
    X, y = make_moons(n=64, seed=2)
    start = init_mlp([2, 6, 2], seed=0)
    plain, _ = train_mlp(start, X, y, activation="tanh", lr=0.5, epochs=200)
    decayed, _ = train_mlp(start, X, y, activation="tanh", lr=0.5, epochs=200, l2=0.01)
    size = lambda ps, k: sum(float(np.sum(p[k] ** 2)) for p in ps)  # noqa: E731
    assert size(decayed, "W") < 0.7 * size(plain, "W")
    # one step from zero weights: the bias gradient must not include a decay term
    zero = [{"W": np.zeros((2, 2)), "b": np.ones(2)}]
    one_step, _ = train_mlp(zero, X, y, activation="identity", lr=1.0, epochs=1, l2=10.0)
    no_decay, _ = train_mlp(zero, X, y, activation="identity", lr=1.0, epochs=1)
    assert np.array_equal(one_step[0]["b"], no_decay[0]["b"])


def test_dropout_training_is_seeded_and_still_learns():
    X, y = make_moons(n=128, seed=4)
    start = init_mlp([2, 32, 2], seed=1)
    a, hist_a = train_mlp(start, X, y, activation="relu", lr=0.5, epochs=150, dropout=0.3)
    b, hist_b = train_mlp(start, X, y, activation="relu", lr=0.5, epochs=150, dropout=0.3)
    assert hist_a.loss == hist_b.loss
    assert hist_a.accuracy[-1] > 0.85


def test_float32_stays_float32_and_optimiser_state_carries_over():
    from nnlib.optim import adam

    X, y = make_moons(n=64, seed=5)
    X = X.astype(np.float32)
    start = [{k: v.astype(np.float32) for k, v in layer.items()} for layer in init_mlp([2, 4, 2])]
    one, hist_one = train_mlp(start, X, y, optimizer=adam(0.01), epochs=2, batch_size=16)
    assert all(layer["W"].dtype == np.float32 for layer in one)
    half, hist_half = train_mlp(start, X, y, optimizer=adam(0.01), epochs=1, batch_size=16)
    both, _ = train_mlp(
        half,
        X,
        y,
        optimizer=adam(0.01),
        epochs=1,
        batch_size=16,
        seed=0,
        opt_state=hist_half.opt_state,
    )
    assert hist_one.opt_state["t"] == 2 * (64 // 16)
    assert both[0]["W"].shape == (2, 4)


def test_errors_name_train_mlp_not_the_functions_it_calls():
    X, y = logic_gate("AND")
    params = init_mlp([2, 2])
    with pytest.raises(ValueError, match=r"^train_mlp: l2 must be zero or positive, got -1$"):
        train_mlp(params, X, y, l2=-1)
    with pytest.raises(ValueError, match=r"^train_mlp: dropout must lie in \[0, 1\)"):
        train_mlp(params, X, y, dropout=1.0)
    with pytest.raises(ValueError, match=r"^train_mlp: batch_size must be at most the number"):
        train_mlp(params, X, y, batch_size=5)
    with pytest.raises(ValueError, match=r"^train_mlp: y must hold integer class indices 0\.\.1"):
        train_mlp(params, X, np.array([0, 1, 2, 1]))
    with pytest.raises(ValueError, match=r"^fit_classifier: hidden must list only positive"):
        fit_classifier(X, y, hidden=(0,))
    with pytest.raises(TypeError, match=r"^train_mlp: opt_state must be the optimiser state"):
        train_mlp(params, X, y, opt_state="state")


def test_a_diverging_run_still_records_its_loss_instead_of_raising():
    X, y = make_moons(n=40, seed=0)
    with np.errstate(all="ignore"):
        _, history = train_mlp(init_mlp([2, 8, 2], seed=0), X, y, lr=1e6, epochs=5)
    assert len(history.loss) == 5
    assert not np.isfinite(history.loss[-1]) or history.loss[-1] > 1.0
