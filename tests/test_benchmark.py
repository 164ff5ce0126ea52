"""The speed benchmark runs as the README says and counts its FLOPs right. Its timings
are printed, never asserted: they depend on the machine."""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "mnist_mlp.py"
DATA = next(
    (
        Path(base)
        for base in (os.environ.get("NNLIB_DATA"), ROOT.parent / "shared" / "data")
        if base and (Path(base) / "mnist" / "train-images-idx3-ubyte.gz").is_file()
    ),
    None,
)


def _load():
    spec = importlib.util.spec_from_file_location("mnist_mlp", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_flops_per_epoch_count_every_product_of_training():
    bench = _load()
    m = 1000  # 7 full batches of 128; the 104 left over wait for the next shuffle
    used = (m // 128) * 128
    forward = sum(2 * used * a * b for a, b in [(784, 256), (256, 128), (128, 10)])
    weight_grads = forward  # dW = Aᵀ dZ has the same shape of product as Z = A W
    input_grads = 2 * used * (256 * 128 + 128 * 10)  # no gradient for the data itself
    assert bench.train_flops_per_epoch(m) == forward + weight_grads + input_grads


def test_the_verdict_says_when_the_products_alone_miss_the_target(capsys):
    bench = _load()
    flops, peak = 60e9, 150.0  # GFLOP/s
    steady = {"numpy": 2.0, "jax": 1.0, "torch": 1.5}  # seconds per epoch: 40% of the peak
    bench._verdict(steady, steady, flops, peak, ceiling=0.5)
    out = capsys.readouterr().out
    assert "40% of the measured peak (target >= 60%): missed" in out
    assert "the matrix products alone reached 50% of the peak in this run" in out
    bench._verdict(steady, steady, flops, peak, ceiling=0.7)  # the ceiling was in reach
    assert "products alone" not in capsys.readouterr().out


@pytest.mark.skipif(DATA is None, reason="the MNIST files are not here (set NNLIB_DATA)")
def test_the_benchmark_runs_and_prints_its_table_and_verdict():
    done = subprocess.run(
        # Three epochs: two after the first, so that their fastest and median can differ.
        [sys.executable, str(SCRIPT), "--epochs", "3", "--data", str(DATA)]
        + ["--only", "numpy", "--only", "jax"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert "float32 matmul peak:" in out
    for row in ("nnlib NumPy", "nnlib JAX"):
        line = next(line for line in out.splitlines() if line.startswith(row))
        _, fastest, median, accuracy = map(float, line.split()[2:6])
        assert 0.9 < accuracy <= 1.0, line  # a few epochs of Adam already pass 90%
        assert 0 < fastest <= median, line  # the steady state is the fastest later epoch
    assert "the matrix products alone (JAX, same shapes, nothing else):" in out
    assert "fastest nnlib path:" in out and "of the measured peak (target >= 60%)" in out
    assert "for its median epoch" in out
