"""ganzoo: a Keras 3 model zoo of GANs with pretrained checkpoints.

::

    import ganzoo
    ganzoo.list_models()                    # ['dcgan-mnist', ...]
    gan = ganzoo.load("dcgan-mnist")        # pretrained, offline from checkpoints/
    images = gan.sample(64, seed=0)         # float32 (64, 28, 28, 1) in [-1, 1]
    gan.fit(ganzoo.data.load("mnist", data_dir="../shared/data/mnist"), epochs=1)
    gan.save_pretrained("out/my-dcgan")
"""

__version__ = "0.1.0"

import os as _os  # noqa: E402

# TensorFlow's C++ start-up notices (CPU-feature guard, ...) are not ganzoo's output; an explicit
# TF_CPP_MIN_LOG_LEVEL from the user wins.
_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from ganzoo import _quiet  # noqa: E402

# ... nor are the lines TensorFlow's import writes to file descriptor 2 whatever that level says
# (absl's pre-init warning, the oneDNN notice): hidden during the import, every other line of it
# still shown (GANZOO_TF_LOGS=1 or `ganzoo --tf-logs` shows them; see ganzoo._quiet).
with _quiet.startup_notices_hidden(not _quiet.show_startup_logs()):
    # `ganzoo train --devices N` without a GPU: the CPU split into N devices before anything
    # starts the framework (see ganzoo.distribution)
    from ganzoo.distribution import prepare_cli_devices as _prepare_cli_devices

    _prepare_cli_devices()
    from ganzoo import data  # noqa: E402,F401
    from ganzoo.checkpoint import CheckpointError  # noqa: E402,F401
    from ganzoo.evaluation import evaluate  # noqa: E402,F401
    from ganzoo.gan import GAN  # noqa: E402,F401
    from ganzoo.loading import checkpoints_root, load  # noqa: E402,F401
    from ganzoo.zoo import create, list_models  # noqa: E402,F401


def model_info(name):
    """A dict describing an entry (or a checkpoint directory): name, description, dataset,
    hyper-parameters, checkpoint, training budget and metrics."""
    from ganzoo import checkpoint, loading
    from ganzoo.zoo import ENTRIES, canonical_name

    name = canonical_name(name)
    entry = ENTRIES.get(name) if isinstance(name, str) else None
    try:
        found = loading.resolve(name, local_only=True)
    except checkpoint.CheckpointNotFoundError:
        if entry is None:
            raise
        found = None  # an entry not trained (or not downloaded) here
    if entry is None:
        checkpoint.verify(found.directory, found.pin)
        meta = checkpoint.read_metadata(found.directory)
        return {"name": meta.get("name"), "dataset": meta.get("dataset"),
                "checkpoint": str(found.directory), "hparams": meta.get("hyperparameters", {}),
                "metrics": meta.get("metrics", {}), "training": meta.get("training", {}),
                "parameters": meta.get("parameters")}
    info = entry.summary()
    info.update(hparams=dict(entry.hparams), hub=f"{entry.hub_repo}@{entry.hub_revision}",
                paper=entry.paper, checkpoint=None, metrics={})
    if found is not None:
        meta = checkpoint.read_metadata(found.directory)
        info.update(checkpoint=str(found.directory), metrics=meta.get("metrics", {}),
                    training=meta.get("training", {}))
    return info
