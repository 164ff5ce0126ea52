"""The convolutional-network exercise checkers: each typical mistake gets its own diagnosis,
other right answers pass, and no junk answer makes a checker raise. (That every reference
solution passes and every stub is rejected: test_exercise_contract.py.)"""

import numpy as np
import pytest
from exercise_harness import JUNK_ANSWERS, assert_rejected_calmly, exercise_notebook

from nnlib.checks import cnn as check

BOOK = exercise_notebook("11_cnn")


def size(expression):
    return f"def output_size(n, k, stride, padding):\n    return {expression}\n"


PAD = "    Xp = np.pad(X, ((0, 0), (0, 0), (padding, padding), (padding, padding)))\n"
FORWARD_HEAD = (
    "def conv2d_forward(X, W, b, stride, padding):\n"
    "    m, _, h, w = X.shape\n"
    "    c_out, _, kh, kw = W.shape\n" + PAD + "    h_out = (h + 2 * padding - kh) // stride + 1\n"
    "    w_out = (w + 2 * padding - kw) // stride + 1\n"
    "    out = np.zeros((m, c_out, h_out, w_out))\n"
    "    for n in range(m):\n"
    "        for o in range(c_out):\n"
    "            for i in range(h_out):\n"
    "                for j in range(w_out):\n"
)


def forward(window, value="np.sum(window * W[o]) + b[o]", head=FORWARD_HEAD):
    return (
        head
        + f"                    window = {window}\n"
        + f"                    out[n, o, i, j] = {value}\n"
        + "    return out\n"
    )


RIGHT_WINDOW = "Xp[n, :, i * stride : i * stride + kh, j * stride : j * stride + kw]"

DW_HEAD = (
    "def conv2d_weight_grad(dout, X, kh, kw, stride, padding):\n"
    "    m, c_out, h_out, w_out = dout.shape\n"
    + PAD
    + "    dW = np.zeros((c_out, X.shape[1], kh, kw))\n"
    "    for n in range(m):\n"
    "        for o in range(c_out):\n"
    "            for i in range(h_out):\n"
    "                for j in range(w_out):\n"
)


def weight_grad(window=RIGHT_WINDOW, finish="    return dW\n", images="m"):
    head = DW_HEAD.replace("for n in range(m)", f"for n in range({images})")
    return head + f"                    dW[o] += dout[n, o, i, j] * {window}\n" + finish


POOL_HEAD = (
    "def max_pool_backward(dout, X, size):\n"
    "    dX = np.zeros_like(X, dtype=float)\n"
    "    m, c, h_out, w_out = dout.shape\n"
    "    for n in range(m):\n"
    "        for ch in range(c):\n"
    "            for i in range(h_out):\n"
    "                for j in range(w_out):\n"
    "                    t, l = i * size, j * size\n"
    "                    win = X[n, ch, t : t + size, l : l + size]\n"
)


def pool(body):
    return POOL_HEAD + body + "    return dX\n"


ARGMAX = "                    a, b = np.unravel_index(np.argmax(win), win.shape)\n"

