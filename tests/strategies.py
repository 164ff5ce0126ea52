"""Hypothesis strategies shared by the tests: small float64 arrays and batches."""

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

# Tests that compare with JAX or optax draw fewer examples than the profile's 60: each new
# shape is traced anew, 0.1-0.5 s an example. What they check is also checked on the full
# 60 by cheaper tests: gradients against central differences, clipping by its properties.
JAX_EXAMPLES = 20

moderate = st.floats(-5, 5, allow_nan=False, width=64)
away_from_kinks = moderate.filter(lambda v: abs(v) > 1e-3)


def batches(min_rows=1, max_rows=6, min_cols=1, max_cols=5, elements=moderate):
    """2-D float64 arrays of shape (m, n), one example per row."""
    shape = st.tuples(st.integers(min_rows, max_rows), st.integers(min_cols, max_cols))
    return arrays(np.float64, shape, elements=elements)


@st.composite
def scores_and_labels(draw, min_classes=2, max_classes=5):
    """Class scores (m, k) and integer labels (m,) that index them."""
    scores = draw(batches(min_cols=min_classes, max_cols=max_classes))
    labels = draw(arrays(np.int64, scores.shape[0], elements=st.integers(0, scores.shape[1] - 1)))
    return scores, labels
