"""Pair speed: ganzoo's ``fit`` against a hand-written Keras loop and plain PyTorch, on one network.

A benchmark, not a test: run it by hand on an idle machine and compare figures from the same run.

    python benchmarks/pair_speed.py --data-dir ../shared/data/mnist
    python benchmarks/pair_speed.py --widths 32 --rules alternating --xla 1 --repeats 5 --json r.json
    python benchmarks/pair_speed.py --widths 32 --peers keras --precision float32,mixed_bfloat16
    python benchmarks/pair_speed.py --steps 3 --warmup 2 --repeats 1 --widths 32    # smoke test

What is compared. The network is ganzoo's DCGAN pair for 28x28x1 images at width ``W``
(``ganzoo.models.DCGANGenerator`` / ``DCGANDiscriminator``, kernel 4, latent 100), rebuilt by hand
layer for layer in Keras and in PyTorch:

    G: Dense(100 -> 7*7*2W, no bias) - BN - ReLU - reshape 7x7x2W
       - ConvTranspose(2W -> W, 4, stride 2, no bias) - BN - ReLU
       - ConvTranspose(W -> 1, 4, stride 2, bias) - tanh                        -> 28x28x1
    D: Conv(1 -> W, 4, stride 2, bias) - LeakyReLU(0.2)
       - Conv(W -> 2W, 4, stride 2, no bias) - BN - LeakyReLU(0.2) - flatten - Dense(1)
    BN: momentum 0.9 (torch 0.1), epsilon 1e-5; init N(0, 0.02), BN gamma N(1, 0.02).
    Loss: non-saturating (softplus form of the cross-entropy); Adam(2e-4, beta_1 0.5) for each.

Variants (``--peers``; ganzoo is always measured):

* ``ganzoo``: ``GAN(...).fit(dataset)`` -- Keras's own training loop over a ``tf.data`` dataset
  of the in-memory images (autotune off), ``compile(jit_compile=XLA)``; with ``--precision``
  also under ganzoo's ``mixed_bfloat16`` policy (:mod:`ganzoo.distribution`).
* ``keras``: the loop everyone writes (keras.io "DCGAN"): a ``tf.function`` (``jit_compile=XLA``)
  with two ``GradientTape``s, iterating over the same ``tf.data`` dataset.
* ``torch``: plain PyTorch (eager; with XLA=1, the same step under ``torch.compile`` -- inductor's
  C++ backend on CPU; if it fails on this machine the row says so and why).

Update rules (``--rules``), the same in all three:

* ``simultaneous``: z -> G(z); D(real), D(fake) once; D's gradient of d_loss and G's gradient of
  g_loss from that one forward pass; both optimizers step.
* ``alternating``: D step on (real, stop_gradient(G(z))), then a fresh forward G(z) (same z) ->
  D(fake) with the *updated* D -> G's step (the DCGAN authors' order; ganzoo's ``alternating``).

Protocol. The MNIST train images are read once (``ganzoo.data.load_arrays``) into one ``.npy``
file; every measurement is its own subprocess (a Keras backend, an XLA setting and a dtype
policy are fixed at import / build), which runs ``--warmup`` steps (tracing, XLA / inductor
compilation, first-touch allocations) and then times ``--steps`` steps; the variants are
interleaved (each repeat runs every variant once, in a rotated order), ``--repeats`` times. For
ganzoo the clock is read by a callback at the end of batch ``warmup`` and of the last batch of one
``fit`` call, so neither ``fit``'s set-up nor its end (the tf.data autotune stall, see NOTES.md)
is timed. Figures are images per second (batch x steps / seconds); the ratio columns are
ganzoo / peer for the same rule and the same XLA setting, from the medians.

FLOP convention (the "GF/s" and "% peak" columns). Only the convolutions and dense layers count
(batch norm, activations, losses and the Adam updates are O(activations) and left out). One
multiply-add (MAC) = 2 FLOPs. A layer's forward MACs are those it really performs: a convolution
``H_out * W_out * C_in * C_out * k^2``; a *transposed* convolution
``H_in * W_in * C_in * C_out * k^2`` (= ``H_out * W_out * C_in * C_out * k^2 / stride^2``: every
output pixel gets k^2/s^2 taps per input channel -- counting it as a stride-1 conv over the
output, as a naive count does, overstates it 4x); a dense layer ``in * out``. A backward pass
through a layer costs one forward for the weight gradient (when that player's weights are
differentiated) plus one forward for the input gradient (when the gradient must flow further
back): "backward ~= 2 x forward", minus what is not needed -- no input gradient at G's first
layer (z) or D's first layer on real images, no weight gradient of D when only G is
differentiated. Per image, with F_G, F_D the forward MACs and f_G, f_D their first layers:

    simultaneous = F_G + 2 F_D                        forward: G(z), D(real), D(fake)
                 + 2 (2 F_D - f_D)                     d_loss -> D's weights, via D(real), D(fake)
                 + F_D                                 g_loss -> back through D(fake) (inputs only)
                 + (2 F_G - f_G)                       ... -> G's weights
    alternating  = simultaneous + F_G + F_D            G(z) again and D(fake) again in G's step

(Autodiff computes exactly these: ``tape.gradient(d_loss, D)`` and ``tape.gradient(g_loss, G)``
each walk back through D(fake), so the input gradients of D's upper layers on the fake batch are
computed twice in both rules; ``torch.autograd.grad`` does the same.) At W=32: F_G = 2.02 M,
F_D = 1.71 M MACs; a step is 17.5 M MACs per image simultaneous, 21.2 M alternating. These count
the step as written: under XLA the alternating step's second G(z) is merged with the first (same
z, same weights; see ``benchmarks/results/xla.md``), so it really does F_G less.

The machine's float32 peak is measured in the same run as the best FLOP/s of a ``--peak-size``
square float32 matmul in TensorFlow (2 n^3 FLOPs, best of 5; also bfloat16 when
``--precision`` asks for mixed_bfloat16). "% peak" is the step's FLOP/s over that float32 peak.

Run it on an idle machine: besides the usual noise, PyTorch's OpenMP threads collapse when other
processes compete for the cores (a smoke run beside a training: 2 threads took ~1.9 s a step at
W=32 where 1 thread took ~0.25 s).

Why ``jit_compile=True`` seemed to gain nothing for ganzoo while it sped up a hand-written loop
~1.5x (NOTES.md): see ``benchmarks/results/xla.md``. In short, ganzoo's step *is* compiled by XLA
as one cluster and is the same XLA program as the hand-written loop's; the loop that gained ran
the alternating rule, whose second forward pass of G XLA merges away, while ganzoo's jit figures
were for the simultaneous rule. This benchmark measures every (rule, XLA) pair side by side.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

LATENT = 100
KERNEL = 4
DEFAULT_BATCH = {32: 64, 128: 128}
LR, BETA_1 = 2e-4, 0.5
RULES = ("simultaneous", "alternating")
PEERS = ("keras", "torch")


# ------------------------------------------------------------------------------ FLOP count
def layer_macs(width, latent=LATENT, k=KERNEL):
    """Forward MACs per image of each weighted layer, ``(G's, D's)``, in order (see the module
    docstring for the convention)."""
    c2, c1 = 2 * width, width
    g = [latent * 7 * 7 * c2,              # Dense z -> 7x7x2W
         7 * 7 * c2 * c1 * k * k,          # ConvTranspose 7x7x2W -> 14x14xW (per input pixel)
         14 * 14 * c1 * 1 * k * k]         # ConvTranspose 14x14xW -> 28x28x1
    d = [14 * 14 * 1 * c1 * k * k,         # Conv 28x28x1 -> 14x14xW
         7 * 7 * c1 * c2 * k * k,          # Conv 14x14xW -> 7x7x2W
         7 * 7 * c2 * 1]                   # Dense -> 1 logit
    return g, d


def step_macs(width, rule):
    """MACs per image of one training step under ``rule`` (module docstring)."""
    g, d = layer_macs(width)
    fg, fd, g0, d0 = sum(g), sum(d), g[0], d[0]
    simultaneous = (fg + 2 * fd) + 2 * (2 * fd - d0) + fd + (2 * fg - g0)
    return simultaneous + (fg + fd if rule == "alternating" else 0)


# ------------------------------------------------------------------------------- the data
def prepare_data(args, path):
    """Child: MNIST train images via ganzoo.data, scaled to [-1, 1], the first ``--images`` of a
    fixed permutation, saved to ``path`` (each batch is then a contiguous slice)."""
    import ganzoo.data

    x, _ = ganzoo.data.load_arrays("mnist", "train", args.data_dir)
    x = np.asarray(x, np.float32).reshape(-1, 28, 28, 1) / 127.5 - 1.0
    x = x[np.random.default_rng(0).permutation(len(x))[:args.images]]
    np.save(path, np.ascontiguousarray(x))
    return {"images": int(len(x))}


def tf_dataset(x, batch):
    import tensorflow as tf

    ds = tf.data.Dataset.from_tensor_slices(x).batch(batch, drop_remainder=True).repeat()
    options = tf.data.Options()
    options.autotune.enabled = False  # the ~37 s end-of-fit stall (NOTES.md)
    return ds.with_options(options)


# ------------------------------------------------------------------------ Keras, by hand
def keras_pair(width):
    """ganzoo's DCGAN pair at ``width``, written out layer by layer with plain Keras layers."""
    import keras
    from keras import layers

    init = keras.initializers.RandomNormal(0.0, 0.02)

    def bn():
        return layers.BatchNormalization(momentum=0.9, epsilon=1e-5,
                                         gamma_initializer=keras.initializers.RandomNormal(1.0, 0.02))

    G = keras.Sequential([
        keras.Input((LATENT,)),
        layers.Dense(7 * 7 * 2 * width, use_bias=False, kernel_initializer=init), bn(),
        layers.ReLU(), layers.Reshape((7, 7, 2 * width)),
        layers.Conv2DTranspose(width, KERNEL, strides=2, padding="same", use_bias=False,
                               kernel_initializer=init), bn(), layers.ReLU(),
        layers.Conv2DTranspose(1, KERNEL, strides=2, padding="same", kernel_initializer=init),
        layers.Activation("tanh"),
    ])
    D = keras.Sequential([
        keras.Input((28, 28, 1)),
        layers.Conv2D(width, KERNEL, strides=2, padding="same", kernel_initializer=init),
        layers.LeakyReLU(0.2),
        layers.Conv2D(2 * width, KERNEL, strides=2, padding="same", use_bias=False,
                      kernel_initializer=init), bn(), layers.LeakyReLU(0.2),
        layers.Flatten(), layers.Dense(1, kernel_initializer=init),
    ])
    return G, D


