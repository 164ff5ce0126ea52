"""nnlib.data.mnist: IDX parsing, hash checks, the loading order and the download path.

No test touches the internet: downloads come from an HTTP server each test starts on
127.0.0.1, and the user cache is a temporary folder.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import gzip
import hashlib
import http.server
import os
import shutil
import socket
import threading
from pathlib import Path

import numpy as np
import pytest

from nnlib.data import mnist
from nnlib.data.mnist import (
    FILES,
    SHA256,
    MNISTCacheError,
    MNISTFileError,
    MNISTNotFoundError,
    idx_bytes,
    load_mnist,
    read_idx,
    to_float,
    train_validation_split,
)

ROOT = Path(__file__).resolve().parent.parent


def _real_folder():
    """The folder holding the four real files: $NNLIB_DATA/mnist or ../shared/data/mnist."""
    for base in (os.environ.get("NNLIB_DATA"), ROOT.parent / "shared" / "data"):
        if base and all((Path(base) / "mnist" / name).is_file() for name in FILES.values()):
            return Path(base).absolute() / "mnist"
    return None


REAL = _real_folder()


@pytest.fixture
def real_dir():
    if REAL is None:
        pytest.skip("the real MNIST files are not here (set NNLIB_DATA or add ../shared/data)")
    return REAL


@pytest.fixture(scope="module")
def real():
    """The real MNIST, loaded once for the whole module."""
    if REAL is None:
        pytest.skip("the real MNIST files are not here (set NNLIB_DATA or add ../shared/data)")
    return load_mnist(data_dir=REAL, download=False)


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch):
    """A private user cache, no NNLIB_DATA, no proxies and a short network timeout."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "xdg"))
    monkeypatch.delenv("NNLIB_DATA", raising=False)
    for name in ("http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.setenv("no_proxy", "*")
    monkeypatch.setattr(mnist, "TIMEOUT_S", 5)
    folder = mnist.default_cache_dir()
    assert folder.is_relative_to(tmp_path)
    return folder


@pytest.fixture
def no_network(monkeypatch):
    """Fail the test on any attempt to download."""

    def urlopen(url, *args, **kwargs):
        pytest.fail(f"load_mnist tried to download {url}")

    monkeypatch.setattr(mnist.urllib.request, "urlopen", urlopen)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serving(folder):
    """Serve `folder` over HTTP on 127.0.0.1 and yield its URL; stop the server on exit."""
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def closed_port_url():
    """A URL on 127.0.0.1 where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def copy_real(folder, skip=()):
    """Copy the real .gz files, except those named in `skip`, into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in FILES.values():
        if name not in skip:
            shutil.copy(REAL / name, folder / name)
    return folder


def write_idx(path, magic, shape, data):
    """Write a gzipped IDX file with this magic number, header shape and payload."""
    path.write_bytes(gzip.compress(idx_bytes(magic, shape, data)))
    return path


def write_changed_labels(path):
    """Write the real training labels with the first label changed, re-gzipped."""
    raw = bytearray(gzip.decompress((REAL / FILES["train_labels"]).read_bytes()))
    raw[8] = (raw[8] + 1) % 10  # still a valid digit: only the hash can tell
    path.write_bytes(gzip.compress(bytes(raw)))


def write_truncated(path, name):
    """Write the first half of the real gzipped file `name`."""
    data = (REAL / name).read_bytes()
    path.write_bytes(data[: len(data) // 2])


# IDX parsing ------------------------------------------------------------------------------


def test_read_idx_parses_tiny_images_and_labels(tmp_path):
    pixels = np.arange(3 * 2 * 4, dtype=np.uint8).reshape(3, 2, 4)
    images = read_idx(write_idx(tmp_path / "i.gz", 2051, (3, 2, 4), pixels.tobytes()))
    labels = read_idx(write_idx(tmp_path / "l.gz", 2049, (5,), [7, 0, 9, 1, 3]))
    assert images.dtype == np.uint8 and images.shape == (3, 2, 4)
    np.testing.assert_array_equal(images, pixels)
    assert labels.tolist() == [7, 0, 9, 1, 3]
    images[0, 0, 0] = 99  # ordinary writable arrays, not views of the file's bytes


def test_read_idx_refuses_a_wrong_magic_number(tmp_path):
    path = write_idx(tmp_path / "odd.gz", 2050, (2,), [1, 2])
    with pytest.raises(MNISTFileError, match=r"odd\.gz.*magic number is 2050.*2051.*2049"):
        read_idx(path)


def test_read_idx_refuses_a_file_shorter_than_its_header(tmp_path):
    path = write_idx(tmp_path / "short.gz", 2051, (10, 28, 28), bytes(100))
    with pytest.raises(MNISTFileError, match=r"short\.gz is truncated.*\(10, 28, 28\).*100"):
        read_idx(path)
    stub = tmp_path / "stub.gz"
    stub.write_bytes(gzip.compress((2049).to_bytes(4, "big")))
    with pytest.raises(MNISTFileError, match=r"stub\.gz is truncated: 4 bytes"):
        read_idx(stub)


def test_read_idx_refuses_a_file_that_is_not_gzip(tmp_path):
    path = tmp_path / "plain.gz"
    path.write_bytes(b"not gzip at all")
    with pytest.raises(MNISTFileError, match=r"plain\.gz is not a complete gzip file.*Delete"):
        read_idx(path)


# The real data ----------------------------------------------------------------------------


def test_real_mnist_shapes_labels_and_pixels(real, real_dir):
    assert real.train_images.shape == (60000, 28, 28)
    assert real.test_images.shape == (10000, 28, 28)
    assert real.train_images.dtype == real.test_images.dtype == np.uint8
    for labels, m in ((real.train_labels, 60000), (real.test_labels, 10000)):
        counts = np.bincount(labels, minlength=10)
        assert labels.shape == (m,) and len(counts) == 10 and counts.sum() == m
        assert counts.min() > 0.08 * m  # every digit is common
    assert real.train_labels[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert real.test_labels[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    for images in (real.train_images, real.test_images):
        assert images.min() == 0 and images.max() == 255
    assert real.source == f"{real_dir} (data_dir)"
    assert "60000 training and 10000 test images" in repr(real)


def test_real_files_match_the_published_hashes(real_dir):
    for field, name in FILES.items():
        raw = gzip.decompress((real_dir / name).read_bytes())
        assert hashlib.sha256(raw).hexdigest() == SHA256[field], name


# Where the files come from ----------------------------------------------------------------


def test_explicit_dir_beats_nnlib_data_beats_the_cache(real_dir, tmp_path, monkeypatch, cache):
    explicit, env = tmp_path / "explicit", tmp_path / "env"
    for folder in (explicit, env / "mnist", cache):
        copy_real(folder)
    monkeypatch.setenv("NNLIB_DATA", str(env))
    assert load_mnist(data_dir=explicit, download=False).source == f"{explicit} (data_dir)"
    from_parent = load_mnist(data_dir=env, download=False)
    assert from_parent.source == f"{env / 'mnist'} (data_dir/mnist)"
    assert load_mnist(download=False).source == f"{env / 'mnist'} ($NNLIB_DATA/mnist)"
    # A folder missing one file is passed over, and so the cache comes last.
    (explicit / FILES["test_labels"]).unlink()
    monkeypatch.delenv("NNLIB_DATA")
    assert load_mnist(data_dir=explicit, download=False).source == f"{cache} (cache)"


def test_a_changed_byte_is_refused_by_its_hash(real_dir, tmp_path):
    folder = copy_real(tmp_path / "data", skip=[FILES["train_labels"]])
    write_changed_labels(folder / FILES["train_labels"])
    with pytest.raises(MNISTFileError) as refused:
        load_mnist(data_dir=folder, download=False)
    message = str(refused.value)
    assert str(folder / FILES["train_labels"]) in message
    assert f"expected {SHA256['train_labels']}" in message
    assert "Delete it and run again to download a fresh copy" in message


def test_a_truncated_gzip_is_refused(real_dir, tmp_path):
    folder = copy_real(tmp_path / "data", skip=[FILES["test_labels"]])
    write_truncated(folder / FILES["test_labels"], FILES["test_labels"])
    with pytest.raises(MNISTFileError, match=r"t10k-labels-idx1-ubyte\.gz is not a complete gzip"):
        load_mnist(data_dir=folder, download=False)


# Downloading ------------------------------------------------------------------------------


def test_download_fills_the_cache_then_works_offline(real, real_dir, tmp_path, cache, capsys):
    with serving(copy_real(tmp_path / "server")) as url:
        downloaded = load_mnist(mirrors=(url,), progress=False)
    assert downloaded.source == f"{cache} (downloaded from {url})"
    assert sorted(os.listdir(cache)) == sorted(FILES.values())  # no temporary files left
    np.testing.assert_array_equal(downloaded.train_images, real.train_images)
    np.testing.assert_array_equal(downloaded.test_labels, real.test_labels)
    assert capsys.readouterr().err == ""  # progress=False draws no bar
    offline = load_mnist(mirrors=(url,))  # the server is gone: this must not download
    assert offline.source == f"{cache} (cache)"


def test_a_corrupted_download_falls_back_to_the_next_mirror(
    real, real_dir, tmp_path, cache, monkeypatch, capsys
):
    server = tmp_path / "server"
    bad = copy_real(server / "bad", skip=[FILES["train_labels"], FILES["test_labels"]])
    write_changed_labels(bad / FILES["train_labels"])
    write_truncated(bad / FILES["test_labels"], FILES["test_labels"])
    copy_real(server / "good")
    monkeypatch.setenv("NNLIB_PROGRESS", "1")
    with serving(server) as url:
        data = load_mnist(mirrors=(url + "bad/", url + "good/"))
    assert data.source == f"{cache} (downloaded from {url}bad/, {url}good/)"
    assert sorted(os.listdir(cache)) == sorted(FILES.values())  # the bad copies are gone
    np.testing.assert_array_equal(data.train_labels, real.train_labels)
    np.testing.assert_array_equal(data.test_labels, real.test_labels)
    assert FILES["test_labels"] in capsys.readouterr().err  # the progress bar, by default


def test_every_mirror_failing_lists_places_and_mirrors(real_dir, tmp_path, cache):
    bad = tmp_path / "bad"
    bad.mkdir()
    write_truncated(bad / FILES["train_images"], FILES["train_images"])
    closed = closed_port_url()
    with serving(bad) as url, pytest.raises(MNISTNotFoundError) as failed:
        load_mnist(mirrors=(closed, url))
    message = str(failed.value)
    assert isinstance(failed.value, FileNotFoundError)
    assert f"{cache} (cache): missing train-images-idx3-ubyte.gz, " in message
    assert "NNLIB_DATA is not set" in message
    assert "Downloading train-images-idx3-ubyte.gz failed at every mirror" in message
    assert f"{closed}train-images-idx3-ubyte.gz: <urlopen error" in message
    assert f"{url}train-images-idx3-ubyte.gz: the downloaded file is not a complete gzip" in message
    assert "NNLIB_DATA=" in message and "data_dir=" in message
    assert os.listdir(cache) == []  # nothing half-downloaded is kept


def test_no_copy_and_no_download_says_where_it_looked(tmp_path, cache, monkeypatch):
    partial = tmp_path / "partial"
    partial.mkdir()
    (partial / FILES["test_labels"]).write_bytes(b"")
    monkeypatch.setenv("NNLIB_DATA", str(tmp_path / "nowhere"))
    with pytest.raises(MNISTNotFoundError) as failed:
        load_mnist(data_dir=partial, download=False)
    message = str(failed.value)
    assert f"{partial} (data_dir): missing train-images-idx3-ubyte.gz, " in message
    assert f"{partial / 'mnist'} (data_dir/mnist): no such folder" in message
    assert f"{tmp_path / 'nowhere' / 'mnist'} ($NNLIB_DATA/mnist): no such folder" in message
    assert f"{tmp_path / 'nowhere'} ($NNLIB_DATA): no such folder" in message
    assert f"{cache} (cache): no such folder" in message
    assert "because download=False" in message
    assert "load_mnist(download=True)" in message
    assert not cache.exists()


def test_nnlib_data_may_name_the_mnist_folder_itself(real_dir, monkeypatch):
    # Like data_dir, NNLIB_DATA may name the folder holding the files or its parent.
    monkeypatch.setenv("NNLIB_DATA", str(real_dir))
    assert load_mnist(download=False).source == f"{real_dir} ($NNLIB_DATA)"
    monkeypatch.setenv("NNLIB_DATA", str(real_dir.parent))
    assert load_mnist(download=False).source == f"{real_dir} ($NNLIB_DATA/mnist)"
    monkeypatch.delenv("NNLIB_DATA")
    assert load_mnist(data_dir=real_dir, download=False).source == f"{real_dir} (data_dir)"
    from_parent = load_mnist(data_dir=real_dir.parent, download=False)
    assert from_parent.source == f"{real_dir} (data_dir/mnist)"


# Helpful messages when there is no copy ---------------------------------------------------


def assert_cache_advice(message, cache):
    """The fixes of a cache that cannot be written: never the advice to go online."""
    assert f"the cache folder {cache}, where downloads go, cannot be created or written to: " in (
        message
    )
    assert 'os.environ["XDG_CACHE_HOME"] = ' in message
    assert "data_dir=<the folder that holds the four files>" in message
    assert "NNLIB_DATA=<a folder whose mnist/ subfolder holds the four files>" in message
    assert "while online" not in message and "failed at every mirror" not in message


@pytest.mark.parametrize("blocker", ["parent", "cache"])
def test_a_file_in_the_way_of_the_cache_is_named(blocker, tmp_path, monkeypatch, no_network):
    # A file where the cache folder or one of its parents should be: no permissions involved.
    if blocker == "parent":
        in_the_way = tmp_path / "notes.txt"
        monkeypatch.setenv("XDG_CACHE_HOME", str(in_the_way))
    cache = mnist.default_cache_dir()
    if blocker == "cache":
        cache.parent.mkdir(parents=True)
        in_the_way = cache
    in_the_way.write_text("the user's own file")
    with pytest.raises(MNISTCacheError) as failed:
        load_mnist(mirrors=("http://127.0.0.1:9/",))
    message = str(failed.value)
    assert isinstance(failed.value, MNISTNotFoundError)
    assert isinstance(failed.value.__cause__, NotADirectoryError | FileExistsError)
    assert_cache_advice(message, cache)
    assert f"written to: {in_the_way} is a file, not a folder." in message
    assert f"move the file {in_the_way} away, if nothing needs it" in message
    assert in_the_way.read_text() == "the user's own file"


REASONS = {
    errno.EACCES: "permission denied: you may not create or change files in {}.",
    errno.EROFS: "{} is on a read-only file system.",
    errno.ENOSPC: "the disk is full (No space left on device).",
}


@pytest.mark.parametrize("code", list(REASONS))
def test_a_cache_folder_that_cannot_be_created_says_why(
    code, tmp_path, monkeypatch, cache, no_network
):
    def mkdir(self, *args, **kwargs):  # what mkdir raises without the right to create
        raise OSError(code, os.strerror(code), str(self))

    monkeypatch.setattr(mnist.Path, "mkdir", mkdir)
    with pytest.raises(MNISTCacheError) as failed:
        load_mnist(mirrors=("http://127.0.0.1:9/",))
    message = str(failed.value)
    assert_cache_advice(message, cache)
    # The nearest folder that exists is where the folders could not be created.
    assert "written to: " + REASONS[code].format(tmp_path) in message
    assert failed.value.__cause__.errno == code


@pytest.mark.parametrize("code", list(REASONS))
def test_a_cache_folder_that_cannot_be_written_says_why(code, monkeypatch, cache, no_network):
    cache.mkdir(parents=True)

    def mkstemp(dir, prefix, suffix):  # what creating the temporary download file raises
        raise OSError(code, os.strerror(code), os.path.join(dir, prefix + "xyz" + suffix))

    monkeypatch.setattr(mnist.tempfile, "mkstemp", mkstemp)
    with pytest.raises(MNISTCacheError) as failed:
        load_mnist(mirrors=("http://127.0.0.1:9/",))
    message = str(failed.value)
    assert_cache_advice(message, cache)
    assert "written to: " + REASONS[code].format(cache) in message
    assert f"{cache} (cache): missing train-images-idx3-ubyte.gz, " in message


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="needs a user that chmod can stop"
)
@pytest.mark.parametrize("locked", ["parent", "cache"])
def test_a_read_only_folder_really_stops_the_cache(locked, tmp_path, cache, no_network):
    folder = cache.parent if locked == "parent" else cache
    folder.mkdir(parents=True)
    folder.chmod(0o555)
    try:
        with pytest.raises(MNISTCacheError) as failed:
            load_mnist(mirrors=("http://127.0.0.1:9/",))
    finally:
        folder.chmod(0o755)
    assert_cache_advice(str(failed.value), cache)
    assert f"permission denied: you may not create or change files in {folder}." in str(
        failed.value
    )
    assert isinstance(failed.value.__cause__, PermissionError)


def test_a_full_disk_stops_the_download_at_once(real_dir, tmp_path, cache, monkeypatch):
    def replace(src, dst):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(mnist.os, "replace", replace)
    closed = closed_port_url()
    with serving(copy_real(tmp_path / "server")) as url, pytest.raises(MNISTCacheError) as failed:
        load_mnist(mirrors=(url, closed), progress=False)
    message = str(failed.value)
    assert_cache_advice(message, cache)
    assert "written to: the disk is full (No space left on device)." in message
    assert "make room on that disk" in message
    assert closed not in message  # not blamed on the mirrors, and no other mirror tried
    assert os.listdir(cache) == []  # the temporary file is gone


NEAR_MISSES = [
    ("train-images.idx3-ubyte.gz", "train-images-idx3-ubyte.gz", "rename it to {expected}"),
    ("train-labels-idx1-ubyte (1).gz", "train-labels-idx1-ubyte.gz", "rename it to {expected}"),
    ("T10K-LABELS-IDX1-UBYTE.GZ", "t10k-labels-idx1-ubyte.gz", "in other capitals than"),
    (
        "t10k-images-idx3-ubyte",
        "t10k-images-idx3-ubyte.gz",
        "not gzipped (some browsers unpack .gz files), where {expected} was expected: "
        "compress it with  python -m gzip {path}\n",
    ),
    (
        "Train-Images.idx3-ubyte",
        "train-images-idx3-ubyte.gz",
        "compress it with  python -m gzip {path}, then rename {found}.gz to {expected}",
    ),
    (
        "train-labels-idx1-ubyte.gz.crdownload",
        "train-labels-idx1-ubyte.gz",
        "looks like an unfinished download of {expected}: download {expected} again",
    ),
    ("t10k-labels-idx1-ubyte/", "t10k-labels-idx1-ubyte.gz", "put {expected} itself here"),
]


@pytest.mark.parametrize(("found", "expected", "hint"), NEAR_MISSES)
def test_a_near_miss_of_a_file_name_is_pointed_out(found, expected, hint, tmp_path, cache):
    folder = tmp_path / "downloads"
    folder.mkdir()
    for name in FILES.values():
        if name != expected:
            (folder / name).write_bytes(b"")
    if found.endswith("/"):
        (folder / found).mkdir()
    else:
        (folder / found).write_bytes(b"the user's copy")
    (folder / "README.txt").write_text("unrelated")
    before = sorted(os.listdir(folder))
    with pytest.raises(MNISTNotFoundError) as failed:
        load_mnist(data_dir=folder, download=False)
    message = str(failed.value)
    found = found.rstrip("/")
    assert f"{folder} (data_dir): missing {expected}\n      it has " in message
    assert message.count("it has ") == 1  # the right names and README.txt are no near miss
    assert found in message.split("it has ")[1].splitlines()[0]
    assert hint.format(expected=expected, path=folder / found, found=found) in message
    assert sorted(os.listdir(folder)) == before  # nothing renamed, compressed or removed


def test_near_misses_are_matched_to_the_closest_name_and_found_under_nnlib_data(
    tmp_path, cache, monkeypatch
):
    env = tmp_path / "data"
    (env / "mnist").mkdir(parents=True)
    for name in ("train-labels-idx1-ubyte (1).gz", "mnist.npz", "train_images.txt"):
        (env / "mnist" / name).write_bytes(b"")
    monkeypatch.setenv("NNLIB_DATA", str(env))
    with pytest.raises(MNISTNotFoundError) as failed:
        load_mnist(download=False)
    message = str(failed.value)
    assert f"{env / 'mnist'} ($NNLIB_DATA/mnist): missing train-images-idx3-ubyte.gz, " in message
    # A near miss of the training labels is not offered for the missing training images.
    assert message.count("it has ") == 1
    assert (
        "it has train-labels-idx1-ubyte (1).gz where train-labels-idx1-ubyte.gz was expected: "
        "rename it to train-labels-idx1-ubyte.gz if it is that file"
    ) in message
    assert f"{env} ($NNLIB_DATA): missing train-images-idx3-ubyte.gz, " in message


# Helpers for the chapter ------------------------------------------------------------------


def test_to_float_scales_and_flattens(real):
    x = to_float(real.test_images)
    assert x.dtype == np.float32 and x.shape == (10000, 784)
    assert x.min() == 0.0 and x.max() == 1.0
    np.testing.assert_array_equal(np.rint(x[0] * 255).reshape(28, 28), real.test_images[0])
    with pytest.raises(ValueError, match="already converted"):
        to_float(x.reshape(-1, 28, 28))
    with pytest.raises(ValueError, match=r"images\[i:i \+ 1\]"):
        to_float(real.test_images[0])


def test_train_validation_split_is_disjoint_and_seeded(real):
    index = np.arange(60000)
    train_x, train_i, val_x, val_i = train_validation_split(real.train_images, index)
    assert train_x.shape == (55000, 28, 28) and val_x.shape == (5000, 28, 28)
    assert train_i.shape == (55000,) and val_i.shape == (5000,)
    assert np.array_equal(np.sort(np.concatenate([train_i, val_i])), index)
    np.testing.assert_array_equal(val_x, real.train_images[val_i])
    _, _, _, again = train_validation_split(real.train_images, index, seed=0)
    _, _, _, other = train_validation_split(real.train_images, index, seed=1)
    np.testing.assert_array_equal(again, val_i)
    assert not np.array_equal(other, val_i)
    _, train_y, _, val_y = train_validation_split(real.train_images, real.train_labels)
    np.testing.assert_array_equal(val_y, real.train_labels[val_i])
    np.testing.assert_array_equal(train_y, real.train_labels[train_i])
