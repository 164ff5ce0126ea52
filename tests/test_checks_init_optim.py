"""The initialisation and optimiser exercise checkers: each typical mistake gets its own
diagnosis, and no junk answer makes a checker raise. (That every reference solution
passes and every stub is rejected: test_exercise_contract.py.)"""

import numpy as np
import pytest
from exercise_harness import JUNK_ANSWERS, assert_rejected_calmly, exercise_notebook

from nnlib.checks import init_optim as check

BOOK = exercise_notebook("08_init_optim")


HE = "def he_normal(n_in, n_out, rng):\n    return {}"
XAVIER = "def xavier_scales(n_in, n_out):\n    s = n_in + n_out\n    return {}"
MOMENTUM = "def momentum_step(theta, v, g, lr, beta):\n{}"
ADAGRAD = "def adagrad_step(theta, G, g, lr, eps):\n{}"
ADAM = (
    "def adam_step(theta, m, v, g, t, lr, beta1, beta2, eps):\n"
    "    m_new = {m}\n"
    "    v_new = {v}\n"
    "    m_hat = {m_hat}\n"
    "    v_hat = {v_hat}\n"
    "    return {ret}"
)


CLIP = (
    "def clip_by_global_norm(grads, max_norm):\n"
    "    norm = {norm}\n"
    "    scale = {scale}\n"
    "    return {ret}"
)


def clip(
    norm="np.sqrt(sum(np.sum(g**2) for g in grads))",
    scale="min(1.0, max_norm / norm) if norm > 0 else 1.0",
    ret="[scale * g for g in grads]",
):
    return CLIP.format(norm=norm, scale=scale, ret=ret)


def adam(
    m="beta1 * m + (1 - beta1) * g",
    v="beta2 * v + (1 - beta2) * g**2",
    m_hat="m_new / (1 - beta1**t)",
    v_hat="v_new / (1 - beta2**t)",
    ret="theta - lr * m_hat / (np.sqrt(v_hat) + eps), m_new, v_new",
):
    return ADAM.format(m=m, v=v, m_hat=m_hat, v_hat=v_hat, ret=ret)


