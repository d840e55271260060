"""A few training steps of tiny GANs on N devices, for tests/test_distribution.py (run in a
process of its own: TF's logical devices must be configured, and JAX's XLA_FLAGS read, before the
framework starts).

    KERAS_BACKEND=tensorflow python tests/distributed_run.py --devices 2 --out run.npz

TF: N logical CPU devices, a ``tf.distribute.MirroredStrategy`` over them (ganzoo.distribution);
JAX: ``XLA_FLAGS=--xla_force_host_platform_device_count=N`` must be in the environment (the test
sets it), ``keras.distribution.DataParallel``. ``--devices 1``: no distribution at all (the
reference). Writes every scenario's per-step logs, all weights and optimizer variables after the
steps, and samples; ``--checkpoint DIR`` also saves the baseline as a checkpoint directory.
"""

import argparse
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

STEPS = 3
BATCH = 8  # the global batch of one D step

# name -> (techniques, discriminator options[, create() options]); every GAN is a DCGAN at
# width 4, latent 8. tests/test_distribution.py runs DEFAULT; the others are for manual checks.
SCENARIOS = {
    # batch norm in G and D: synchronized over the replicas (the global batch's statistics)
    "baseline": (None, {}),
    # a gradient penalty (input gradients per replica) with alternating updates, n_critic = 2
    # chunks of the global batch and interpolates drawn globally, and technique state (the EMA
    # of G, historical averages) updated after every step in every replica
    # Adam's epsilon is raised from keras's 1e-7 to 1e-5 here: Adam's step m / (sqrt(v) + eps)
    # is ~lr whatever the gradient's size, so a weight whose gradient is at rounding level (two
    # replicas sum in another order) moved +-lr at random, and the one- and two-device weights
    # once differed by 1.8e-4 (WGAN-GP's lr 1e-4, 3 steps) while their Adam moments agreed.
    # Not the whole story: with 1e-5 a full TF suite beside a training still failed once (G's
    # projection kernel, max 1.5e-4), while fresh-process runs agree within 1e-7 (open).
    "gp": ([{"name": "wgan_gp", "n_critic": 2}, "ema", "historical_averaging"], {},
           {"epsilon": 1e-5}),
    # a gradient penalty on input gradients taken per replica. (D without batch norm: on one TF
    # device Keras's moments stop the mean's gradient inside the variance -- exact to first
    # order, but a penalty's second-order gradient then differs slightly from the synchronized
    # batch norm's formula, which has none.)
    "r1": (["r1"], {"norm": None}),
    # G against D unrolled 5 steps ahead, the look-ahead's gradients averaged over the replicas.
    # Not in the default set: it agrees with one device more loosely (weights after 3 steps:
    # ~3e-6 under JAX, ~6e-5 under TF) -- G's gradients through the look-ahead are tiny and
    # Adam's scale-free step amplifies float rounding.
    "unrolled": (None, {"norm": None}, {"update": "unrolled"}),
}
DEFAULT = "baseline,gp"


def _devices_first(backend, devices):
    if backend == "tensorflow" and devices > 1:
        import tensorflow as tf

        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration() for _ in range(devices)])


def _values(variables):
    import numpy as np

    return [np.array(v.numpy()) for v in variables]


def _replica_copies_agree(gan):
    """TF: the largest difference between the replicas' copies of any mirrored variable."""
    import numpy as np

    worst = 0.0
    for v in gan.variables + gan.optimizer.variables:
        copies = getattr(v.value, "values", None)
        if not copies or len(copies) < 2:
            continue
        first = np.asarray(copies[0], dtype="float64")
        for other in copies[1:]:
            worst = max(worst, float(np.max(np.abs(first - np.asarray(other, "float64")))))
    return worst


