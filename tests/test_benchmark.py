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
    assert "40% of the measured peak (target >= 65%): missed" in out
    assert "the matrix products alone reached 50% of the peak in this run" in out
    bench._verdict(steady, steady, flops, peak, ceiling=0.7)  # the ceiling was in reach
    assert "products alone" not in capsys.readouterr().out


def test_the_verdict_compares_the_jax_epoch_with_the_products_alone(capsys):
    bench = _load()
    steady = {"jax": 1.0, "torch": 2.1}
    bench._verdict(steady, steady, 100e9, 150.0, ceiling=0.8, floor=0.95)
    out = capsys.readouterr().out
    assert "an epoch 1.05x the matrix products alone (target <= 1.08x): met" in out
    assert "2.10x PyTorch eager (target >= 2.0x): met" in out
    bench._verdict(steady, steady, 100e9, 150.0, ceiling=0.8, floor=0.8)
    assert "an epoch 1.25x the matrix products alone (target <= 1.08x): missed" in (
        capsys.readouterr().out
    )


def test_a_busy_machine_gets_its_reasons_and_no_verdict(capsys):
    bench = _load()
    assert bench.why_busy([100.0, 95.0], [0.0, 0.1, None]) == []
    reasons = bench.why_busy([100.0, 80.0], [0.0, 1.2])
    assert len(reasons) == 2
    assert "up to 1.2 cores busy" in reasons[0] and "from 80 to 100 GFLOP/s" in reasons[1]
    steady = {"jax": 1.0, "torch": 2.1}
    bench._verdict(steady, steady, 100e9, 150.0, busy=reasons)
    out = capsys.readouterr().out
    assert "no verdict: the machine was busy" in out and "up to 1.2 cores busy" in out
    assert "met" not in out and "missed" not in out


def test_busy_elsewhere_reads_a_share_of_the_cores():
    cores = _load().busy_elsewhere(seconds=0.2)
    assert cores is None or 0 <= cores <= os.cpu_count() + 0.5


@pytest.mark.skipif(DATA is None, reason="the MNIST files are not here (set NNLIB_DATA)")
def test_the_benchmark_runs_and_prints_its_table_and_verdict():
    done = subprocess.run(
        # Three epochs: two after the first, so that their fastest and median can differ;
        # a sixth of the images and a short peak: this checks that it runs, not how fast.
        [sys.executable, str(SCRIPT), "--epochs", "3", "--data", str(DATA)]
        + ["--examples", "10000", "--peak-seconds", "0.25"]
        + ["--only", "numpy", "--only", "jax"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert "float32 matmul peak:" in out and "on 10,000 training images" in out
    for row in ("nnlib NumPy", "nnlib JAX"):
        line = next(line for line in out.splitlines() if line.startswith(row))
        _, fastest, median, accuracy = map(float, line.split()[2:6])
        assert 0.9 < accuracy <= 1.0, line  # 3 epochs of Adam on 10,000 images pass 90%
        assert 0 < fastest <= median, line  # the steady state is the fastest later epoch
    assert "the matrix products alone (JAX, same shapes, nothing else):" in out
    # Inside the test suite other tests share the machine: it may say so instead.
    if "no verdict: the machine was busy" in out:
        assert "run the benchmark again on an idle machine" in out
    else:
        assert "fastest nnlib path:" in out and "of the measured peak (target >= 65%)" in out
        assert "for its median epoch" in out and "the matrix products alone (target" in out
