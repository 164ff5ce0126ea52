"""What every exercise of the book promises, whatever its page: its reference solution
passes, its untouched stub gets the "not started" verdict that points back at its cell, and
its checker names at least two typical mistakes (tested in `test_checks_<topic>.py`).

The pages are found in `exercises/solutions/`; EXPECTED_LABELS pins their exercises, so an
exercise that is lost, renamed or added without its tests fails here."""

import importlib
import re
import textwrap
import time

import pytest
from exercise_harness import PAGES, PREREQUISITES, exercise_notebook

EXPECTED_LABELS = {
    "02_perceptron": [
        "ex-perceptron-nand",
        "ex-perceptron-majority",
        "ex-perceptron-unit-output",
        "ex-perceptron-step",
        "ex-perceptron-epochs",
    ],
    "03_mlp": [
        "ex-mlp-forward",
        "ex-mlp-count",
        "ex-mlp-xor",
        "ex-mlp-collapse",
        "ex-mlp-forward-by-hand",
        "ex-mlp-predict-collapse",
    ],
    "04_activations": [
        "ex-activations-softmax",
        "ex-activations-sigmoid-derivative",
        "ex-activations-relu-derivative",
        "ex-activations-dead-fraction",
        "ex-activations-half-dead",
        "ex-activations-maxout-leaky",
        "ex-activations-tanh-derivative",
        "ex-activations-leaky-relu",
        "ex-activations-stable-sigmoid",
        "ex-activations-sigma-prime-2",
        "ex-activations-predict-vanishing",
    ],
    "05_losses": [
        "ex-losses-bce",
        "ex-losses-softmax-ce",
        "ex-losses-logistic-grad",
        "ex-losses-gaussian-nll",
        "ex-losses-hinge",
        "ex-losses-two-class",
        "ex-losses-predict-initial-loss",
        "ex-losses-softmax-grad-entry",
    ],
    "06_gradient_descent": [
        "ex-gradient-descent-line-step",
        "ex-gradient-descent-chain-rule",
        "ex-gradient-descent-max-lr",
        "ex-gradient-descent-bowl-lr",
        "ex-gradient-descent-minibatches",
        "ex-gradient-descent-step-by-hand",
        "ex-gradient-descent-predict-divergence",
    ],
    "07_backprop": [
        "ex-backprop-graph",
        "ex-backprop-autograd",
        "ex-backprop-dense",
        "ex-backprop-two-layer",
        "ex-backprop-numgrad",
        "ex-backprop-accumulators",
        "ex-backprop-unit-by-hand",
        "ex-backprop-predict-gradcheck",
    ],
    "08_init_optim": [
        "ex-init-optim-he-normal",
        "ex-init-optim-xavier-scales",
        "ex-init-optim-momentum-step",
        "ex-init-optim-adagrad-step",
        "ex-init-optim-adam-step",
        "ex-init-optim-clip",
        "ex-init-optim-he-std",
        "ex-init-optim-predict-adam-step",
    ],
    "09_regularization": [
        "ex-regularization-l2",
        "ex-regularization-dropout",
        "ex-regularization-max-norm",
        "ex-regularization-early-stopping",
        "ex-regularization-batchnorm",
        "ex-regularization-dropout-scale",
        "ex-regularization-predict-decay",
    ],
    "10_training_recipe": [
        "ex-recipe-baseline-loss",
        "ex-recipe-range-test",
        "ex-recipe-update-ratios",
        "ex-recipe-which-bug",
        "ex-recipe-range-factor",
        "ex-recipe-predict-baseline",
    ],
    "11_cnn": [
        "ex-cnn-output-size",
        "ex-cnn-forward",
        "ex-cnn-weight-grad",
        "ex-cnn-maxpool-backward",
        "ex-cnn-parameters-by-hand",
        "ex-cnn-predict-receptive-field",
    ],
    "12_mnist": [
        "ex-mnist-idx",
        "ex-mnist-confusion",
        "ex-mnist-confident-mistakes",
        "ex-mnist-assignment",
        "ex-mnist-steps-by-hand",
        "ex-mnist-predict-blank",
    ],
}

# Every exercise the notebooks hold (not EXPECTED_LABELS: a new one is tested at once).
EXERCISES = [
    pytest.param(page, label, id=f"{page}::{label}")
    for page in PAGES
    for label in exercise_notebook(page).labels
]


def test_every_page_and_exercise_is_found():
    assert {page: exercise_notebook(page).labels for page in PAGES} == EXPECTED_LABELS


def test_every_page_has_an_exercise_and_every_label_is_unique_in_the_book():
    assert PAGES
    assert all(exercise_notebook(page).labels for page in PAGES)
    labels = [label for page in PAGES for label in exercise_notebook(page).labels]
    assert len(labels) == len(set(labels)), sorted({x for x in labels if labels.count(x) > 1})


@pytest.mark.parametrize("page, label", EXERCISES)
def test_reference_solution_passes(page, label):
    book = exercise_notebook(page)
    feedback = book.run(label, book.exercises[label].solution)
    assert feedback.passed and feedback.code == "ok", str(feedback)
    assert "accepted" not in feedback.message  # the book's own form, no note on a variant


@pytest.mark.parametrize("page, label", EXERCISES)
def test_untouched_stub_is_rejected_with_a_pointer_to_the_cell(page, label):
    book = exercise_notebook(page)
    feedback = book.run(label, book.exercises[label].stub)
    assert not feedback.passed
    assert feedback.code == "not-started", str(feedback)
    assert "`...`" in feedback.message and "run this check again" in feedback.message