WRONG_ANSWERS = [
    # (exercise, the student's code, the diagnosis it must get)
    ("ex-cnn-output-size", size("n + 2 * padding - k + 1"), "stride-ignored"),
    ("ex-cnn-output-size", size("(n + padding - k) // stride + 1"), "padding-once"),
    ("ex-cnn-output-size", size("(n - k) // stride + 1"), "padding-ignored"),
    ("ex-cnn-output-size", size("(n + 2 * padding - k) // stride"), "missing-plus-one"),
    (
        "ex-cnn-output-size",
        size("int(np.ceil((n + 2 * padding - k) / stride)) + 1"),
        "rounded-up",
    ),
    ("ex-cnn-output-size", size("(n + 2 * padding + k) // stride + 1"), "plus-k"),
    ("ex-cnn-output-size", size("(n + 2 * padding - k) / stride + 1"), "not-an-integer"),
    (
        "ex-cnn-forward",
        forward(RIGHT_WINDOW, "np.sum(window * W[o, :, ::-1, ::-1]) + b[o]"),
        "flipped",
    ),
    ("ex-cnn-forward", forward("Xp[n, :, i : i + kh, j : j + kw]"), "stride-ignored"),
    ("ex-cnn-forward", forward(RIGHT_WINDOW, "np.sum(window * W[o])"), "no-bias"),
    (
        "ex-cnn-forward",
        forward(RIGHT_WINDOW, "np.sum(window[0] * W[o, 0]) + b[o]"),
        "one-channel",
    ),
    (
        "ex-cnn-forward",
        forward(RIGHT_WINDOW).replace("    return out\n", "    return out.swapaxes(2, 3)\n"),
        "wrong-shape",  # the test images are not square, so the shape gives it away
    ),
    ("ex-cnn-weight-grad", weight_grad(images="1"), "first-image-only"),
    ("ex-cnn-weight-grad", weight_grad(finish="    return dW / m\n"), "averaged"),
    (
        "ex-cnn-weight-grad",
        weight_grad(finish="    return dW[:, :, ::-1, ::-1]\n"),
        "flipped",
    ),
    ("ex-cnn-weight-grad", weight_grad("Xp[n, :, i : i + kh, j : j + kw]"), "stride-ignored"),
    (
        "ex-cnn-weight-grad",
        weight_grad(finish="    return dW.transpose(1, 0, 2, 3)\n"),
        "channels-swapped",
    ),
    (
        "ex-cnn-maxpool-backward",
        pool("                    dX[n, ch, t : t + size, l : l + size] += dout[n, ch, i, j]\n"),
        "to-every-input",
    ),
    (
        "ex-cnn-maxpool-backward",
        pool(
            "                    dX[n, ch, t : t + size, l : l + size] += (\n"
            "                        dout[n, ch, i, j] / size**2)\n"
        ),
        "averaged",
    ),
    (
        "ex-cnn-maxpool-backward",
        pool("                    dX[n, ch, t, l] += dout[n, ch, i, j]\n"),
        "first-position",
    ),
    (
        "ex-cnn-maxpool-backward",
        pool(
            "                    a, b = np.unravel_index(np.argmin(win), win.shape)\n"
            "                    dX[n, ch, t + a, l + b] += dout[n, ch, i, j]\n"
        ),
        "argmin",
    ),
    (
        "ex-cnn-maxpool-backward",
        pool(ARGMAX + "                    dX[n, ch, t + a, l + b] = 1\n"),
        "mask-only",
    ),
    (
        "ex-cnn-maxpool-backward",
        pool(ARGMAX + "                    dX[n, ch, t + a, l + b] = win[a, b]\n"),
        "mask-times-input",
    ),
    # Found by the relations and probes shared by the checkers (issue 19).
    (
        "ex-cnn-maxpool-backward",
        pool(ARGMAX + "                    dX[n, ch, i + a, j + b] += dout[n, ch, i, j]\n"),
        "not-at-winner",
    ),
    (
        "ex-cnn-forward",
        forward("Xp[n, :, i : i + kh, j * stride : j * stride + kw]"),
        "forward-stride-ignored-rows",
    ),
    (
        "ex-cnn-weight-grad",
        weight_grad("Xp[n, :, i : i + kh, j * stride : j * stride + kw]"),
        "dW-stride-ignored-rows",
    ),
    (
        "ex-cnn-forward",
        forward("Xp[n, :, i * stride : i * stride + kh, j : j + kw]"),
        "forward-stride-ignored-columns",
    ),
    (
        "ex-cnn-weight-grad",
        weight_grad("Xp[n, :, i * stride : i * stride + kh, j : j + kw]"),
        "dW-stride-ignored-columns",
    ),
    (
        "ex-cnn-forward",
        forward("Xp[n, :, 0 : kh, j * stride : j * stride + kw]"),
        "forward-rows-fixed",
    ),
    (
        "ex-cnn-weight-grad",
        weight_grad("Xp[n, :, 0 : kh, j * stride : j * stride + kw]"),
        "dW-rows-fixed",
    ),
    (
        "ex-cnn-forward",
        forward("Xp[n, :, i * stride : i * stride + kh, 0 : kw]"),
        "forward-columns-fixed",
    ),
    (
        "ex-cnn-weight-grad",
        weight_grad("Xp[n, :, i * stride : i * stride + kh, 0 : kw]"),
        "dW-columns-fixed",
    ),
    ("ex-cnn-forward", forward(RIGHT_WINDOW, "np.mean(window * W[o]) + b[o]"), "mean-not-sum"),
    ("ex-cnn-forward", forward(RIGHT_WINDOW, "np.sum(window * W[o]) - b[o]"), "bias-subtracted"),
    ("ex-cnn-output-size", size("(n + 2 * padding) // stride + 1"), "k-ignored"),
    ("ex-cnn-output-size", size("(n + 2 * padding - k) // stride - 1"), "minus-one"),
    ("ex-cnn-output-size", size("1"), "always-one"),
    ("ex-cnn-output-size", size("(k - n - 2 * padding) // stride + 1"), "not-positive"),
    ("ex-cnn-parameters-by-hand", "n_conv_params = 1200", "no-biases"),
    ("ex-cnn-parameters-by-hand", "n_conv_params = 416", "one-channel"),
    ("ex-cnn-parameters-by-hand", "n_conv_params = 76", "one-filter"),
    ("ex-cnn-parameters-by-hand", "n_conv_params = 3 * 32 * 32 * 16 + 16", "dense-count"),
    ("ex-cnn-parameters-by-hand", "n_conv_params = 1000", "wrong-number"),
    ("ex-cnn-predict-receptive-field", "predicted_field = 13", "added-kernels"),
    ("ex-cnn-predict-receptive-field", "predicted_field = 108", "multiplied-kernels"),
    ("ex-cnn-predict-receptive-field", "predicted_field = 7", "pools-ignored"),
    ("ex-cnn-predict-receptive-field", "predicted_field = 3", "last-layer-only"),
    ("ex-cnn-predict-receptive-field", "predicted_field = 30", "far-off"),
]