def keras_step(G, D, rule, jit):
    """The hand-written ``tf.function`` training step (two GradientTapes)."""
    import keras
    import tensorflow as tf

    g_opt = keras.optimizers.Adam(LR, beta_1=BETA_1)
    d_opt = keras.optimizers.Adam(LR, beta_1=BETA_1)
    g_opt.build(G.trainable_variables)
    d_opt.build(D.trainable_variables)

    def d_loss_fn(real_logits, fake_logits):
        return (tf.reduce_mean(tf.nn.softplus(-real_logits))
                + tf.reduce_mean(tf.nn.softplus(fake_logits)))

    def g_loss_fn(fake_logits):
        return tf.reduce_mean(tf.nn.softplus(-fake_logits))

    def simultaneous(real):
        z = tf.random.normal((tf.shape(real)[0], LATENT))
        with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
            fake = G(z, training=True)
            real_logits, fake_logits = D(real, training=True), D(fake, training=True)
            d_loss, g_loss = d_loss_fn(real_logits, fake_logits), g_loss_fn(fake_logits)
        d_grads = d_tape.gradient(d_loss, D.trainable_variables)
        g_grads = g_tape.gradient(g_loss, G.trainable_variables)
        d_opt.apply_gradients(zip(d_grads, D.trainable_variables))
        g_opt.apply_gradients(zip(g_grads, G.trainable_variables))
        return d_loss, g_loss

    def alternating(real):
        z = tf.random.normal((tf.shape(real)[0], LATENT))
        fake = tf.stop_gradient(G(z, training=True))
        with tf.GradientTape() as d_tape:
            d_loss = d_loss_fn(D(real, training=True), D(fake, training=True))
        d_opt.apply_gradients(zip(d_tape.gradient(d_loss, D.trainable_variables),
                                  D.trainable_variables))
        with tf.GradientTape() as g_tape:
            g_loss = g_loss_fn(D(G(z, training=True), training=True))
        g_opt.apply_gradients(zip(g_tape.gradient(g_loss, G.trainable_variables),
                                  G.trainable_variables))
        return d_loss, g_loss

    body = {"simultaneous": simultaneous, "alternating": alternating}[rule]
    return tf.function(body, jit_compile=bool(jit))


