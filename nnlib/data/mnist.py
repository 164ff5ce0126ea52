"""The real MNIST handwritten digits: 60,000 training and 10,000 test images of 28×28 pixels.

Used in: MNIST.

`load_mnist()` looks for the four gzipped IDX files, first in `data_dir`, then in
`$NNLIB_DATA/mnist/` (or `$NNLIB_DATA` itself), then in a user cache folder
(`default_cache_dir()`), and downloads them into that cache from public mirrors when none
of those holds all four. Every file's SHA-256 is checked after decompression, so a
truncated or corrupted copy is refused with a message that says what to do, instead of
training on garbage. When no copy can be had, the message lists every folder looked in,
points out files that look like misnamed copies, and says why the cache could not take a
download.

    data = load_mnist()
    X = to_float(data.train_images)        # (60000, 784) float32 in [0, 1]
    X_train, y_train, X_val, y_val = train_validation_split(X, data.train_labels)
"""

from __future__ import annotations

import contextlib
import difflib
import errno
import gzip
import hashlib
import http.client
import os
import re
import tempfile
import urllib.request
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from nnlib.losses import one_hot
from nnlib.train import show_progress

__all__ = [
    "MIRRORS",
    "MNIST",
    "MNISTCacheError",
    "MNISTFileError",
    "MNISTNotFoundError",
    "SHA256",
    "default_cache_dir",
    "load_mnist",
    "one_hot",
    "read_idx",
    "to_float",
    "train_validation_split",
]

MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)
"""Public copies of the original files, tried in turn for each file."""

FILES = {
    "train_images": "train-images-idx3-ubyte.gz",
    "train_labels": "train-labels-idx1-ubyte.gz",
    "test_images": "t10k-images-idx3-ubyte.gz",
    "test_labels": "t10k-labels-idx1-ubyte.gz",
}
"""The file behind each field of `MNIST`."""

