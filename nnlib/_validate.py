"""Checks at the boundary of every public function.

A student who passes the wrong thing should read which function complained, about which
argument, what it expected and what it got, instead of a broadcasting error from deep
inside NumPy (or a NaN, or a quietly wrong number). Every message has the form

    train_mlp: l2 must be zero or positive, got -1

Every helper takes `func`, the name of the function the student called. When a public
function calls another one, it validates its own arguments first and then calls the
inner function's unchecked core (a private `_name` function), so no message ever names a
function the student did not call.

Conventions: `None`, text and objects that are not numbers raise `TypeError`; numbers or
arrays of the wrong value or shape raise `ValueError`. Arrays keep a floating dtype they
already have (float32 stays float32: the MNIST chapter trains in it); integers and
booleans become float64. Nothing here copies an array that is already right.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable

import numpy as np

# --- describing what was received ---------------------------------------------------------


def describe(value) -> str:
    """A short description of `value` for the "got ..." part of a message."""
    if value is None or isinstance(value, bool | np.bool_):
        return repr(value)
    if isinstance(value, str | bytes):
        text = repr(value)
        return f"the text {text if len(text) <= 40 else text[:37] + '...'}"
    if isinstance(value, numbers.Number):
        return _number_text(value)
    shape = getattr(value, "shape", None)
    dtype = getattr(value, "dtype", None)
    if isinstance(shape, tuple) and dtype is not None:
        if shape == ():
            return f"an array holding {_short(value)}"
        return f"an array of shape {shape} and dtype {dtype}"
    if isinstance(value, list | tuple):
        kind = type(value).__name__
        return f"a {kind} of {len(value)} item{'s' * (len(value) != 1)}: {_short(value)}"
    if isinstance(value, dict):
        return f"a dict with keys {sorted(map(str, value))[:6]}"
    if callable(value):
        return f"the function {getattr(value, '__name__', type(value).__name__)}"
    return f"an object of type {type(value).__name__}"


def _number_text(value) -> str:
    if isinstance(value, numbers.Integral):
        return str(int(value))
    try:
        text = f"{float(value):g}"
    except (TypeError, ValueError, OverflowError):
        return repr(value)
    whole = text.lstrip("-").isdigit()
    return f"{text}.0" if whole else text  # 2.0 stays visibly a float: "got 2.0", not "got 2"


def _short(value, limit=50) -> str:
    try:
        text = repr(np.asarray(value).tolist()) if hasattr(value, "shape") else repr(value)
    except Exception:  # an exotic object whose repr fails: say what it is instead
        text = type(value).__name__
    return text if len(text) <= limit else text[: limit - 3] + "..."


def not_numbers(value) -> bool:
    """True for values that no one would call numbers: None, text, dicts, sets, functions."""
    return value is None or isinstance(value, str | bytes | dict | set | frozenset) or (
        callable(value) and not hasattr(value, "__array__")
    )


# --- single numbers -----------------------------------------------------------------------


def as_scalar(func: str, name: str, value, what: str | None = None) -> float:
    """`value` as a finite Python float (a number or a 0-d array; not a bool)."""
    what = what or name
    if isinstance(value, bool | np.bool_) or not_numbers(value):
        raise TypeError(f"{func}: {what} must be a single number, got {describe(value)}")
    if np.ndim(value) != 0:
        raise TypeError(f"{func}: {what} must be a single number, got {describe(value)}")
    try:
        if np.iscomplexobj(value):
            raise TypeError
        out = float(value)
    except (TypeError, ValueError, OverflowError):
        raise TypeError(
            f"{func}: {what} must be a single number, got {describe(value)}"
        ) from None
    if not np.isfinite(out):
        raise ValueError(f"{func}: {what} must be finite, got {out}")
    return out


def positive(func: str, name: str, value, what: str | None = None) -> float:
    """A finite number > 0 (a learning rate, an epsilon, a norm bound)."""
    out = as_scalar(func, name, value, what)
    if out <= 0:
        raise ValueError(f"{func}: {what or name} must be positive, got {_number_text(value)}")
    return out


def non_negative(func: str, name: str, value, what: str | None = None) -> float:
    """A finite number >= 0 (a penalty strength, a noise level, a standard deviation)."""
    out = as_scalar(func, name, value, what)
    if out < 0:
        raise ValueError(
            f"{func}: {what or name} must be zero or positive, got {_number_text(value)}"
        )
    return out


def fraction(func: str, name: str, value, what: str | None = None) -> float:
    """A finite number in [0, 1) (a dropout probability, a decay rate β)."""
    out = as_scalar(func, name, value, what)
    if not 0 <= out < 1:
        raise ValueError(
            f"{func}: {what or name} must lie in [0, 1), got {_number_text(value)}"
        )
    return out


def positive_int(func: str, name: str, value) -> int:
    """An integer >= 1 (Python or NumPy int; not a bool, not a float like 3.0)."""
    return integer(func, name, value, minimum=1)


def integer(func: str, name: str, value, minimum: int | None = None) -> int:
    """A Python or NumPy integer, at least `minimum` when given."""
    wanted = "a positive integer" if minimum == 1 else "an integer"
    if minimum not in (None, 1):
        wanted = f"an integer >= {minimum}"
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{func}: {name} must be {wanted}, got {describe(value)}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{func}: {name} must be {wanted}, got {int(value)}")
    return int(value)


def flag(func: str, name: str, value) -> bool:
    """True or False (also NumPy's booleans)."""
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"{func}: {name} must be True or False, got {describe(value)}")
    return bool(value)