# ---------------------------------------------------------------------------- PyTorch
def torch_pair(width):
    import torch
    from torch import nn

    class G(nn.Module):
        def __init__(self):
            super().__init__()
            self.project = nn.Linear(LATENT, 7 * 7 * 2 * width, bias=False)
            self.project_bn = nn.BatchNorm1d(7 * 7 * 2 * width, momentum=0.1, eps=1e-5)
            self.up0 = nn.ConvTranspose2d(2 * width, width, KERNEL, 2, padding=1, bias=False)
            self.up0_bn = nn.BatchNorm2d(width, momentum=0.1, eps=1e-5)
            self.to_image = nn.ConvTranspose2d(width, 1, KERNEL, 2, padding=1)

        def forward(self, z):
            x = torch.relu(self.project_bn(self.project(z))).view(-1, 2 * width, 7, 7)
            x = torch.relu(self.up0_bn(self.up0(x)))
            return torch.tanh(self.to_image(x))

    D = nn.Sequential(
        nn.Conv2d(1, width, KERNEL, 2, padding=1), nn.LeakyReLU(0.2),
        nn.Conv2d(width, 2 * width, KERNEL, 2, padding=1, bias=False),
        nn.BatchNorm2d(2 * width, momentum=0.1, eps=1e-5), nn.LeakyReLU(0.2),
        nn.Flatten(), nn.Linear(7 * 7 * 2 * width, 1),
    )
    g = G()
    for net in (g, D):
        for m in net.modules():
            if isinstance(m, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)):
                nn.init.normal_(m.weight, 0.0, 0.02)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
            elif isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
                nn.init.normal_(m.weight, 1.0, 0.02)
                nn.init.zeros_(m.bias)
    return g.train(), D.train()