def run(scenario, devices, checkpoint=None, steps=(0, STEPS), state=None, resume=None):
    """Train ``scenario`` on ``devices`` over the batches ``steps[0]:steps[1]`` of the fixed data;
    ``resume``: a training state (``save_weights``) to start from; ``state``: where to save the
    state before the last of the ``STEPS`` steps."""
    import keras
    import numpy as np
    import tensorflow as tf

    import ganzoo
    from ganzoo import distribution

    techniques, d_options, *extra = SCENARIOS[scenario]
    history = []

    class Record(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            history.append([float(logs[k]) for k in ("d_loss", "g_loss", "penalty")])
            if state and batch == STEPS - 2:  # the training state before the last step
                from ganzoo import backend

                backend.sync_state(self.model)
                self.model.save_weights(state)

    with distribution.scope(distribution=devices) as engine:
        keras.utils.set_random_seed(0)
        gan = ganzoo.create("dcgan", dataset="mnist", seed=0, techniques=techniques,
                            generator={"latent_dim": 8, "width": 4},
                            discriminator={"width": 4, **d_options}, **(extra or [{}])[0])
        if resume:
            gan.load_weights(resume)
        batch = BATCH * gan.n_critic
        x = np.random.default_rng(1).uniform(-1, 1, (STEPS * batch, 28, 28, 1)).astype("float32")
        x = x[steps[0] * batch:steps[1] * batch]
        initial = _values(gan.weights)
        data = tf.data.Dataset.from_tensor_slices(x).batch(batch, drop_remainder=True)
        gan.fit(data, epochs=1, verbose=0, callbacks=[Record()])
    out = {
        "logs": np.array(history),
        "initial": np.array(initial, dtype=object),
        "weights": np.array(_values(gan.weights), dtype=object),
        "optimizer": np.array(_values(gan.optimizer.variables), dtype=object),
        "names": np.array([v.path for v in gan.weights]),
        "samples": gan.sample(4, seed=0),
        "iterations": np.array([int(keras.ops.convert_to_numpy(gan.g_optimizer.iterations)),
                                int(keras.ops.convert_to_numpy(gan.d_optimizer.iterations))]),
        "replica_spread": np.array(_replica_copies_agree(gan)),
        "engine": np.array(type(engine).__name__),
    }
    if checkpoint:
        gan.save_pretrained(checkpoint, name=f"tiny-{scenario}")
    return out


def checks(devices, backend):
    """What the replicas draw, and a batch they cannot share (refused before training)."""
    import keras
    import numpy as np
    import tensorflow as tf

    import ganzoo
    from ganzoo import distribution

    out = {}
    with distribution.scope(distribution=devices) as engine:
        gan = ganzoo.create("dcgan", dataset="mnist", seed=0,
                            generator={"latent_dim": 8, "width": 4}, discriminator={"width": 4})
        x = np.zeros((18, 28, 28, 1), "float32")
        try:
            gan.fit(tf.data.Dataset.from_tensor_slices(x).batch(9, drop_remainder=True),
                    verbose=0)
            out["checks/odd_batch"] = np.array("trained")
        except ValueError as e:
            out["checks/odd_batch"] = np.array(str(e))
    if backend == "tensorflow" and engine is not None:
        # per replica: gan.draw (the global draw's slice) and a direct draw (folded seed)
        def draws():
            return (gan.draw(keras.random.normal, (2, 3)),
                    keras.random.normal((2, 3), seed=gan.seed_generator))

        state = np.array(gan.seed_generator.state.numpy())
        sliced, direct = engine.run(tf.function(draws))
        out["checks/sliced"] = np.array([np.asarray(t) for t in
                                         engine.experimental_local_results(sliced)])
        out["checks/direct"] = np.array([np.asarray(t) for t in
                                         engine.experimental_local_results(direct)])
        gan.seed_generator.state.assign(state)
        out["checks/global"] = np.asarray(keras.random.normal((2 * devices, 3),
                                                              seed=gan.seed_generator))
        out["checks/state"] = np.array(gan.seed_generator.state.numpy())
    return out


def main(argv=None):
    p = argparse.ArgumentParser()
    p.add_argument("--devices", type=int, default=1)
    p.add_argument("--out", required=True)
    p.add_argument("--scenarios", default=DEFAULT)
    p.add_argument("--checkpoint", default=None, help="save the baseline here")
    p.add_argument("--state", default=None,
                   help="save the baseline's training state before its last step here (resumed "
                        "elsewhere for that step)")
    args = p.parse_args(argv)
    backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    _devices_first(backend, args.devices)
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    import numpy as np

    results = {}
    for name in args.scenarios.split(","):
        ck, state = (args.checkpoint, args.state) if name == "baseline" else (None, None)
        for key, value in run(name, args.devices, ck, state=state).items():
            results[f"{name}/{key}"] = value
    results.update(checks(args.devices, backend))
    np.savez(args.out, **results)


if __name__ == "__main__":
    main()