def choice(func: str, name: str, value, choices, what: str | None = None):
    """One of the names in `choices`, e.g. an activation's name."""
    options = sorted(choices)
    if not isinstance(value, str):
        raise TypeError(
            f"{func}: {name} must be one of the names {options}, got {describe(value)}"
        )
    if value not in choices:
        raise ValueError(
            f"{func}: unknown {what or name} {value!r}; {name} must be one of {options}"
        )
    return value


def function(func: str, name: str, value) -> Callable:
    """A callable (a function, a lambda, a functools.partial)."""
    if not callable(value) or isinstance(value, type):
        raise TypeError(f"{func}: {name} must be a function, got {describe(value)}")
    return value


def rng_or_seed(func: str, name: str, value, allow_none: bool = False):
    """A numpy.random.Generator or an integer seed >= 0 (or None where randomness is
    optional); returned as a Generator (or None)."""
    if value is None and allow_none:
        return None
    if isinstance(value, np.random.Generator):
        return value
    if isinstance(value, numbers.Integral) and not isinstance(value, bool | np.bool_):
        if value < 0:
            raise ValueError(f"{func}: the seed {name} must be zero or positive, got {value}")
        return np.random.default_rng(int(value))
    raise TypeError(
        f"{func}: {name} must be a numpy.random.Generator or an integer seed, got "
        f"{describe(value)}"
    )


# --- arrays -------------------------------------------------------------------------------


def as_array(
    func: str,
    name: str,
    value,
    ndim: int | None = None,
    finite: bool = True,
    nonempty: bool = False,
    what: str = "a number or an array of numbers",
) -> np.ndarray:
    """`value` as a float array (float32 stays float32), or a clear error.

    `ndim` requires that many axes; `finite=False` lets NaN and inf through (a diverging
    run's path); `nonempty` refuses an array without entries.
    """
    arr = _as_float_array(func, name, value, finite=finite, what=what)
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(
            f"{func}: {name} must be a {ndim}-D array, got shape {arr.shape}"
            if ndim
            else f"{func}: {name} must be a single number, got shape {arr.shape}"
        )
    if nonempty and arr.size == 0:
        raise ValueError(f"{func}: {name} must not be empty, got shape {arr.shape}")
    return arr


