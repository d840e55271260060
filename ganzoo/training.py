"""Resumable training of a zoo entry (what ``ganzoo train`` runs).

State lives in ``<out>/train_state/``: ``state.weights.h5`` (G, D, both optimizers' moments and
step counters, the step's latent seed state) and ``progress.json`` (epoch, step within the epoch,
images seen, wall time). It is written every ``save_every`` seconds and at each epoch's end, so a
run killed at any moment loses at most a few minutes. Re-running the same command continues from
there: the data order of every epoch is fixed by ``seed + epoch``, and the batches already seen in
the interrupted epoch are skipped. At the end the checkpoint files are written to ``<out>/``.
"""

import functools
import json
import os
import platform
import shlex
import sys
import time
from pathlib import Path

import keras

from ganzoo import backend, data
from ganzoo.checkpoint import save_sample_image
from ganzoo.zoo import create, get_entry

STATE_DIR = "train_state"


def machine_description():
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} CPU cores ({cpu}), {platform.system()}, Keras {keras.__version__} / {keras.config.backend()}"


class _StateSaver(keras.callbacks.Callback):
    def __init__(self, run, every):
        super().__init__()
        self.run, self.every = run, every
        self.last = time.monotonic()

    def on_train_batch_end(self, batch, logs=None):
        self.run.advance(1)
        if self.run.out_of_time():
            self.model.stop_training = True
        if time.monotonic() - self.last >= self.every or self.model.stop_training:
            backend.sync_state(self.model)
            self.run.save_state()
            self.last = time.monotonic()


class TrainingRun:
    def __init__(self, name, out, epochs=None, data_dir=None, batch_size=None, save_every=180.0,
                 max_minutes=None, steps_per_epoch=None, verbose="auto", command=None):
        self.entry = get_entry(name)
        hp = self.entry.hparams
        self.out = Path(out)
        self.state_dir = self.out / STATE_DIR
        self.epochs = int(epochs or hp.get("epochs", 1))
        self.batch_size = int(batch_size or hp.get("batch_size", 64))
        self.data_dir = data_dir
        self.seed = int(hp.get("seed", 0))
        self.save_every = float(save_every)
        self.deadline = None if max_minutes is None else time.monotonic() + 60 * float(max_minutes)
        self.steps_per_epoch = steps_per_epoch
        self.verbose = verbose
        self.command = command
        keras.utils.set_random_seed(self.seed)  # weight init (and TF/NumPy RNGs) from the entry's seed
        self.gan = create(name)
        # one train step consumes n_critic per-step batches (WGAN-GP's critic steps)
        self.step_batch = self.batch_size * self.gan.n_critic
        self.progress = {"epoch": 0, "step": 0, "images_seen": 0, "wall_time_s": 0.0,
                         "sessions": 0, "batch_size": self.batch_size, "entry": name}
        self._clock = time.monotonic()
        self._resume()

    # ------------------------------------------------------------------------------- state
    def _resume(self):
        path = self.state_dir / "progress.json"
        if not path.exists():
            return
        progress = json.loads(path.read_text())
        if progress.get("entry") != self.entry.name or progress.get("batch_size") != self.batch_size:
            raise ValueError(
                f"{self.state_dir} holds a run of {progress.get('entry')!r} with batch size "
                f"{progress.get('batch_size')}; this command trains {self.entry.name!r} with batch "
                f"size {self.batch_size}. Use another --out, or delete {self.state_dir}."
            )
        self.gan.build_optimizers()
        self.gan.load_weights(self.state_dir / "state.weights.h5")
        self.progress = progress
        print(f"Resuming {self.entry.name} from {self.state_dir}: epoch {progress['epoch']}, "
              f"step {progress['step']}, {progress['images_seen']} images seen", flush=True)

    def advance(self, steps):
        self.progress["step"] += steps
        self.progress["images_seen"] += steps * self.step_batch

    def out_of_time(self):
        return self.deadline is not None and time.monotonic() >= self.deadline

    def save_state(self):
        now = time.monotonic()
        self.progress["wall_time_s"] = round(self.progress["wall_time_s"] + now - self._clock, 1)
        self._clock = now
        self.state_dir.mkdir(parents=True, exist_ok=True)
        tmp = self.state_dir / "state.tmp.weights.h5"
        self.gan.save_weights(tmp)
        os.replace(tmp, self.state_dir / "state.weights.h5")
        tmp = self.state_dir / "progress.tmp.json"
        tmp.write_text(json.dumps(self.progress, indent=2) + "\n")
        os.replace(tmp, self.state_dir / "progress.json")

    # ---------------------------------------------------------------------------- training
    @functools.cached_property
    def epoch_steps(self):
        """Batches per epoch (reads the split once)."""
        n = len(data.load_arrays(self.entry.dataset, "train", self.data_dir)[1])
        full = n // self.step_batch
        return min(full, self.steps_per_epoch) if self.steps_per_epoch else full

    def run(self):
        steps = self.epoch_steps
        self.progress["sessions"] += 1
        while self.progress["epoch"] < self.epochs:  # the deadline is checked after each batch
            epoch, done = self.progress["epoch"], self.progress["step"]
            if done < steps:
                ds = data.load(self.entry.dataset, "train", batch_size=self.step_batch,
                               data_dir=self.data_dir, seed=self.seed + epoch,
                               skip_batches=done).take(steps - done)
                self.gan.fit(ds, epochs=epoch + 1, initial_epoch=epoch,
                             callbacks=[_StateSaver(self, self.save_every)], verbose=self.verbose)
            if self.progress["step"] >= steps:
                self.progress["epoch"] += 1
                self.progress["step"] = 0
                self.save_state()
                save_sample_image(self.gan, self.entry.dataset,
                                  self.state_dir / f"samples_epoch{self.progress['epoch']:03d}.png")
            if self.out_of_time():
                break
        self.save_state()
        if self.progress["epoch"] >= self.epochs:
            self.write_checkpoint()
            return True
        print(f"Stopped after {self.progress['images_seen']} images (epoch {self.progress['epoch']}, "
              f"step {self.progress['step']}); run the same command again to continue.", flush=True)
        return False

    def write_checkpoint(self):
        p, hp = self.progress, dict(self.entry.hparams)
        hp.update(batch_size=self.batch_size, epochs=self.epochs)
        training = {
            "command": self.command or "ganzoo " + " ".join(shlex.quote(a) for a in sys.argv[1:]),
            "dataset": f"{self.entry.dataset} train split ({self.epoch_steps * self.step_batch} "
                       "images per epoch)",
            "epochs": p["epoch"],
            "images_seen": p["images_seen"],
            "wall_time_minutes": round(p["wall_time_s"] / 60, 1),
            "sessions": p["sessions"],
            "machine": machine_description(),
        }
        self.gan.save_pretrained(
            self.out, name=self.entry.name, dataset=self.entry.dataset,
            description=self.entry.description, training=training, hyperparameters=hp,
            notes=self.entry.notes, paper=self.entry.paper, license=self.entry.license,
        )
        print(f"Wrote checkpoint {self.out}", flush=True)


def train(name, out, **kwargs):
    """Train (or continue training) entry ``name`` into ``out``; True when all epochs are done."""
    return TrainingRun(name, out, **kwargs).run()
