"""How long must a toy entry train? Modes / high quality / reverse KL of toy entries after each
epoch, for several seeds -- to choose the toy budget (``ganzoo.zoo.registry.TOY_EPOCHS``).

A benchmark, not a test. Each (entry, seed) trains exactly as ``ganzoo train`` would (the entry's
recipe, ``create(name, seed=)``, data order ``seed + epoch``), in this process; after every epoch
2,500 samples (latent seed 0) are scored with :func:`ganzoo.metrics.toy.toy_metrics`.

    python benchmarks/toy_budget.py --entries gan-ring8,gan-grid25 --seeds 0,1 --epochs 30
"""

import argparse
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--entries", default="gan-ring8,gan-grid25")
    p.add_argument("--seeds", default="0")
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--samples", type=int, default=2500)
    args = p.parse_args(argv)

    import keras

    import ganzoo
    from ganzoo.metrics.toy import toy_metrics
    from ganzoo.zoo import get_entry

    print(f"{'entry':<22} {'seed':>4} {'epoch':>5} {'steps':>7} {'s':>6} {'modes':>7} "
          f"{'HQ %':>6} {'rev KL':>7}", flush=True)
    for name in args.entries.split(","):
        entry = get_entry(name)
        batch = entry.hparams["batch_size"]
        for seed in (int(s) for s in args.seeds.split(",")):
            keras.utils.set_random_seed(seed)
            gan = ganzoo.create(name, seed=seed)
            steps, t0 = 0, time.monotonic()
            for epoch in range(args.epochs):
                ds = ganzoo.data.load(entry.dataset, "train", batch_size=batch, seed=seed + epoch)
                gan.fit(ds, epochs=1, verbose=0)
                steps = int(gan.g_optimizer.iterations)
                m = toy_metrics(gan.sample(args.samples, seed=0), entry.dataset)
                print(f"{name:<22} {seed:>4} {epoch + 1:>5} {steps:>7} {time.monotonic() - t0:>6.0f} "
                      f"{m['modes']:>3}/{m['num_modes']:<3} {100 * m['high_quality']:>6.1f} "
                      f"{m['reverse_kl']:>7.3f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