def as_matrix(
    func: str,
    name: str,
    value,
    n_cols: int | None = None,
    finite: bool = True,
    per: str = "one per input",
    weights: bool = False,
) -> np.ndarray:
    """`value` as a float 2-D array of shape (m, n_cols) with m >= 1, or a clear error.
    `per` says where n_cols comes from, e.g. "one per entry of w"; `weights=True` for a
    weight matrix (n_in, n_out) rather than a batch of examples."""
    arr = _as_float_array(func, name, value, finite=finite)
    rows = "n_in" if weights else "m"
    if arr.ndim != 2:
        expected = f"({rows}, {n_cols})" if n_cols is not None else f"({rows}, n)"
        what = "" if weights else " with one example per row"
        raise ValueError(
            f"{func}: {name} must be a 2-D array of shape {expected}{what}, "
            f"got shape {arr.shape}"
        )
    if arr.size == 0 and weights:
        raise ValueError(f"{func}: {name} must not be empty, got shape {arr.shape}")
    if arr.shape[0] == 0:
        raise ValueError(
            f"{func}: {name} must hold at least one example (row), got shape {arr.shape}"
        )
    if n_cols is not None and arr.shape[1] != n_cols:
        raise ValueError(
            f"{func}: {name} must have {n_cols} columns ({per}), got shape {arr.shape}"
        )
    return arr


def as_vector(
    func: str,
    name: str,
    value,
    length: int | None = None,
    finite: bool = True,
    per: str | None = None,
) -> np.ndarray:
    """`value` as a float 1-D array of `length` entries (at least one when not given);
    `per` says where the length comes from, e.g. "one per column of W"."""
    arr = _as_float_array(func, name, value, finite=finite)
    if arr.ndim != 1:
        expected = f"({length},)" if length is not None else "(n,)"
        raise ValueError(f"{func}: {name} must be a 1-D array of shape {expected}, got {arr.shape}")
    if length is not None and arr.shape[0] != length:
        where = f" ({per})" if per else ""
        raise ValueError(
            f"{func}: {name} must have {length} entries{where}, got shape {arr.shape}"
        )
    if arr.shape[0] == 0:
        raise ValueError(f"{func}: {name} must not be empty, got shape {arr.shape}")
    return arr


def as_batch(func: str, name: str, value, min_ndim: int = 1) -> np.ndarray:
    """A float array with a batch axis first (at least one example) and `min_ndim` axes."""
    arr = _as_float_array(func, name, value)
    if arr.ndim < min_ndim:
        shape = "(m,) or (m, k)" if min_ndim == 1 else "(m, k)"
        raise ValueError(
            f"{func}: {name} must be an array of shape {shape}, one row per example, "
            f"got shape {arr.shape}"
        )
    if arr.shape[0] == 0:
        raise ValueError(
            f"{func}: {name} must hold at least one example, got shape {arr.shape}"
        )
    return arr


def same_shape(func: str, name: str, arr: np.ndarray, other: str, shape: tuple) -> None:
    """Refuse `arr` unless its shape is `shape`, the shape of the argument `other`."""
    if arr.shape != tuple(shape):
        raise ValueError(
            f"{func}: {name} must have the shape of {other}, {tuple(shape)}, got {arr.shape}"
        )


def in_unit_interval(func: str, name: str, arr: np.ndarray) -> np.ndarray:
    """Refuse probabilities below 0 or above 1."""
    outside = (arr < 0) | (arr > 1)
    if outside.any():
        bad = np.unique(arr[outside])[:5].tolist()
        raise ValueError(
            f"{func}: {name} must hold probabilities between 0 and 1, found {bad}"
        )
    return arr


