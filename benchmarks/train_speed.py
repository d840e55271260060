"""Print DCGAN-MNIST training throughput (images/s) per Keras backend and engine setting.

A benchmark, not a test: run it by hand and compare figures from the same run (these machines are
noisy; variants are interleaved and each is measured ``--repeats`` times).

    python benchmarks/train_speed.py --data-dir ../shared/data/mnist                  # TF and JAX
    python benchmarks/train_speed.py --backends tensorflow --widths 32,64 --batches 64,128 --jit 0,1

Each backend runs in its own process (a Keras backend is fixed at import). Defaults measure the
``dcgan-mnist`` entry's network (width 32) at its batch size (64).
"""

import argparse
import itertools
import json
import os
import subprocess
import sys
import time

import numpy as np


def measure(args):
    import keras

    import ganzoo
    from ganzoo.gan import GAN
    from ganzoo.models import DCGANDiscriminator, DCGANGenerator

    jits = [{"auto": "auto", "0": False, "1": True}[j] for j in args.jit.split(",")]
    configs = list(itertools.product(
        [int(w) for w in args.widths.split(",")], [int(b) for b in args.batches.split(",")], jits
    ))
    models = {}
    for width, batch, jit in configs:
        gan = GAN(DCGANGenerator(width=width), DCGANDiscriminator(width=width), seed=0)
        gan.compile(jit_compile=jit)
        ds = ganzoo.data.load("mnist", data_dir=args.data_dir, batch_size=batch).repeat()
        gan.fit(ds, steps_per_epoch=5, epochs=1, verbose=0)  # trace/compile and warm up
        models[(width, batch, jit)] = (gan, ds)
    results = {c: [] for c in configs}
    for _ in range(args.repeats):
        for c in configs:
            gan, ds = models[c]
            t = time.perf_counter()
            gan.fit(ds, steps_per_epoch=args.steps, epochs=1, verbose=0)
            results[c].append(args.steps * c[1] / (time.perf_counter() - t))
    return [{"backend": keras.config.backend(), "width": w, "batch": b, "jit": str(j),
             "images_per_s": [round(f, 1) for f in figs]} for (w, b, j), figs in results.items()]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data-dir", default="../shared/data/mnist")
    p.add_argument("--backends", default="tensorflow,jax")
    p.add_argument("--widths", default="32")
    p.add_argument("--batches", default="64")
    p.add_argument("--jit", default="auto", help="comma list of auto,0,1")
    p.add_argument("--steps", type=int, default=100)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        print("RESULT " + json.dumps(measure(args)))
        return
    rows = []
    for backend in args.backends.split(","):
        cmd = [sys.executable, __file__, "--child"] + [a for a in (argv or sys.argv[1:])]
        env = dict(os.environ, KERAS_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="2")
        run = subprocess.run(cmd, env=env, capture_output=True, text=True)
        lines = [line for line in run.stdout.splitlines() if line.startswith("RESULT ")]
        if run.returncode or not lines:
            print(f"{backend}: failed\n{run.stderr[-2000:]}")
            continue
        rows += json.loads(lines[-1][len("RESULT "):])
    import platform

    print(f"{os.cpu_count()} CPUs, {platform.processor() or platform.machine()}; "
          f"{args.steps} steps per measurement")
    print(f"{'backend':>10} {'width':>5} {'batch':>5} {'jit':>5}  images/s per repeat  (median)")
    for r in rows:
        figs = r["images_per_s"]
        print(f"{r['backend']:>10} {r['width']:>5} {r['batch']:>5} {r['jit']:>5}  "
              + " ".join(f"{f:7.1f}" for f in figs) + f"   ({np.median(figs):.1f})")


if __name__ == "__main__":
    main()