WRONG_ANSWERS = [
    # 1. He initialisation
    ("ex-init-optim-he-normal", HE.format("(2 / n_in) * rng.standard_normal((n_in, n_out))"),
     "variance-as-std"),
    ("ex-init-optim-he-normal", HE.format("rng.normal(0, 2 / n_in, size=(n_in, n_out))"),
     "variance-as-std"),
    ("ex-init-optim-he-normal",
     HE.format("np.sqrt(2 / n_out) * rng.standard_normal((n_in, n_out))"), "used-n-out"),
    ("ex-init-optim-he-normal",
     HE.format("np.sqrt(2 / (n_in + n_out)) * rng.standard_normal((n_in, n_out))"), "xavier"),
    ("ex-init-optim-he-normal",
     HE.format("np.sqrt(1 / n_in) * rng.standard_normal((n_in, n_out))"), "missing-factor-2"),
    ("ex-init-optim-he-normal",
     HE.format("rng.uniform(-np.sqrt(6 / n_in), np.sqrt(6 / n_in), (n_in, n_out))"), "uniform"),
    ("ex-init-optim-he-normal",
     HE.format("np.sqrt(2 / n_in) * rng.uniform(-1, 1, (n_in, n_out))"), "uniform"),
    ("ex-init-optim-he-normal",
     HE.format("np.sqrt(2 / n_in) * np.random.randn(n_in, n_out)"), "not-reproducible"),
    ("ex-init-optim-he-normal",
     HE.format("np.sqrt(2 / n_in) * np.random.default_rng().standard_normal((n_in, n_out))"),
     "not-reproducible"),
    ("ex-init-optim-he-normal",
     HE.format("np.sqrt(2 / n_in) * np.random.default_rng(0).standard_normal((n_in, n_out))"),
     "ignores-rng"),
    ("ex-init-optim-he-normal",
     HE.format("np.sqrt(2 / n_in) * rng.standard_normal((n_out, n_in))"), "transposed"),
    ("ex-init-optim-he-normal", HE.format("np.zeros((n_in, n_out))"), "constant"),
    ("ex-init-optim-he-normal",
     HE.format("1 + np.sqrt(2 / n_in) * rng.standard_normal((n_in, n_out))"), "not-centred"),
    ("ex-init-optim-he-normal",
     HE.format("0.3 * rng.standard_normal((n_in, n_out))"), "wrong-std"),
    # 2. the Xavier scales
    ("ex-init-optim-xavier-scales", XAVIER.format("np.sqrt(2 / s), np.sqrt(6 / s)"),
     "std-not-variance"),
    ("ex-init-optim-xavier-scales", XAVIER.format("1 / n_in, np.sqrt(6 / s)"), "lecun-variance"),
    ("ex-init-optim-xavier-scales", XAVIER.format("2 / n_in, np.sqrt(6 / s)"), "he-variance"),
    ("ex-init-optim-xavier-scales", XAVIER.format("1 / s, np.sqrt(6 / s)"), "missing-factor-2"),
    ("ex-init-optim-xavier-scales", XAVIER.format("2 / s, np.sqrt(2 / s)"), "limit-is-std"),
    ("ex-init-optim-xavier-scales", XAVIER.format("2 / s, 2 / s"), "limit-is-variance"),
    ("ex-init-optim-xavier-scales", XAVIER.format("2 / s, np.sqrt(2 / s / 3)"),
     "limit-divided-by-3"),
    ("ex-init-optim-xavier-scales", XAVIER.format("2 / s, 6 / s"), "limit-missing-sqrt"),
    ("ex-init-optim-xavier-scales", XAVIER.format("2 / s, np.sqrt(6 / n_in)"), "he-uniform-limit"),
    ("ex-init-optim-xavier-scales", XAVIER.format("np.sqrt(6 / s), 2 / s"), "swapped"),
    ("ex-init-optim-xavier-scales", XAVIER.format("2 / s"), "not-a-tuple"),
    ("ex-init-optim-xavier-scales", XAVIER.format("3 / s, np.sqrt(6 / s)"), "wrong-variance"),
    # 3. one step of momentum
    ("ex-init-optim-momentum-step",
     MOMENTUM.format("    v = beta * v + g\n    return theta - lr * v, v"), "no-one-minus-beta"),
    ("ex-init-optim-momentum-step",
     MOMENTUM.format("    v = beta * v + (1 - beta) * g\n    return theta - lr * g, v"),
     "step-with-gradient"),
    ("ex-init-optim-momentum-step",
     MOMENTUM.format("    v = (1 - beta) * v + beta * g\n    return theta - lr * v, v"),
     "beta-swapped"),
    ("ex-init-optim-momentum-step",
     MOMENTUM.format("    new_v = beta * v + (1 - beta) * g\n    return theta - lr * v, new_v"),
     "step-with-old-v"),
    ("ex-init-optim-momentum-step",
     MOMENTUM.format("    v = beta * v + (1 - beta) * g\n    return theta + lr * v, v"), "ascent"),
    ("ex-init-optim-momentum-step",
     MOMENTUM.format("    new_v = beta * v + (1 - beta) * g\n    return theta - lr * new_v, v"),
     "v-not-updated"),
    ("ex-init-optim-momentum-step",
     MOMENTUM.format("    v = beta * v - lr * g\n    return theta + v, v"), "velocity-form"),
    ("ex-init-optim-momentum-step",
     MOMENTUM.format("    v = beta * v + (1 - beta) * g\n    return theta - v, v"),
     "forgot-learning-rate"),
    ("ex-init-optim-momentum-step",
     MOMENTUM.format("    return theta - lr * (beta * v + (1 - beta) * g)"), "not-a-tuple"),
    # 4. one step of AdaGrad
    ("ex-init-optim-adagrad-step",
     ADAGRAD.format("    G = g**2\n    return theta - lr * g / (np.sqrt(G) + eps), G"),
     "G-not-accumulated"),
    ("ex-init-optim-adagrad-step",
     ADAGRAD.format("    step = lr * g / (np.sqrt(G) + eps)\n    return theta - step, G + g**2"),
     "old-G"),
    ("ex-init-optim-adagrad-step",
     ADAGRAD.format("    G = G + g**2\n    return theta - lr * g / (G + eps), G"), "missing-sqrt"),
    ("ex-init-optim-adagrad-step",
     ADAGRAD.format("    G = G + g\n    return theta - lr * g / (np.sqrt(G) + eps), G"),
     "G-not-squared"),
    ("ex-init-optim-adagrad-step",
     ADAGRAD.format("    G = G + g**2\n    return theta + lr * g / (np.sqrt(G) + eps), G"),
     "ascent"),
    ("ex-init-optim-adagrad-step",
     ADAGRAD.format(
         "    new_G = G + g**2\n    return theta - lr * g / (np.sqrt(new_G) + eps), G"
     ),
     "G-not-updated"),
    ("ex-init-optim-adagrad-step",
     ADAGRAD.format("    G = G + g**2\n    return theta - lr * g / (np.sqrt(G) + 1e-8), G"),
     "ignores-eps"),
    # 5. one step of Adam
    ("ex-init-optim-adam-step", adam(m_hat="m_new", v_hat="v_new"), "no-bias-correction"),
    ("ex-init-optim-adam-step", adam(v_hat="v_new"), "only-m-corrected"),
    ("ex-init-optim-adam-step", adam(m_hat="m_new"), "only-v-corrected"),
    ("ex-init-optim-adam-step",
     adam(m_hat="m_new / (1 - beta1**(t - 1))", v_hat="v_new / (1 - beta2**(t - 1))"),
     "t-zero-based"),
    ("ex-init-optim-adam-step",
     adam(m_hat="m_new / (1 - beta1**(t + 1))", v_hat="v_new / (1 - beta2**(t + 1))"),
     "t-one-too-many"),
    ("ex-init-optim-adam-step",
     adam(ret="theta - lr * g / (np.sqrt(v_hat) + eps), m_new, v_new"), "used-gradient"),
    ("ex-init-optim-adam-step",
     adam(ret="theta - lr * m_hat / (np.sqrt(m_hat**2) + eps), m_new, v_new"), "used-m-squared"),
    ("ex-init-optim-adam-step",
     adam(ret="theta + lr * m_hat / (np.sqrt(v_hat) + eps), m_new, v_new"), "ascent"),
    ("ex-init-optim-adam-step",
     adam(ret="theta - lr * m_hat / np.sqrt(v_hat), m_new, v_new"), "missing-eps"),
    ("ex-init-optim-adam-step",
     adam(ret="theta - lr * m_hat / (np.sqrt(v_hat) + eps), m_hat, v_hat"),
     "returned-corrected-state"),
    ("ex-init-optim-adam-step",
     adam(m="beta2 * m + (1 - beta2) * g", v="beta1 * v + (1 - beta1) * g**2"), "betas-swapped"),
    ("ex-init-optim-adam-step", adam(v="beta2 * v + (1 - beta2) * g"), "v-not-squared"),
    ("ex-init-optim-adam-step",
     adam(ret="theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v"), "m-not-updated"),
    ("ex-init-optim-adam-step",
     adam(ret="theta - lr * m_hat / (np.sqrt(v_hat) + 1e-8), m_new, v_new"), "ignores-eps"),
    # the correction written with Python floats: 1 / (1 - 0.9**0) raises ZeroDivisionError
    ("ex-init-optim-adam-step",
     adam(m_hat="m_new * (1 / (1 - beta1**(t - 1)))", v_hat="v_new * (1 / (1 - beta2**(t - 1)))"),
     "t-zero-based"),
    # 6. clipping by the global norm
    ("ex-init-optim-clip",
     clip(ret="[g * min(1.0, max_norm / np.linalg.norm(g)) for g in grads]"),
     "clipped-each-array"),
    ("ex-init-optim-clip", clip(ret="[np.clip(g, -max_norm, max_norm) for g in grads]"),
     "clipped-by-value"),
    ("ex-init-optim-clip", clip(scale="max_norm / norm"), "always-rescaled"),
    ("ex-init-optim-clip", clip(scale="max(1.0, max_norm / norm)"), "max-not-min"),
    ("ex-init-optim-clip", clip(norm="sum(np.sum(g**2) for g in grads)"), "squared-norm"),
    ("ex-init-optim-clip", clip(ret="[g.copy() for g in grads]"), "not-clipped"),
    ("ex-init-optim-clip", clip(ret="scale"), "returned-factor"),
    ("ex-init-optim-clip", clip(ret="norm"), "returned-norm"),
    ("ex-init-optim-clip", clip(norm="np.sqrt(sum(np.mean(g**2) for g in grads))"),
     "mean-of-squares"),
    ("ex-init-optim-clip", clip(ret="np.concatenate([scale * g.ravel() for g in grads])"),
     "flattened"),
    ("ex-init-optim-clip", clip(ret="[scale * g for g in grads][:2]"), "wrong-structure"),
    ("ex-init-optim-clip", clip(ret="{'W': grads[0]}"), "not-a-list"),
    ("ex-init-optim-clip", clip(ret="[scale * g.T for g in grads]"), "wrong-shape"),
    ("ex-init-optim-clip", clip(ret="[0.5 * scale * g for g in grads]"), "scaled"),
    ("ex-init-optim-clip", clip(ret="[scale * g + 0.1 * g**2 for g in grads]"), "wrong-values"),
    # the student's loop changes the arrays it was given
    ("ex-init-optim-clip",
     "def clip_by_global_norm(grads, max_norm):\n"
     "    norm = np.sqrt(sum(np.sum(g**2) for g in grads))\n"
     "    for g in grads:\n"
     "        g *= min(1.0, max_norm / norm)\n"
     "    return grads",
     "changed-input"),
    # Python floats: max_norm / 0.0 raises ZeroDivisionError for an all-zero gradient
    ("ex-init-optim-clip",
     clip(norm="float(np.sqrt(sum(np.sum(g**2) for g in grads)))",
          scale="min(1.0, max_norm / norm)"),
     "zero-gradient"),
    # the unit vector g / ‖g‖ times the capped length: 0 / 0 for an all-zero gradient
    ("ex-init-optim-clip",
     clip(scale="min(norm, max_norm)", ret="[g / norm * scale for g in grads]"),
     "zero-gradient"),
    ("ex-init-optim-he-std", "he_std = 2 / 512", "variance-not-std"),
    ("ex-init-optim-he-std", "he_std = np.sqrt(1 / 512)", "lecun"),
    ("ex-init-optim-he-std", "he_std = np.sqrt(2 / (512 + 256))", "xavier"),
    ("ex-init-optim-he-std", "he_std = 1 / 512", "one-over-n"),
    ("ex-init-optim-he-std", "he_std = 0.1", "wrong-number"),
    ("ex-init-optim-predict-adam-step", "predicted_step = 3.16e-3", "no-bias-correction"),
    ("ex-init-optim-predict-adam-step", "predicted_step = 1e-3 * 37 * 0.6745", "sgd-step"),
    ("ex-init-optim-predict-adam-step", "predicted_step = 1e-4", "momentum-share"),
    ("ex-init-optim-predict-adam-step", "predicted_step = 1", "far-off"),
]  # fmt: skip