def _as_float_array(
    func: str, name: str, value, finite: bool = True, what: str = "an array of numbers"
) -> np.ndarray:
    """`value` as a float array; float32 stays float32 (the MNIST chapter trains in it).

    None, text, dicts, complex numbers and ragged lists are refused with a TypeError:
    converting them would give NaN (None), an error naming no argument (text), or drop an
    imaginary part without a word.
    """
    if not_numbers(value):
        raise TypeError(f"{func}: {name} must be {what}, got {describe(value)}")
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError, OverflowError):
        raise TypeError(
            f"{func}: {name} must be {what} (a rectangular one), got {describe(value)}"
        ) from None
    if not np.issubdtype(arr.dtype, np.floating):
        if arr.dtype.kind not in "biuO":  # complex, text, dates, raw bytes
            raise TypeError(
                f"{func}: {name} must be {what}, got an array of dtype {arr.dtype}"
            )
        try:
            if arr.dtype.kind == "O" and any(
                isinstance(item, bool | complex | str | bytes) or item is None
                for item in arr.flat
            ):
                raise TypeError
            arr = arr.astype(float)
        except (TypeError, ValueError, OverflowError):
            raise TypeError(f"{func}: {name} must be {what}, got {describe(value)}") from None
    if finite and not np.isfinite(arr).all():
        where = np.argwhere(~np.isfinite(arr))[0]
        index = tuple(int(i) for i in where)
        raise ValueError(
            f"{func}: {name} contains NaN or infinite values ({arr[index]} at index "
            f"{index if len(index) != 1 else index[0]}); it must hold finite numbers"
        )
    return arr


# --- labels -------------------------------------------------------------------------------


def _as_int_array(func: str, name: str, value, what: str) -> np.ndarray:
    if not_numbers(value):
        raise TypeError(f"{func}: {name} must be {what}, got {describe(value)}")
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError):
        raise TypeError(f"{func}: {name} must be {what}, got {describe(value)}") from None
    if arr.dtype.kind not in "biuf":
        got = describe(value) if arr.dtype.kind == "O" else f"an array of dtype {arr.dtype}"
        raise TypeError(f"{func}: {name} must be {what}, got {got}")
    return arr


def as_binary_labels(func: str, name: str, value, length: int | None = None) -> np.ndarray:
    """Return labels as an int 1-D array whose entries are all 0 or 1."""
    arr = _as_int_array(func, name, value, "a 1-D array of 0/1 labels")
    if arr.ndim != 1:
        raise ValueError(f"{func}: {name} must be a 1-D array of 0/1 labels, got shape {arr.shape}")
    if length is not None and arr.shape[0] != length:
        raise ValueError(
            f"{func}: {name} must have one label per example ({length}), got {arr.shape[0]}"
        )
    if arr.shape[0] == 0:
        raise ValueError(f"{func}: {name} must hold at least one label, got none")
    if not np.all(np.isin(arr, (0, 1))):
        bad = np.unique(arr[~np.isin(arr, (0, 1))])[:5]
        raise ValueError(
            f"{func}: {name} must contain only the labels 0 and 1, found {bad.tolist()}"
        )
    return arr.astype(int)


def as_class_labels(
    func: str,
    name: str,
    value,
    n_classes: int | None,
    length: int | None,
    per: str = "one per example",
) -> np.ndarray:
    """Return labels as an int 1-D array with entries in 0 .. n_classes-1 (or >= 0 when
    `n_classes` is None), one per example when `length` is given."""
    arr = _as_int_array(func, name, value, "a 1-D array of integer class indices")
    if arr.ndim != 1 or (length is not None and arr.shape[0] != length):
        size = f"{length} class indices ({per})" if length is not None else "class indices"
        raise ValueError(f"{func}: {name} must be a 1-D array of {size}, got shape {arr.shape}")
    if arr.shape[0] == 0:
        raise ValueError(f"{func}: {name} must hold at least one class index, got none")
    top = "" if n_classes is None else f"..{n_classes - 1}"
    if not np.issubdtype(arr.dtype, np.integer):
        raise ValueError(
            f"{func}: {name} must hold integer class indices 0{top}, got dtype {arr.dtype} "
            f"(values {np.unique(arr)[:5].tolist()})"
        )
    if arr.min() < 0 or (n_classes is not None and arr.max() >= n_classes):
        bad = arr[(arr < 0) | (arr >= (n_classes if n_classes is not None else np.inf))]
        raise ValueError(
            f"{func}: {name} must hold integer class indices 0{top}, "
            f"found {np.unique(bad)[:5].tolist()}"
        )
    return arr.astype(int)