def torch_step(G, D, rule):
    import torch
    import torch.nn.functional as F

    g_params, d_params = list(G.parameters()), list(D.parameters())
    g_opt = torch.optim.Adam(g_params, lr=LR, betas=(BETA_1, 0.999))
    d_opt = torch.optim.Adam(d_params, lr=LR, betas=(BETA_1, 0.999))

    def set_grads(params, grads):
        for p, grad in zip(params, grads):
            p.grad = grad

    def simultaneous(real):
        z = torch.randn(real.shape[0], LATENT)
        fake = G(z)
        real_logits, fake_logits = D(real), D(fake)
        d_loss = F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()
        g_loss = F.softplus(-fake_logits).mean()
        set_grads(d_params, torch.autograd.grad(d_loss, d_params, retain_graph=True))
        set_grads(g_params, torch.autograd.grad(g_loss, g_params))
        d_opt.step()
        g_opt.step()
        return d_loss.detach(), g_loss.detach()

    def alternating(real):
        z = torch.randn(real.shape[0], LATENT)
        with torch.no_grad():
            fake = G(z)
        d_loss = F.softplus(-D(real)).mean() + F.softplus(D(fake)).mean()
        set_grads(d_params, torch.autograd.grad(d_loss, d_params))
        d_opt.step()
        g_loss = F.softplus(-D(G(z))).mean()
        set_grads(g_params, torch.autograd.grad(g_loss, g_params))
        g_opt.step()
        return d_loss.detach(), g_loss.detach()

    return {"simultaneous": simultaneous, "alternating": alternating}[rule]


