"""Print the training throughput (real images/s) of zoo entries, to show what each technique costs.

A benchmark, not a test: run it on an otherwise idle machine and compare figures of one run
(entries are interleaved and each is measured ``--repeats`` times).

    python benchmarks/technique_cost.py --data-dir ../shared/data/mnist                # *-mnist
    python benchmarks/technique_cost.py --entries dcgan-mnist,wgan-gp-mnist,mbd-mnist
    python benchmarks/technique_cost.py --entries gan-ring8,unrolled-ring8 --jit 0,1   # XLA?

``--jit``: the ``jit_compile`` settings to measure each entry with, interleaved like the entries:
``entry`` (the default) as the entry's recipe sets it (hyper-parameter ``jit_compile``: the toys
compile with XLA under TensorFlow, the image entries do not), ``0`` without XLA, ``1`` with it.
``--spe``: likewise the ``steps_per_execution`` settings (``entry``, or a number of train steps
per compiled call), crossed with ``--jit``.

    python benchmarks/technique_cost.py --entries gan-ring8,dragan-ring8 --spe 1,25 --steps 1000
"""

import argparse
import platform
import time


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data-dir", default="../shared/data/mnist")
    p.add_argument("--entries", default="*-mnist", help="comma list of names or one fnmatch pattern")
    p.add_argument("--steps", type=int, default=50)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--jit", default="entry", help="comma list of jit_compile settings: entry, 0, 1")
    p.add_argument("--spe", default="entry",
                   help="comma list of steps_per_execution settings: entry, or a number")
    args = p.parse_args(argv)
    jits = [{"entry": "entry", "0": False, "1": True}[j] for j in args.jit.split(",")]
    spes = [s if s == "entry" else int(s) for s in args.spe.split(",")]

    import keras

    import ganzoo
    from ganzoo.zoo import get_entry

    names = (args.entries.split(",") if "," in args.entries or args.entries in ganzoo.list_models()
             else ganzoo.list_models(args.entries))
    runs = {}
    for name in names:
        entry = get_entry(name)
        for jit in jits:
            for spe in spes:
                gan = ganzoo.create(name)
                if jit != "entry":  # compile() resolved the entry's setting already
                    gan.jit_compile = jit  # read when fit first builds the train function
                if spe != "entry":
                    gan.steps_per_execution = spe  # likewise
                batch = entry.hparams["batch_size"] * gan.n_critic  # real images per train step
                data_dir = args.data_dir if entry.dataset not in ganzoo.data.TOYS else None
                ds = ganzoo.data.load(entry.dataset, data_dir=data_dir, batch_size=batch).repeat()
                warm = 3 * gan.steps_per_execution
                gan.fit(ds, steps_per_epoch=warm, epochs=1, verbose=0)  # trace and warm up
                label = name + "".join(
                    f" [{what} {value}]" for what, value, options in
                    (("jit", jit, jits), ("spe", spe, spes)) if len(options) > 1)
                runs[label] = (gan, ds, batch, [])
    for _ in range(args.repeats):
        for name, (gan, ds, batch, figures) in runs.items():
            t = time.perf_counter()
            gan.fit(ds, steps_per_epoch=args.steps, epochs=1, verbose=0)
            figures.append(args.steps * batch / (time.perf_counter() - t))
    print(f"Keras {keras.__version__} / {keras.config.backend()}, {platform.machine()}; "
          f"{args.steps} steps per measurement")
    for name, (_, _, batch, figures) in runs.items():
        print(f"{name:<34} batch {batch:>4}  " + "  ".join(f"{f:7.0f}" for f in figures)
              + "  real images/s")


if __name__ == "__main__":
    main()
