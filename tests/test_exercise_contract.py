"""What every exercise of the book promises, whatever its page: its reference solution
passes, its untouched stub gets the "not started" verdict that points back at its cell, and
its checker names at least two typical mistakes (tested in `test_checks_<topic>.py`).

The pages are found in `exercises/solutions/`; EXPECTED_LABELS pins their exercises, so an
exercise that is lost, renamed or added without its tests fails here."""

import importlib

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
    "03_mlp": ["ex-mlp-forward", "ex-mlp-count", "ex-mlp-xor", "ex-mlp-collapse"],
    "04_activations": [
        "ex-activations-softmax",
        "ex-activations-sigmoid-derivative",
        "ex-activations-relu-derivative",
        "ex-activations-dead-fraction",
        "ex-activations-half-dead",
        "ex-activations-maxout-leaky",
    ],
    "05_losses": [
        "ex-losses-bce",
        "ex-losses-softmax-ce",
        "ex-losses-logistic-grad",
        "ex-losses-hinge",
        "ex-losses-two-class",
    ],
    "06_gradient_descent": [
        "ex-gradient-descent-line-step",
        "ex-gradient-descent-chain-rule",
        "ex-gradient-descent-max-lr",
        "ex-gradient-descent-bowl-lr",
        "ex-gradient-descent-minibatches",
    ],
    "07_backprop": [
        "ex-backprop-graph",
        "ex-backprop-dense",
        "ex-backprop-two-layer",
        "ex-backprop-numgrad",
        "ex-backprop-accumulators",
    ],
    "08_init_optim": [
        "ex-init-optim-he-normal",
        "ex-init-optim-xavier-scales",
        "ex-init-optim-momentum-step",
        "ex-init-optim-adagrad-step",
        "ex-init-optim-adam-step",
    ],
    "09_regularization": [
        "ex-regularization-l2",
        "ex-regularization-dropout",
        "ex-regularization-max-norm",
        "ex-regularization-early-stopping",
        "ex-regularization-batchnorm",
    ],
    "10_mnist": [
        "ex-mnist-idx",
        "ex-mnist-confusion",
        "ex-mnist-confident-mistakes",
        "ex-mnist-assignment",
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