@pytest.mark.parametrize("label, code, diagnosis", WRONG_ANSWERS)
def test_typical_wrong_answer_gets_its_diagnosis(label, code, diagnosis):
    BOOK.assert_diagnosis(label, code, diagnosis)


@pytest.mark.parametrize(
    "label, code",
    [
        ("ex-init-optim-he-normal", HE.format("rng.normal(0, np.sqrt(2 / n_in), (n_in, n_out))")),
        (
            "ex-init-optim-he-normal",
            HE.format("rng.standard_normal((n_in, n_out)) / np.sqrt(n_in / 2)"),
        ),
        ("ex-init-optim-xavier-scales", XAVIER.format("[2 / s, (6 / s) ** 0.5]")),
        (
            "ex-init-optim-momentum-step",
            MOMENTUM.format("    v *= beta\n    v += (1 - beta) * g\n    return theta - lr * v, v"),
        ),
        (
            "ex-init-optim-adam-step",
            adam(ret="theta - lr * m_hat / (v_hat**0.5 + eps), m_new, v_new"),
        ),
        ("ex-init-optim-clip", clip(scale="max_norm / max(norm, max_norm)")),
        (
            "ex-init-optim-clip",
            clip(
                norm="np.linalg.norm(np.concatenate([g.ravel() for g in grads]))",
                ret="[g * max_norm / norm if norm > max_norm else g for g in grads]",
            ),
        ),
        ("ex-init-optim-clip", clip(ret="tuple(scale * g for g in grads)")),
    ],
)
def test_other_right_answers_pass_too(label, code):
    feedback = BOOK.run(label, code)
    assert feedback.passed and feedback.code == "ok", str(feedback)