# ------------------------------------------------------------------------- measurements
def run_ganzoo(v, x, warmup, steps):
    import keras

    from ganzoo import distribution
    from ganzoo.gan import GAN
    from ganzoo.models import DCGANDiscriminator, DCGANGenerator

    keras.utils.set_random_seed(0)
    with distribution.precision(v["precision"]):
        gan = GAN(DCGANGenerator(width=v["width"]), DCGANDiscriminator(width=v["width"]),
                  update=v["rule"], seed=0)
        gan.compile(jit_compile=bool(v["xla"]))
    clock = {}

    class Clock(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch + 1 in (warmup, warmup + steps):
                clock[batch + 1] = time.perf_counter()

    history = gan.fit(tf_dataset(x, v["batch"]), steps_per_epoch=warmup + steps, epochs=1,
                      verbose=0, callbacks=[Clock()])
    seconds = clock[warmup + steps] - clock[warmup]
    return seconds, {"d_loss": history.history["d_loss"][-1],
                     "jit_compile": bool(gan.jit_compile)}


def timed_steps(step, batches, warmup, steps):
    """Seconds for ``steps`` calls of ``step`` after ``warmup`` untimed ones, and the last D
    loss; reading the loss as a float waits for the step to finish (a sync point)."""
    for _ in range(warmup):
        d_loss, _ = step(next(batches))
    float(d_loss)
    t = time.perf_counter()
    for _ in range(steps):
        d_loss, _ = step(next(batches))
    float(d_loss)
    return time.perf_counter() - t, float(d_loss)


def run_keras(v, x, warmup, steps):
    import keras

    keras.utils.set_random_seed(0)
    G, D = keras_pair(v["width"])
    step = keras_step(G, D, v["rule"], v["xla"])
    seconds, d_loss = timed_steps(step, iter(tf_dataset(x, v["batch"])), warmup, steps)
    return seconds, {"d_loss": d_loss}


def run_torch(v, x, warmup, steps):
    import torch

    torch.manual_seed(0)
    G, D = torch_pair(v["width"])
    step = torch_step(G, D, v["rule"])
    info = {"threads": torch.get_num_threads(), "torch": torch.__version__}
    if v["xla"]:
        step = torch.compile(step)
        info["compiled"] = "torch.compile (inductor)"
    xt = torch.from_numpy(x).permute(0, 3, 1, 2).contiguous()  # NCHW, as torch convs want
    b, n = v["batch"], len(x) // v["batch"]
    batches = (xt[(i % n) * b:(i % n + 1) * b] for i in range(warmup + steps))
    seconds, d_loss = timed_steps(step, batches, warmup, steps)
    return seconds, {"d_loss": d_loss, **info}


def measure(v, data, warmup, steps):
    """Child: one measurement of variant ``v``."""
    x = np.load(data)
    run = {"ganzoo": run_ganzoo, "keras": run_keras, "torch": run_torch}[v["peer"]]
    seconds, info = run(v, x, warmup, steps)
    return {"images_per_s": steps * v["batch"] / seconds, "seconds": seconds, **info}


def measure_peak(size, dtypes, repeats=5):
    """Child: the best FLOP/s of a ``size`` x ``size`` matmul in TensorFlow, per dtype."""
    import tensorflow as tf

    out = {}
    for dtype in dtypes:
        a = tf.random.normal((size, size), dtype=tf.float32)
        b = tf.random.normal((size, size), dtype=tf.float32)
        a, b = tf.cast(a, dtype), tf.cast(b, dtype)
        float(tf.reduce_sum(tf.cast(tf.linalg.matmul(a, b)[0, :8], tf.float32)))  # warm up
        best = float("inf")
        for _ in range(repeats):
            t = time.perf_counter()
            c = tf.linalg.matmul(a, b)
            float(tf.cast(c[0, 0], tf.float32))
            best = min(best, time.perf_counter() - t)
        out[dtype] = 2 * size**3 / best
    return out


# ------------------------------------------------------------------------------ driver
def child(argv, env, timeout=None):
    """Run this file with ``argv`` in a subprocess; its ``RESULT {json}`` line, or an error."""
    cmd = [sys.executable, os.path.abspath(__file__)] + argv
    try:
        run = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout} s"}
    lines = [line for line in run.stdout.splitlines() if line.startswith("RESULT ")]
    if run.returncode or not lines:
        tail = [line for line in run.stderr.strip().splitlines() if line.strip()][-6:]
        return {"error": f"exit {run.returncode}: " + " | ".join(tail)[-900:]}
    return json.loads(lines[-1][len("RESULT "):])