SHA256 = {
    "train_images": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train_labels": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "test_images": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "test_labels": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}
"""SHA-256 of each file of `FILES` after decompression: gzip headers differ between copies
(a timestamp, a file name) while the IDX bytes inside do not."""

IMAGES_MAGIC, LABELS_MAGIC = 2051, 2049
TIMEOUT_S = 30
_FIX = "Delete it and run again to download a fresh copy, or replace it with a good copy"


class MNISTFileError(ValueError):
    """A data file that is not a complete, correct MNIST IDX file."""


class MNISTNotFoundError(FileNotFoundError):
    """No copy of the MNIST files anywhere, and none could be downloaded."""


class MNISTCacheError(MNISTNotFoundError):
    """No copy of the MNIST files anywhere, and the cache folder that downloads go to
    cannot be created or written to (no permission, a file in the way, a read-only file
    system, a full disk). The original `OSError` is its `__cause__`."""


class _CannotWrite(Exception):
    """Internal: writing into the cache failed; the `OSError` is the `__cause__`."""


@dataclass(frozen=True, eq=False)
class MNIST:
    """The four MNIST arrays (uint8) and `source`, the folder they were read from."""

    train_images: np.ndarray  # (60000, 28, 28) pixels 0..255, 0 is the background
    train_labels: np.ndarray  # (60000,) digits 0..9
    test_images: np.ndarray  # (10000, 28, 28)
    test_labels: np.ndarray  # (10000,)
    source: str

    def __repr__(self):
        n_train, rows, cols = self.train_images.shape
        return (
            f"MNIST({n_train} training and {len(self.test_images)} test images of "
            f"{rows}×{cols} pixels, from {self.source})"
        )


def load_mnist(data_dir=None, download=True, progress=None, mirrors=MIRRORS):
    """Return the real MNIST as an `MNIST`: images (m, 28, 28) uint8, labels (m,) uint8.

    Looks in `data_dir` (the folder holding the four .gz files, or its `mnist/` subfolder),
    then `$NNLIB_DATA/mnist/` (or `$NNLIB_DATA` itself, when it names the folder holding
    the files), then `default_cache_dir()`; the first holding all four files wins.
    Otherwise, with `download=True`, fetches the missing files into the cache from
    `mirrors`, with a progress bar unless `progress=False` or NNLIB_PROGRESS=0.
    Raises `MNISTFileError` for a corrupted file, `MNISTNotFoundError` when there is no copy,
    and its subclass `MNISTCacheError` when the cache cannot be created or written to.
    """
    folders = _search_folders(data_dir)
    for folder, what in folders:
        if all((folder / name).is_file() for name in FILES.values()):
            return _load_folder(folder, f"{folder} ({what})")
    cache = default_cache_dir()
    if not download:
        raise MNISTNotFoundError(
            _not_found_message(folders, ["Nothing was downloaded, because download=False."])
        )
    used = _download_missing(cache, mirrors, progress, folders)
    return _load_folder(cache, f"{cache} (downloaded from {', '.join(used)})")


def to_float(images):
    """Return uint8 images (m, rows, cols) as float32 rows (m, rows·cols) scaled to [0, 1].

    Each image becomes one row of pixel intensities `x = pixel / 255`, the input layout
    (m, 784) of the MLPs in `nnlib.model`.
    """
    images = np.asarray(images)
    if images.ndim != 3:
        raise ValueError(
            f"to_float: images must be a 3-D array (m, rows, cols), got shape {images.shape}; "
            "for one image pass images[i:i + 1]"
        )
    if not np.issubdtype(images.dtype, np.integer):
        raise ValueError(
            f"to_float: images must hold the raw integer pixels 0..255, got dtype {images.dtype}"
            " (are they already converted? dividing by 255 twice leaves almost nothing)"
        )
    if images.size and (images.min() < 0 or images.max() > 255):
        raise ValueError(f"to_float: pixels must lie in 0..255, got {images.min()}..{images.max()}")
    return images.reshape(len(images), -1).astype(np.float32) / np.float32(255)


def train_validation_split(images, labels, n_validation=5000, seed=0):
    """Return `(train_x, train_y, val_x, val_y)`: `n_validation` examples drawn at random
    (seeded) for validation and the rest for training; on the 60,000 MNIST training
    images the default gives the 55,000/5,000 split."""
    images, labels = np.asarray(images), np.asarray(labels)
    m = len(images)
    if labels.shape != (m,):
        raise ValueError(
            f"train_validation_split: labels must have shape ({m},), one per image, "
            f"got {labels.shape}"
        )
    if isinstance(n_validation, bool) or not isinstance(n_validation, int | np.integer):
        raise TypeError(
            f"train_validation_split: n_validation must be an integer, got {n_validation!r}"
        )
    if not 0 < n_validation < m:
        raise ValueError(
            f"train_validation_split: n_validation must lie in 1..{m - 1}, got {n_validation}"
        )
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise TypeError(f"train_validation_split: seed must be an integer, got {seed!r}")
    order = np.random.default_rng(seed).permutation(m)
    train, val = order[n_validation:], order[:n_validation]
    return images[train], labels[train], images[val], labels[val]


def read_idx(path, sha256=None):
    """Return the array in a gzipped IDX file: images (n, rows, cols) or labels (n,), uint8.

    With `sha256`, the decompressed bytes must have that hash. Raises `MNISTFileError`
    naming the file for a broken gzip, a wrong hash, a wrong magic number or a size that
    does not match the header.
    """
    try:
        return _decode(Path(path).read_bytes(), sha256)
    except MNISTFileError as err:
        raise MNISTFileError(f"{path} {err}. {_FIX}.") from None


def default_cache_dir():
    """Return the folder downloads go to: `$XDG_CACHE_HOME/nnlib/mnist` (when
    XDG_CACHE_HOME is an absolute path) or `~/.cache/nnlib/mnist`, and
    `%LOCALAPPDATA%/nnlib/mnist` on Windows. Set that variable to move the cache."""
    if os.name == "nt":
        base = os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local"
    else:
        xdg = os.environ.get("XDG_CACHE_HOME", "")
        base = xdg if os.path.isabs(xdg) else Path.home() / ".cache"
    return Path(base) / "nnlib" / "mnist"


def _decode(compressed, sha256=None):
    """Return the array in the gzipped IDX bytes, or raise `MNISTFileError(problem)`."""
    try:
        raw = gzip.decompress(compressed)
    except (OSError, EOFError, zlib.error) as err:
        raise MNISTFileError(f"is not a complete gzip file ({err})") from None
    if sha256 is not None:
        actual = hashlib.sha256(raw).hexdigest()
        if actual != sha256:
            raise MNISTFileError(
                f"is truncated or corrupted: the SHA-256 of its decompressed bytes is "
                f"{actual}, expected {sha256}"
            )
    return _parse_idx(raw)


def idx_bytes(magic, shape, data):
    """The uncompressed bytes of an IDX file: the magic number and the shape as big-endian
    32-bit numbers, then `data` (bytes, or a uint8 array) as it is. The reverse of reading
    one, for building small files in tests and exercises; the shape is not checked against
    the data, so that broken files can be built too."""
    return b"".join(int(v).to_bytes(4, "big") for v in (magic, *shape)) + bytes(data)


def _parse_idx(raw):
    """Return the array in the uncompressed IDX bytes: (n, rows, cols) or (n,), uint8."""
    magic = int.from_bytes(raw[:4], "big")
    if magic not in (IMAGES_MAGIC, LABELS_MAGIC):
        raise MNISTFileError(
            f"is not an MNIST IDX file: its magic number is {magic}, expected "
            f"{IMAGES_MAGIC} (images) or {LABELS_MAGIC} (labels)"
        )
    n_dims = 3 if magic == IMAGES_MAGIC else 1
    header = 4 + 4 * n_dims
    if len(raw) < header:
        raise MNISTFileError(f"is truncated: {len(raw)} bytes, too short for its header")
    shape = tuple(int.from_bytes(raw[i : i + 4], "big") for i in range(4, header, 4))
    if len(raw) - header != np.prod(shape):
        raise MNISTFileError(
            f"is truncated or malformed: its header promises shape {shape}, "
            f"{np.prod(shape)} bytes of data, but it holds {len(raw) - header}"
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape).copy()


def _search_folders(data_dir):
    """Return the (folder, description) pairs to look in, in order."""
    folders = []
    if data_dir is not None:
        data_dir = Path(data_dir).expanduser().absolute()
        folders += [(data_dir, "data_dir"), (data_dir / "mnist", "data_dir/mnist")]
    if os.environ.get("NNLIB_DATA"):
        env = Path(os.environ["NNLIB_DATA"]).expanduser().absolute()
        folders += [(env / "mnist", "$NNLIB_DATA/mnist"), (env, "$NNLIB_DATA")]
    folders.append((default_cache_dir(), "cache"))
    return folders


def _load_folder(folder, source):
    """Return the `MNIST` read from the four verified files in `folder`."""
    arrays = {field: read_idx(folder / name, SHA256[field]) for field, name in FILES.items()}
    return MNIST(**arrays, source=source)


def _download_missing(cache, mirrors, progress, folders):
    """Download every file missing from `cache`; return the mirrors that served them.

    A failure to write into the cache is no mirror's fault: it stops the download at once
    with `MNISTCacheError`, instead of trying the other mirrors."""
    try:
        with _writing():
            cache.mkdir(parents=True, exist_ok=True)
        used = []
        for field, name in FILES.items():
            if (cache / name).is_file():
                continue
            failures = []
            for mirror in mirrors:
                url = mirror.rstrip("/") + "/" + name
                try:
                    _download(url, cache / name, SHA256[field], progress)
                except (OSError, http.client.HTTPException, MNISTFileError) as err:
                    failures.append(f"  {url}: {err}")
                else:
                    used.append(mirror)
                    break
            else:
                tried = [f"Downloading {name} failed at every mirror:"] + failures
                raise MNISTNotFoundError(_not_found_message(folders, tried))
    except _CannotWrite as failed:
        err = failed.__cause__
        raise MNISTCacheError(_cache_message(cache, err, folders)) from err
    return list(dict.fromkeys(used))


@contextlib.contextmanager
def _writing():
    """Turn an `OSError` of the writes inside into `_CannotWrite`, which no mirror loop
    catches: network errors stay outside these blocks."""
    try:
        yield
    except OSError as err:
        raise _CannotWrite() from err


def _download(url, dest, sha256, progress):
    """Fetch `url` into `dest` through a temporary file, renamed once its hash checks out."""
    with _writing():
        fd, part = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            with urllib.request.urlopen(url, timeout=TIMEOUT_S) as reply:
                size = int(reply.headers.get("Content-Length") or 0) or None
                show = show_progress(progress is None or progress)
                with tqdm(
                    total=size, desc=dest.name, unit="B", unit_scale=True, disable=not show
                ) as bar:
                    while chunk := reply.read(1 << 16):
                        with _writing():
                            out.write(chunk)
                        bar.update(len(chunk))
            with _writing():
                out.flush()
        try:
            _decode(Path(part).read_bytes(), sha256)
        except MNISTFileError as err:
            raise MNISTFileError(f"the downloaded file {err}") from None
        with _writing():
            os.replace(part, dest)
    finally:
        with contextlib.suppress(OSError):
            os.remove(part)


def _not_found_message(folders, why):
    """Return the error text: every place looked in, why nothing was fetched, and the fixes."""
    fixes = [
        "To fix it, do one of these:",
        "  - call load_mnist(download=True) while online: it downloads them into the cache;",
        *_OTHER_FIXES,
    ]
    header = "load_mnist: no complete copy of the MNIST files was found. Looked in:"
    return "\n".join([header, *_looked(folders), *why, *fixes, *_WHERE_FROM])


def _cache_message(cache, err, folders):
    """Return the error text for a cache folder that cannot be created or written to."""
    why, fix = _why_not_writable(cache, err)
    variable = "LOCALAPPDATA" if os.name == "nt" else "XDG_CACHE_HOME"
    fixes = [
        "To fix it, do one of these:",
        *([f"  - {fix};"] if fix else []),
        f"  - set the environment variable {variable} to the absolute path of a folder you can",
        f'    write to (in Python: os.environ["{variable}"] = "/path/to/folder", before',
        "    load_mnist): downloads then go to its nnlib/mnist subfolder;",
        *_OTHER_FIXES,
    ]
    return "\n".join(
        [
            f"load_mnist: cannot download MNIST, because the cache folder {cache}, where "
            f"downloads go, cannot be created or written to: {why}.",
            "No complete copy of the MNIST files was found elsewhere either. Looked in:",
            *_looked(folders),
            *fixes,
            *_WHERE_FROM,
        ]
    )


_OTHER_FIXES = (
    "  - pass data_dir=<the folder that holds the four files>;",
    "  - set NNLIB_DATA=<a folder whose mnist/ subfolder holds the four files>.",
)
_WHERE_FROM = (
    f"The four files are {', '.join(FILES.values())},",
    f"from any of {', '.join(MIRRORS)}.",
)


def _why_not_writable(cache, err):
    """Return (why, fix or None), in words, for the `OSError` of a write into `cache`."""
    path = Path(err.filename) if isinstance(err.filename, str | os.PathLike) else cache
    blocked = next((p for p in (path, *path.parents) if os.path.lexists(p)), path)
    if os.path.lexists(blocked) and not blocked.is_dir():  # ENOTDIR or EEXIST
        return (
            f"{blocked} is a file, not a folder",
            f"move the file {blocked} away, if nothing needs it",
        )
    if err.errno in (errno.EACCES, errno.EPERM):
        return f"permission denied: you may not create or change files in {blocked}", None
    if err.errno == errno.EROFS:
        return f"{blocked} is on a read-only file system", None
    if err.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return (
            f"the disk is full ({err.strerror})",
            "make room on that disk (the four files take about 12 MB)",
        )
    return f"{err}", None


def _looked(folders):
    """Return one line (or a few) per folder looked in: what it lacks, and near misses."""
    looked = [f"  {folder} ({what}): {_missing(folder)}" for folder, what in folders]
    if not os.environ.get("NNLIB_DATA"):
        looked.insert(-1, "  $NNLIB_DATA/mnist: NNLIB_DATA is not set")
    return looked


def _missing(folder):
    """Return which of the four files `folder` lacks, in words, with any near misses."""
    if folder.is_file():
        return "a file, not a folder"
    if not folder.is_dir():
        return "no such folder"
    missing = [name for name in FILES.values() if not (folder / name).is_file()]
    hints = [f"\n      {hint}" for hint in _near_misses(folder, missing)]
    return "missing " + ", ".join(missing) + "".join(hints)


_COPY_NUMBER = re.compile(r"\s*\(\d+\)")
"""A browser's mark on a second download of the same file: `name (1).gz`."""
_UNFINISHED = (".crdownload", ".part", ".partial", ".download")
"""What browsers add to the name of a download still in progress, or broken off."""


def _key(name):
    """Return `name` folded for comparison: no copy number or unfinished-download ending,
    lower case, letters and digits only."""
    name = _COPY_NUMBER.sub("", name).lower()
    for ending in _UNFINISHED:
        name = name.removesuffix(ending)
    return re.sub(r"[^0-9a-z]", "", name)


def _near_misses(folder, missing):
    """Return a sentence for each missing file that `folder` seems to hold under a near
    miss of its name: another case, other punctuation, a copy number, not gzipped."""
    try:
        present = sorted(entry.name for entry in folder.iterdir())
    except OSError:
        return []
    expected = {name: _key(name) for name in FILES.values()}
    best = {}  # missing name -> (score, found name)
    for found in present:
        if found in expected:
            continue
        key = _key(found)
        scores = {}
        for name, want in expected.items():
            same = key in (want, want.removesuffix("gz"))
            scores[name] = 2.0 if same else difflib.SequenceMatcher(None, key, want).ratio()
        name = max(scores, key=scores.get)
        if name in missing and scores[name] >= 0.85 and scores[name] > best.get(name, (0,))[0]:
            best[name] = (scores[name], found)
    return [_near_miss(folder, best[name][1], name) for name in missing if name in best]


def _near_miss(folder, found, name):
    """Return what to do about `found`, in `folder`, that looks like the file `name`."""
    if (folder / found).is_dir():
        return f"it has a folder {found}/, not the file {name}: put {name} itself here"
    lower = found.lower()
    if lower.endswith(_UNFINISHED):
        return (
            f"it has {found}, which looks like an unfinished download of {name}: "
            f"download {name} again"
        )
    if _key(found) == _key(name).removesuffix("gz") and not lower.endswith(".gz"):
        rename = "" if found + ".gz" == name else f", then rename {found}.gz to {name}"
        return (
            f"it has {found}, not gzipped (some browsers unpack .gz files), where {name} "
            f"was expected: compress it with  python -m gzip {folder / found}{rename}"
        )
    if lower == name:
        return f"it has {found}, in other capitals than {name}: rename it to {name}"
    return f"it has {found} where {name} was expected: rename it to {name} if it is that file"
