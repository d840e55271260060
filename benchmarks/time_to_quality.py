"""Time to quality: train candidate MNIST recipes in turn, interleaved, and print their quality at
fixed CPU-time marks.

A benchmark, not a test. Every candidate trains in this one process on the real MNIST train split
(in memory, reshuffled every epoch); they take turns, so slow drifts of the machine hit all of them
alike. Time is the process's CPU time spent in training calls (``time.process_time``; evaluation is
not counted), divided by the number of cores, so a mark of "2.5 min" is 2.5 minutes of a 2-core
machine fully busy -- and a figure stays honest when something else runs beside the benchmark.

At each mark every candidate is scored on ``--samples`` generated images (latent seed 1) with the
project's ``classifier-mnist``: the *confident* fraction (max class probability >= 0.9), the range
of class shares of the predicted labels, and FID in the classifier's feature space against the
10,000 MNIST test images (floor: 0.15). Candidates that keep a moving average of G (``ema``) are
scored twice, raw G and the average (``+ema`` rows): the average costs nothing in training.
The average's half-life is a fixed fraction of the candidate's steps in the budget
(``EMA_FRACTION``), and ``lr_decay`` candidates decay to 0 over exactly that budget; both need the
candidate's step count, which a short calibration on a scratch copy estimates first.

    python benchmarks/time_to_quality.py --data-dir ../shared/data/mnist
    python benchmarks/time_to_quality.py --candidates peer,bn-sim,nobn-r1-alt --minutes 10
    python benchmarks/time_to_quality.py --candidates nobn-r1-alt,nobn-r1-alt-lin --minutes 30 \
        --state runs/ttq3   # resumable: the same command continues after the last mark

Scoring goes through :class:`ganzoo.curves.QualityProbe`, the protocol of the training curves
that ``ganzoo train`` draws into every model card, so a card's curve and these marks compare.

``peer`` is the plain keras.io / TensorFlow-tutorial DCGAN everyone writes by hand: G Dense
7x7x256 -> Conv2DTranspose 128 (5x5, stride 1) -> 64 (stride 2) -> 1 (stride 2, tanh) with batch
norm and LeakyReLU, D Conv 64 -> 128 (5x5, stride 2, LeakyReLU, dropout 0.3) -> Dense 1, two
GradientTapes over one forward pass, Adam(2e-4, 0.5) for both, batch 64.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

# name -> ganzoo.create keyword arguments (family "dcgan", dataset "mnist"). Every one keeps an
# EMA of G so its average is scored too; its half-life is EMA_FRACTION of the candidate's steps in
# the budget, and a candidate with ``lr_decay`` decays over exactly those steps. Both come from a
# calibration: a scratch copy of the candidate is timed for CALIBRATION_STEPS steps first.
EMA_FRACTION = 0.05
CALIBRATION_STEPS = 200
_R1 = [{"name": "r1", "reg_param": 5.0}]
_NOBN = {"norm": None}
CANDIDATES = {
    "bn-sim": dict(),  # the shipped dcgan-mnist recipe (width 32, batch norm, simultaneous)
    "bn-alt": dict(update="alternating"),
    "nobn-r1-alt": dict(update="alternating", discriminator={"norm": None},
                        techniques=[{"name": "r1", "reg_param": 5.0}]),
    "nobn-r1g1-alt": dict(update="alternating", discriminator={"norm": None},
                          techniques=[{"name": "r1", "reg_param": 0.5}]),
    "nobn-r1-sim": dict(discriminator={"norm": None}, techniques=[{"name": "r1", "reg_param": 5.0}]),
    "nobn-r1-alt-w64": dict(update="alternating", discriminator={"norm": None, "width": 64},
                            generator={"width": 64}, techniques=[{"name": "r1", "reg_param": 5.0}]),
    "nobn-r1-alt-d64": dict(update="alternating", discriminator={"norm": None, "width": 64},
                            techniques=[{"name": "r1", "reg_param": 5.0}]),
    "nobn-r1-alt-b128": dict(update="alternating", discriminator={"norm": None},
                             techniques=[{"name": "r1", "reg_param": 5.0}], batch_size=128),
    # round 2: D's capacity (D width 32 is two convs of 32 and 64 channels, ~1.7M MACs an image
    # against G's ~6.5M) and the learning rate decayed linearly to 0 over the budget
    "nobn-r1-alt-d128": dict(update="alternating", discriminator={**_NOBN, "width": 128},
                             techniques=_R1),
    "nobn-r1-alt-lin": dict(update="alternating", discriminator=_NOBN, techniques=_R1,
                            lr_decay="linear"),
    "nobn-r1-alt-d64-lin": dict(update="alternating", discriminator={**_NOBN, "width": 64},
                                techniques=_R1, lr_decay="linear"),
    # round 3: G's capacity (width 32 is z -> 7x7x64 -> 14x14x32 -> 28x28x1)
    "nobn-r1-alt-g64": dict(update="alternating", discriminator=_NOBN, generator={"width": 64},
                            techniques=_R1),
    "nobn-r1-alt-g48-d48": dict(update="alternating", discriminator={**_NOBN, "width": 48},
                                generator={"width": 48}, techniques=_R1),
    # round 4: the optimizer of Mescheder et al.'s R1 code (Adam 1e-4, beta_1 0, beta_2 0.99;
    # their configs/default.yaml) and mixed bfloat16 (ganzoo.distribution.precision; the
    # scale-out issue asks whether it trains faster at equal quality on CPUs with AVX512_BF16)
    "nobn-r1-alt-b0": dict(update="alternating", discriminator=_NOBN, techniques=_R1,
                           learning_rate=1e-4, beta_1=0.0, beta_2=0.99),
    "nobn-r1-alt-bf16": dict(update="alternating", discriminator=_NOBN, techniques=_R1,
                             precision="mixed_bfloat16"),
}
DEFAULT = "peer,bn-sim,nobn-r1-alt,nobn-r1g1-alt,nobn-r1-sim,nobn-r1-alt-w64"


def cores():
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


class Batches:
    """Real MNIST batches in [-1, 1], reshuffled every epoch (seeded)."""

    def __init__(self, x, batch_size, seed):
        self.x, self.batch_size = x, batch_size
        self.rng = np.random.default_rng(seed)
        self.order, self.pos = self.rng.permutation(len(x)), 0

    def state(self):
        return {"rng": self.rng.bit_generator.state, "order": self.order.tolist(), "pos": self.pos}

    def restore(self, state):
        self.rng.bit_generator.state = state["rng"]
        self.order, self.pos = np.asarray(state["order"]), int(state["pos"])

    def next(self):
        if self.pos + self.batch_size > len(self.x):
            self.order, self.pos = self.rng.permutation(len(self.x)), 0
        idx = self.order[self.pos:self.pos + self.batch_size]
        self.pos += self.batch_size
        return self.x[idx]


class GanzooCandidate:
    def __init__(self, name, x, seed, minutes, budget_steps=None):
        import keras
        import tensorflow as tf

        import ganzoo

        from ganzoo import distribution

        kwargs = dict(CANDIDATES[name])
        self.batch_size = kwargs.pop("batch_size", 64)
        techniques = list(kwargs.pop("techniques", []))
        precision = kwargs.pop("precision", "float32")

        def make(ema_half_life, total_steps):
            keras.utils.set_random_seed(seed)
            with distribution.precision(precision):  # the GAN computes in it after the block
                gan = ganzoo.create("dcgan", dataset="mnist", seed=seed, total_steps=total_steps,
                                    techniques=techniques + [{"name": "ema",
                                                              "half_life": ema_half_life}],
                                    **kwargs)
            return gan, tf.function(gan.train_step)

        if budget_steps is None:
            budget_steps = self._calibrate(make, x, seed, minutes)
        self.budget_steps = budget_steps
        self.ema_half_life = max(1.0, EMA_FRACTION * self.budget_steps)
        self.gan, self.step_fn = make(self.ema_half_life, self.budget_steps)
        self.batches = Batches(x, self.batch_size, seed)
        self.name = name

    def _calibrate(self, make, x, seed, minutes):
        """CPU time a step (after tracing) of a scratch copy -> steps in the budget."""
        import tensorflow as tf

        gan, step_fn = make(1000, 10_000)
        batches = Batches(x, self.batch_size, seed)
        for _ in range(20):
            step_fn(tf.constant(batches.next()))
        t0 = time.process_time()
        for _ in range(CALIBRATION_STEPS):
            logs = step_fn(tf.constant(batches.next()))
        float(logs["d_loss"])
        per_step = (time.process_time() - t0) / cores() / CALIBRATION_STEPS
        return max(1, int(minutes * 60 / per_step))

    def save(self, directory):
        """Weights, both optimizers and the step's seed state (the GAN's training state), and
        the data order: what a resumed run needs to continue exactly."""
        self.gan.save_weights(directory / f"{self.name}.weights.h5")
        return {"budget_steps": self.budget_steps, "batches": self.batches.state()}

    def restore(self, directory, state):
        self.gan.build_optimizers()
        self.gan.load_weights(directory / f"{self.name}.weights.h5")
        self.batches.restore(state["batches"])

    def train(self, steps):
        import tensorflow as tf

        for _ in range(steps):
            logs = self.step_fn(tf.constant(self.batches.next()))
        return {k: float(v) for k, v in logs.items()}

    def samplers(self):
        from ganzoo.distribution import to_float32  # (mixed precision: bfloat16 images)

        g = self.gan
        return {self.name: lambda z: to_float32(g.generator(z, training=False)),
                self.name + "+ema": lambda z: to_float32(g.sampler(z, training=False))}


class PeerCandidate:
    """The hand-written keras.io DCGAN loop (see the module docstring)."""

    def __init__(self, name, x, seed, minutes=None):
        import keras
        import tensorflow as tf
        from keras import layers

        keras.utils.set_random_seed(seed)
        self.name, self.batch_size = name, 64
        self.G = keras.Sequential([
            keras.Input((100,)),
            layers.Dense(7 * 7 * 256, use_bias=False), layers.BatchNormalization(), layers.LeakyReLU(),
            layers.Reshape((7, 7, 256)),
            layers.Conv2DTranspose(128, 5, strides=1, padding="same", use_bias=False),
            layers.BatchNormalization(), layers.LeakyReLU(),
            layers.Conv2DTranspose(64, 5, strides=2, padding="same", use_bias=False),
            layers.BatchNormalization(), layers.LeakyReLU(),
            layers.Conv2DTranspose(1, 5, strides=2, padding="same", use_bias=False,
                                   activation="tanh"),
        ])
        self.D = keras.Sequential([
            keras.Input((28, 28, 1)),
            layers.Conv2D(64, 5, strides=2, padding="same"), layers.LeakyReLU(), layers.Dropout(0.3),
            layers.Conv2D(128, 5, strides=2, padding="same"), layers.LeakyReLU(), layers.Dropout(0.3),
            layers.Flatten(), layers.Dense(1),
        ])
        self.g_opt = keras.optimizers.Adam(2e-4, beta_1=0.5)
        self.d_opt = keras.optimizers.Adam(2e-4, beta_1=0.5)
        bce = keras.losses.BinaryCrossentropy(from_logits=True)
        G, D = self.G, self.D

        @tf.function
        def step(real):
            z = tf.random.normal((tf.shape(real)[0], 100))
            with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
                fake = G(z, training=True)
                real_out, fake_out = D(real, training=True), D(fake, training=True)
                g_loss = bce(tf.ones_like(fake_out), fake_out)
                d_loss = bce(tf.ones_like(real_out), real_out) + bce(tf.zeros_like(fake_out), fake_out)
            self.g_opt.apply_gradients(zip(g_tape.gradient(g_loss, G.trainable_variables),
                                           G.trainable_variables))
            self.d_opt.apply_gradients(zip(d_tape.gradient(d_loss, D.trainable_variables),
                                           D.trainable_variables))
            return {"d_loss": d_loss, "g_loss": g_loss}

        self.step_fn = step
        self.batches = Batches(x, self.batch_size, seed)

    def train(self, steps):
        import tensorflow as tf

        for _ in range(steps):
            logs = self.step_fn(tf.constant(self.batches.next()))
        return {k: float(v) for k, v in logs.items()}

    def samplers(self):
        return {self.name: lambda z: self.G(z, training=False)}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data-dir", default="../shared/data/mnist")
    p.add_argument("--candidates", default=DEFAULT,
                   help=f"comma-separated; known: peer, {', '.join(CANDIDATES)}")
    p.add_argument("--minutes", type=float, default=10.0, help="per candidate (CPU min / cores)")
    p.add_argument("--mark", type=float, default=2.5, help="minutes between quality marks")
    p.add_argument("--samples", type=int, default=2000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--chunk", type=int, default=50, help="steps between clock checks")
    p.add_argument("--json", default=None, help="also append every row to this JSON-lines file")
    p.add_argument("--state", default=None,
                   help="directory for the candidates' training state after every mark; the "
                        "same command with the same --state resumes after the last mark (a "
                        "session that ends mid-run loses at most one mark's work)")
    args = p.parse_args(argv)

    import ganzoo

    x, _ = ganzoo.data.load_arrays("mnist", "train", args.data_dir)
    x = (x.astype(np.float32) / 127.5 - 1.0)
    names = args.candidates.split(",")
    for n in names:
        if n != "peer" and n not in CANDIDATES:
            raise SystemExit(f"unknown candidate {n!r}; known: peer, {', '.join(CANDIDATES)}")
    from ganzoo.curves import QualityProbe

    probe = QualityProbe("mnist", args.data_dir, num_samples=args.samples, seed=1)
    state_dir = Path(args.state) if args.state else None
    saved = _load_state(state_dir, args)
    if saved and "peer" in names:
        raise SystemExit("--state: the peer cannot resume; leave it out of a resumable run")
    runs = {}
    for n in names:
        if n == "peer":
            runs[n] = PeerCandidate(n, x, args.seed)
        else:
            runs[n] = GanzooCandidate(n, x, args.seed, args.minutes,
                                      budget_steps=saved["runs"][n]["budget_steps"] if saved
                                      else None)
            if saved:
                runs[n].restore(state_dir, saved["runs"][n])
    for n, run in runs.items():
        if hasattr(run, "budget_steps"):
            print(f"# {n}: ~{run.budget_steps:,} steps in {args.minutes} min (calibrated), EMA "
                  f"half-life {run.ema_half_life:,.0f} steps", flush=True)
    clock = {n: 0.0 for n in names} if not saved else saved["clock"]
    images = {n: 0 for n in names} if not saved else saved["images"]
    n_cores = cores()
    if saved:
        print(f"# resumed from {state_dir} after the {saved['mark']}-min mark", flush=True)
    print(f"# {len(names)} candidates, marks every {args.mark} min (process CPU time / {n_cores} "
          f"cores), {args.samples} samples (seed 1) scored by classifier-mnist", flush=True)
    print(f"{'candidate':<22} {'min':>5} {'wall':>6} {'images':>9} {'confident':>9} "
          f"{'classes %':>11} {'FID':>7}  losses", flush=True)
    mark = args.mark if not saved else saved["mark"] + args.mark
    while mark <= args.minutes + 1e-9:
        for n in names:
            run, logs, t_wall = runs[n], {}, time.monotonic()
            while clock[n] < mark * 60:
                t0 = time.process_time()
                logs = run.train(args.chunk)
                clock[n] += (time.process_time() - t0) / n_cores
                images[n] += args.chunk * run.batch_size
            wall = time.monotonic() - t_wall
            for label, gen in run.samplers().items():
                q = probe.measure(gen)
                s = {"confident": q["confident"], "class_min": q["class_share_min"],
                     "class_max": q["class_share_max"], "fid": q["fid"]}
                row = {"candidate": label, "minutes": mark, "cpu_minutes": clock[n] / 60,
                       "images": images[n], "slice_wall_s": wall, **s,
                       "budget_steps": getattr(run, "budget_steps", None),
                       "ema_half_life": getattr(run, "ema_half_life", None),
                       "logs": {k: round(v, 4) for k, v in logs.items()}}
                print(f"{label:<22} {mark:>5.1f} {wall:>5.0f}s {images[n]:>9,} {s['confident']:>9.3f} "
                      f"{100 * s['class_min']:>5.1f}-{100 * s['class_max']:<5.1f} {s['fid']:>7.2f}  "
                      + " ".join(f"{k}={v:.3g}" for k, v in logs.items()
                                 if k in ("d_loss", "g_loss", "penalty")), flush=True)
                if args.json:
                    with open(args.json, "a") as f:
                        f.write(json.dumps(row) + "\n")
        if state_dir is not None:
            _save_state(state_dir, args, mark, runs, clock, images)
        mark += args.mark
    return 0


def _run_key(args):
    return {k: getattr(args, k) for k in ("candidates", "minutes", "mark", "samples", "seed")}


def _save_state(directory, args, mark, runs, clock, images):
    """After a mark: every candidate's training state, then ``state.json`` (the commit point)."""
    directory.mkdir(parents=True, exist_ok=True)
    state = {"args": _run_key(args), "mark": mark, "clock": clock, "images": images,
             "runs": {n: run.save(directory) for n, run in runs.items()}}
    tmp = directory / "state.tmp.json"
    tmp.write_text(json.dumps(state))
    os.replace(tmp, directory / "state.json")


def _load_state(directory, args):
    if directory is None or not (directory / "state.json").exists():
        return None
    state = json.loads((directory / "state.json").read_text())
    if state["args"] != _run_key(args):
        raise SystemExit(f"{directory} holds a run with {state['args']}; this command is "
                         f"{_run_key(args)}. Use another --state directory.")
    return state


if __name__ == "__main__":
    sys.exit(main())
