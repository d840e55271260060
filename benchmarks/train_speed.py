"""Print DCGAN-MNIST training throughput (images/s) for a few engine settings on this machine.

A benchmark, not a test: run it by hand, compare figures from the same run (these machines are
noisy; variants are interleaved and each is measured ``--repeats`` times).

    python benchmarks/train_speed.py --data-dir ../shared/data/mnist
"""

import argparse
import itertools
import time

import numpy as np


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data-dir", default="../shared/data/mnist")
    p.add_argument("--widths", default="32,64", help="G/D width values to compare")
    p.add_argument("--batches", default="64,128")
    p.add_argument("--jit", default="0,1")
    p.add_argument("--steps", type=int, default=60)
    p.add_argument("--repeats", type=int, default=2)
    args = p.parse_args(argv)

    import keras

    import ganzoo
    from ganzoo.gan import GAN
    from ganzoo.models import DCGANDiscriminator, DCGANGenerator

    print(f"keras {keras.__version__}, backend {keras.config.backend()}, ganzoo {ganzoo.__version__}")
    configs = list(itertools.product(
        [int(w) for w in args.widths.split(",")],
        [int(b) for b in args.batches.split(",")],
        [bool(int(j)) for j in args.jit.split(",")],
    ))
    models = {}
    for width, batch, jit in configs:
        gan = GAN(DCGANGenerator(width=width), DCGANDiscriminator(width=width), seed=0)
        gan.compile(jit_compile=jit)
        ds = ganzoo.data.load("mnist", data_dir=args.data_dir, batch_size=batch).repeat()
        gan.fit(ds, steps_per_epoch=5, epochs=1, verbose=0)  # trace + warm up
        models[(width, batch, jit)] = (gan, ds)
    results = {c: [] for c in configs}
    for _ in range(args.repeats):
        for c in configs:
            gan, ds = models[c]
            t = time.perf_counter()
            gan.fit(ds, steps_per_epoch=args.steps, epochs=1, verbose=0)
            results[c].append(args.steps * c[1] / (time.perf_counter() - t))
    print(f"{'G/D width':>9} {'batch':>5} {'jit':>5}  images/s (each repeat)")
    for (width, batch, jit), figs in results.items():
        print(f"{width:>9} {batch:>5} {str(jit):>5}  " + "  ".join(f"{f:7.1f}" for f in figs)
              + f"   median {np.median(figs):.1f}")


if __name__ == "__main__":
    main()