@pytest.mark.parametrize("label, code, diagnosis", WRONG_ANSWERS)
def test_typical_wrong_answer_gets_its_diagnosis(label, code, diagnosis):
    BOOK.assert_diagnosis(label, code, diagnosis)


def test_every_named_mistake_of_the_checkers_is_tested():
    named = {v.code for v in check._SIZE_MISTAKES + check._DW_MISTAKES}
    named |= {v.code for v in check._FORWARD_MISTAKES + check._POOL_MISTAKES}
    tested = {diagnosis for _, _, diagnosis in WRONG_ANSWERS}
    assert named <= tested, named - tested


@pytest.mark.parametrize(
    "label, code",
    [
        ("ex-cnn-output-size", size("int(np.floor((n + 2 * padding - k) / stride)) + 1")),
        ("ex-cnn-output-size", size("len(range(0, n + 2 * padding - k + 1, stride))")),
        (
            # im2col-free, vectorised over the window positions with einsum
            "ex-cnn-forward",
            "def conv2d_forward(X, W, b, stride, padding):\n" + PAD + "    kh, kw = W.shape[2:]\n"
            "    h_out = (Xp.shape[2] - kh) // stride + 1\n"
            "    w_out = (Xp.shape[3] - kw) // stride + 1\n"
            "    out = np.empty((X.shape[0], W.shape[0], h_out, w_out))\n"
            "    for i in range(h_out):\n"
            "        for j in range(w_out):\n"
            "            win = Xp[:, :, i*stride:i*stride+kh, j*stride:j*stride+kw]\n"
            "            out[:, :, i, j] = np.einsum('nchw,ochw->no', win, W) + b\n"
            "    return out\n",
        ),
        (
            "ex-cnn-maxpool-backward",
            "def max_pool_backward(dout, X, size):\n"
            "    m, c, h, w = X.shape\n"
            "    blocks = X.reshape(m, c, h // size, size, w // size, size)\n"
            "    best = blocks.max(axis=(3, 5), keepdims=True)\n"
            "    mask = blocks == best\n"
            "    grad = mask * dout[:, :, :, None, :, None]\n"
            "    return grad.reshape(X.shape)\n",
        ),
    ],
)
def test_other_right_answers_pass_too(label, code):
    feedback = BOOK.run(label, code)
    assert feedback.passed, str(feedback)


@pytest.mark.parametrize(
    "answer",
    [*JUNK_ANSWERS, np.zeros((2, 2)), lambda *a: [[1.0, 2.0], [3.0]], lambda *a: 3.5],
)
def test_nothing_a_student_passes_makes_a_checker_raise(answer):
    for func in (
        check.output_size,
        check.conv2d_forward,
        check.conv2d_weight_grad,
        check.max_pool_backward,
    ):
        assert_rejected_calmly(func(answer))