@pytest.mark.parametrize("page, label", EXERCISES)
def test_every_exercise_has_at_least_two_named_mistakes(page, label):
    tests = importlib.import_module(f"test_checks_{page.split('_', 1)[1]}")
    assert len({d for lab, _, d in tests.WRONG_ANSWERS if lab == label}) >= 2


@pytest.mark.parametrize("label", PREREQUISITES)
def test_every_prerequisite_is_an_earlier_exercise_and_needed(label):
    book = next(
        exercise_notebook(page) for page in PAGES if label in exercise_notebook(page).labels
    )
    earlier = PREREQUISITES[label]
    assert all(book.labels.index(e) < book.labels.index(label) for e in earlier)
    with pytest.raises(NameError):
        book.run(label, book.exercises[label].solution, prerequisites=False)


# --- The harness: what a student's function does cannot hang, end or flood the check ---

FUNCTION_EXERCISES = [
    pytest.param(page, label, name, id=f"{page}::{label}")
    for page in PAGES
    for label in exercise_notebook(page).labels
    for name in re.findall(r"^def (\w+)\(", exercise_notebook(page).exercises[label].stub, re.M)
    if f"({name})" in exercise_notebook(page).exercises[label].check
]


def hostile(solution, name, before="", after="result = _reference(*args, **kwargs)"):
    """The reference solution of `name`, wrapped: `before` runs first, then `after`, which
    sets `result`, is returned."""
    body = textwrap.indent(f"{before}\n{after}\nreturn result", "    ")
    return (
        f"{solution}\n"
        "import functools as _functools\n"
        f"_reference = {name}\n\n\n"
        f"@_functools.wraps(_reference)\n"
        f"def {name}(*args, **kwargs):\n{body}\n"
    )


def test_every_function_exercise_is_covered_by_the_harness_tests():
    assert len(FUNCTION_EXERCISES) >= 35


@pytest.mark.parametrize("page, label, name", FUNCTION_EXERCISES)
def test_a_function_that_never_returns_is_stopped_and_explained(page, label, name, monkeypatch):
    monkeypatch.setenv("NNLIB_CHECK_TIME_LIMIT", "0.3")
    book = exercise_notebook(page)
    started = time.perf_counter()
    feedback = book.run(
        label, hostile(book.exercises[label].solution, name, "while True:\n    pass")
    )
    assert time.perf_counter() - started < 20
    assert not feedback.passed and feedback.code == "timeout", str(feedback)
    assert "did not finish within 0.3 seconds" in feedback.message


@pytest.mark.parametrize("page, label, name", FUNCTION_EXERCISES)
def test_sys_exit_in_a_function_is_caught_and_explained(page, label, name):
    book = exercise_notebook(page)
    feedback = book.run(
        label, hostile(book.exercises[label].solution, name, "import sys\nsys.exit(3)")
    )
    assert not feedback.passed and feedback.code == "exited", str(feedback)
    assert "`return`" in feedback.message


@pytest.mark.parametrize("page, label, name", FUNCTION_EXERCISES)
def test_printing_is_captured_and_summarised(page, label, name, capsys):
    book = exercise_notebook(page)
    noisy = "for _line in range(5000):\n    print('debugging', _line, 'x' * 500)"
    feedback = book.run(label, hostile(book.exercises[label].solution, name, noisy))
    assert feedback.passed, str(feedback)
    assert "printed" in feedback.message and "debugging 0" in feedback.message
    assert len(feedback.message) < 3000, len(feedback.message)
    assert "debugging" not in capsys.readouterr().out  # (the page itself may print)


@pytest.mark.parametrize("page, label, name", FUNCTION_EXERCISES)
def test_a_huge_error_message_is_cut_short(page, label, name):
    book = exercise_notebook(page)
    raising = "raise ValueError('no ' * 200_000)"
    feedback = book.run(label, hostile(book.exercises[label].solution, name, raising))
    assert not feedback.passed and len(feedback.message) < 2000, len(feedback.message)


@pytest.mark.parametrize("page, label, name", FUNCTION_EXERCISES)
def test_a_function_that_changes_its_inputs_is_named(page, label, name):
    """A right result from a function that also changes its array arguments in place is
    either rejected as "changed-input" or passes with a note, depending on whether it
    matters; never a misdiagnosis, and never a silent pass."""
    book = exercise_notebook(page)
    mutate = (
        "result = _copy_arrays([_reference(*args, **kwargs)])[0]\n"
        "for _arg in args:\n"
        "    if isinstance(_arg, np.ndarray) and _arg.size and _arg.dtype.kind in 'fiu':\n"
        "        _arg.flat[0] += 1\n"
        "        MUTATED.append(_arg.shape)"
    )
    namespace = {"MUTATED": []}
    setup = "from nnlib.checks.harness import copy_arguments as _copy_arrays"
    code = hostile(book.exercises[label].solution, name, setup, mutate)
    feedback = book.run(label, code, namespace=namespace)
    if not namespace["MUTATED"]:
        assert feedback.passed, str(feedback)  # nothing to change: scalars, lists, bytes
    elif feedback.passed:
        assert "in place" in feedback.message, str(feedback)
    else:
        assert feedback.code in ("changed-input", "modified-input"), str(feedback)