@pytest.mark.parametrize(
    "label, code",
    [
        (
            "ex-init-optim-adagrad-step",
            ADAGRAD.format("    G = G + g**2\n    return theta - lr * g / np.sqrt(G + eps), G"),
        ),
        (
            "ex-init-optim-adam-step",
            adam(ret="theta - lr * m_hat / np.sqrt(v_hat + eps), m_new, v_new"),
        ),
    ],
)
def test_epsilon_inside_the_root_is_accepted_with_a_note(label, code):
    feedback = BOOK.run(label, code)
    assert feedback.passed and feedback.code == "ok", str(feedback)
    assert "inside the square root" in feedback.message and "accepted" in feedback.message


def test_the_papers_folded_adam_step_is_accepted_with_a_note():
    # Kingma & Ba's cheaper order: both corrections folded into the rate.
    code = adam(
        ret="theta - lr * np.sqrt(1 - beta2**t) / (1 - beta1**t) * m_new "
        "/ (np.sqrt(v_new) + eps), m_new, v_new"
    )
    feedback = BOOK.run("ex-init-optim-adam-step", code)
    assert feedback.passed and feedback.code == "ok", str(feedback)
    assert "cheaper order" in feedback.message and "accepted" in feedback.message


@pytest.mark.parametrize(
    "answer",
    [
        *JUNK_ANSWERS,
        lambda *a: (None, None, None),
        lambda *a: {"w": 1.0},
        lambda *a: np.zeros(a[:2]) if len(a) == 3 else (a[0], a[1]),
        lambda *a: tuple(np.full_like(np.asarray(x, dtype=float), np.nan) for x in a[:3]),
        lambda *a: (1.0, 2.0, 3.0),
    ],
)
def test_nothing_a_student_passes_makes_a_checker_raise(answer):
    for func in (
        check.he_normal,
        check.xavier_scales,
        check.momentum_step,
        check.adagrad_step,
        check.adam_step,
        check.clip_by_global_norm,
    ):
        assert_rejected_calmly(func(answer))