# --- layer widths and parameters -----------------------------------------------------------


def layer_sizes(func, sizes, name="sizes"):
    """Layer widths [n_0, n_1, ..., n_L] as ints: at least two, all positive."""
    example = "e.g. [2, 3, 1]" if name == "sizes" else "e.g. (8,)"
    least = "at least two" if name == "sizes" else "only"
    if not_numbers(sizes) or not hasattr(sizes, "__iter__"):
        raise TypeError(
            f"{func}: {name} must list {least} positive integers, {example}; "
            f"got {describe(sizes)}"
        )
    sizes = list(sizes)
    if (len(sizes) < 2 and name == "sizes") or any(
        isinstance(n, bool | np.bool_) or not isinstance(n, numbers.Integral) or n < 1
        for n in sizes
    ):
        what = "the input size then each layer's width, " if name == "sizes" else ""
        raise ValueError(
            f"{func}: {name} must list {least} positive integers, {what}{example}; got {sizes}"
        )
    return [int(n) for n in sizes]


def mlp_params(func: str, name: str, params, n_inputs: int | None = None) -> list[dict]:
    """An MLP's parameters: a non-empty list of {"W": (n_in, n_out), "b": (n_out,)} with each
    layer's n_in equal to the previous layer's n_out (and to `n_inputs` for the first).

    Returns a new list of dicts holding float arrays (the same arrays when they already
    are float arrays), so that a caller can use it without further checks.
    """
    example = 'a list of {"W": ..., "b": ...} dicts, one per layer, as init_mlp returns'
    if not isinstance(params, list | tuple) or len(params) == 0:
        raise TypeError(f"{func}: {name} must be {example}; got {describe(params)}")
    checked = []
    for index, layer in enumerate(params):
        where = f"{name}[{index}]"
        if not isinstance(layer, dict) or "W" not in layer or "b" not in layer:
            raise TypeError(
                f"{func}: {where} must be a dict with the keys 'W' and 'b', got {describe(layer)}"
            )
        W = as_array(func, f'{where}["W"]', layer["W"], what="an array of numbers")
        b = as_array(func, f'{where}["b"]', layer["b"], what="an array of numbers")
        if W.ndim != 2 or W.size == 0:
            raise ValueError(
                f'{func}: {where}["W"] must be a 2-D array of shape (n_in, n_out), got {W.shape}'
            )
        if b.shape not in ((W.shape[1],), (1, W.shape[1])):
            raise ValueError(
                f'{func}: {where}["b"] must have shape ({W.shape[1]},), one bias per unit of '
                f"the layer, got {b.shape}"
            )
        expected = checked[-1]["W"].shape[1] if checked else n_inputs
        if expected is not None and W.shape[0] != expected:
            source = "the previous layer's width" if checked else "the number of inputs"
            raise ValueError(
                f'{func}: {where}["W"] must have {expected} rows ({source}), got shape {W.shape}'
            )
        checked.append({**layer, "W": W, "b": b})
    return checked


def axes_or_none(func: str, name: str, ax):
    """A Matplotlib Axes to draw on, or None for a new figure."""
    if ax is None:
        return None
    from matplotlib.axes import Axes  # only the drawing functions need Matplotlib

    if not isinstance(ax, Axes):
        raise TypeError(
            f"{func}: {name} must be a Matplotlib Axes to draw on (or None for a new figure), "
            f"got {describe(ax)}"
        )
    return ax