def variants(args):
    out = []
    for width in [int(w) for w in args.widths.split(",")]:
        batch = args.batch or DEFAULT_BATCH.get(width, 64)
        for rule in args.rules.split(","):
            for xla in [int(j) for j in args.xla.split(",")]:
                for precision in args.precision.split(","):
                    out.append(dict(peer="ganzoo", width=width, batch=batch, rule=rule, xla=xla,
                                    precision=precision))
                for peer in [p for p in args.peers.split(",") if p]:
                    out.append(dict(peer=peer, width=width, batch=batch, rule=rule, xla=xla,
                                    precision="float32"))
    return out


def label(v):
    xla = {"ganzoo": "jit", "keras": "jit", "torch": "compile"}[v["peer"]] if v["xla"] else "-"
    precision = "" if v["precision"] == "float32" else " bf16"
    return f"{v['peer']}{precision}", xla


def report(rows, peak, steps):
    f32 = peak.get("float32")
    print("\npeak: " + ", ".join(f"{k} matmul {v / 1e9:.0f} GFLOP/s" for k, v in peak.items())
          + f"; {steps} timed steps per measurement")
    print(f"{'W':>4} {'batch':>5} {'rule':<12} {'variant':<11} {'xla':<7} "
          f"{'MFLOP/img':>9}  images/s per repeat            median   GF/s  %peak")
    medians = {}
    for r in rows:
        figs = [f for f in r["images_per_s"] if f is not None]
        name, xla = label(r)
        head = (f"{r['width']:>4} {r['batch']:>5} {r['rule']:<12} {name:<11} {xla:<7} "
                f"{r['mflop_per_image']:>9.1f}  ")
        if not figs:
            print(head + "failed: " + (r["errors"][0] if r["errors"] else "?"))
            continue
        med = statistics.median(figs)
        medians[(r["width"], r["rule"], r["peer"], r["xla"], r["precision"])] = med
        gflops = med * r["mflop_per_image"] / 1e3
        pct = f"{100 * gflops * 1e9 / f32:5.1f}" if f32 else "    ?"
        print(head + " ".join(f"{f:7.0f}" for f in r["images_per_s"] if f is not None).ljust(30)
              + f" {med:7.0f} {gflops:6.1f} {pct}")
        if r["errors"]:
            print(" " * 44 + "(some repeats failed: " + r["errors"][0][:200] + ")")
    print("\nratio ganzoo / peer (medians; same width, rule and XLA setting, float32):")
    for (width, rule, peer, xla, precision), med in medians.items():
        if peer == "ganzoo":
            continue
        ours = medians.get((width, rule, "ganzoo", xla, "float32"))
        if ours:
            print(f"  W={width:<4} {rule:<12} xla={xla}  ganzoo / {peer:<6} = {ours / med:5.2f}")
    for (width, rule, peer, xla, precision), med in medians.items():
        if peer == "ganzoo" and precision != "float32":
            ours = medians.get((width, rule, "ganzoo", xla, "float32"))
            if ours:
                print(f"  W={width:<4} {rule:<12} xla={xla}  ganzoo {precision} / float32 = "
                      f"{med / ours:5.2f}")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data-dir", default="../shared/data/mnist")
    p.add_argument("--widths", default="32,128", help="comma list (batch 64 at 32, 128 at 128)")
    p.add_argument("--batch", type=int, default=None, help="one batch size for every width")
    p.add_argument("--rules", default=",".join(RULES))
    p.add_argument("--xla", default="0,1", help="comma list of 0,1 (TF jit_compile / "
                   "torch.compile)")
    p.add_argument("--peers", default=",".join(PEERS), help="besides ganzoo: keras,torch")
    p.add_argument("--precision", default="float32",
                   help="ganzoo's dtype policies, e.g. float32,mixed_bfloat16")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--steps", type=int, default=100, help="timed steps per measurement")
    p.add_argument("--warmup", type=int, default=10, help="untimed steps first (compilation)")
    p.add_argument("--images", type=int, default=12800, help="MNIST train images held in memory")
    p.add_argument("--peak-size", type=int, default=4096)
    p.add_argument("--timeout", type=float, default=1800, help="seconds per measurement")
    p.add_argument("--json", default=None, help="write every row, the peak and the settings here")
    p.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = p.parse_args(argv)

    if args.child:
        job = json.loads(args.child)
        if job["kind"] == "data":
            result = prepare_data(args, job["path"])
        elif job["kind"] == "peak":
            result = measure_peak(args.peak_size, job["dtypes"])
        else:
            result = measure(job["variant"], job["data"], args.warmup, args.steps)
        print("RESULT " + json.dumps(result), flush=True)
        return

    for rule in args.rules.split(","):
        if rule not in RULES:
            raise SystemExit(f"--rules: unknown rule {rule!r}; known: {', '.join(RULES)}")
    for peer in [p for p in args.peers.split(",") if p]:
        if peer not in PEERS:
            raise SystemExit(f"--peers: unknown peer {peer!r}; known: {', '.join(PEERS)}")
    base = [a for a in (sys.argv[1:] if argv is None else argv)]
    env = dict(os.environ, KERAS_BACKEND="tensorflow", TF_CPP_MIN_LOG_LEVEL="2")
    todo = variants(args)
    with tempfile.TemporaryDirectory(prefix="pair_speed-") as tmp:
        data = os.path.join(tmp, "mnist.npy")
        got = child(base + ["--child", json.dumps({"kind": "data", "path": data})], env)
        if "error" in got:
            raise SystemExit(f"could not load MNIST from {args.data_dir}: {got['error']}")
        dtypes = ["float32"] + (["bfloat16"] if "mixed_bfloat16" in args.precision else [])
        peak = child(base + ["--child", json.dumps({"kind": "peak", "dtypes": dtypes})], env)
        if "error" in peak:
            print(f"peak measurement failed: {peak['error']}")
            peak = {}
        print(f"{os.cpu_count()} CPUs; {got['images']} MNIST images in memory; "
              f"{len(todo)} variants x {args.repeats} repeats, {args.warmup} warm-up + "
              f"{args.steps} timed steps each", flush=True)
        results = {i: [] for i in range(len(todo))}
        errors = {i: [] for i in range(len(todo))}
        extra = {i: {} for i in range(len(todo))}
        for r in range(args.repeats):
            order = list(range(len(todo)))
            order = order[r % len(order):] + order[:r % len(order)]  # rotated: no fixed slot
            for i in order:
                v = todo[i]
                job = {"kind": "measure", "variant": v, "data": data}
                got = child(base + ["--child", json.dumps(job)], env, args.timeout)
                name, xla = label(v)
                if "error" in got:
                    results[i].append(None)
                    errors[i].append(got["error"])
                    print(f"  repeat {r + 1}: W={v['width']} {v['rule']} {name} xla={xla}: "
                          f"FAILED {got['error'][:300]}", flush=True)
                    continue
                results[i].append(round(got.pop("images_per_s"), 1))
                extra[i] = got
                print(f"  repeat {r + 1}: W={v['width']} {v['rule']} {name} xla={xla}: "
                      f"{results[i][-1]:.0f} images/s", flush=True)
    rows = [{**v, "images_per_s": results[i], "errors": errors[i],
             "mflop_per_image": 2 * step_macs(v["width"], v["rule"]) / 1e6,
             "last": extra[i]} for i, v in enumerate(todo)]
    report(rows, peak, args.steps)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"settings": vars(args), "cpus": os.cpu_count(), "peak_flops": peak,
                       "rows": rows}, f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main()
