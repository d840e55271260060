"""Resumable training of a zoo entry (what ``ganzoo train`` runs).

State lives in ``<out>/train_state/``: ``state.weights.h5`` (G, D, both optimizers' moments and
step counters, the step's latent seed state) and ``progress.json`` (epoch, step within the epoch,
images seen, wall time). It is written every ``save_every`` seconds and at each epoch's end, so a
run killed at any moment loses at most a few minutes. Re-running the same command continues from
there: the data order of every epoch is fixed by ``seed + epoch``, and the batches already seen in
the interrupted epoch are skipped. At the end the checkpoint files are written to ``<out>/``.

``distribution=N`` (``--devices N``) trains data-parallel on N local devices, or on an engine of
one's own (a ``tf.distribute`` strategy, a ``keras.distribution.Distribution``); ``precision=``
(``--precision``) picks the Keras dtype policy. See :mod:`ganzoo.distribution`: the batch size is
the global batch and the step is the one-device step on it, so a run may resume on another number
of devices; it resumes only in its own precision.
"""

import contextlib
import functools
import json
import os
import platform
import shlex
import sys
import tempfile
import time
from pathlib import Path

import keras

try:
    import fcntl
except ImportError:  # not POSIX: no lock against a second trainer on the same --out
    fcntl = None

from ganzoo import backend, data, guards, validation
from ganzoo import distribution as distribution_lib
from ganzoo.checkpoint import RUN_ENTRIES, check_destination, save_sample_image
from ganzoo.zoo import get_entry
from ganzoo.zoo.registry import build, run_steps

STATE_DIR, LOCK_FILE = RUN_ENTRIES


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


class TrainingError(RuntimeError):
    """A training run cannot start or continue (its --out is busy, unwritable, or not its own)."""


class _StateSaver(keras.callbacks.Callback):
    """Counts the run's steps and saves its state every ``every`` seconds. Keras calls
    ``on_train_batch_end`` once per compiled call, with the index (in this ``fit``) of the call's
    last step: one call may have run several steps (``steps_per_execution``), and a call cut
    short by the end of the data is reported as if it were whole -- hence ``total``, the steps
    this ``fit`` is given."""

    def __init__(self, run, every, total):
        super().__init__()
        self.run, self.every, self.total = run, every, total
        self.last = time.monotonic()
        self.steps = 0  # steps of this fit call counted so far

    def on_train_batch_end(self, batch, logs=None):
        done = min(batch + 1, self.total)
        self.run.advance(done - self.steps)
        self.steps = done
        if self.run.out_of_time():
            self.model.stop_training = True
        if time.monotonic() - self.last >= self.every or self.model.stop_training:
            backend.sync_state(self.model)
            self.run.save_state()
            self.last = time.monotonic()


class _RunProgbar(keras.callbacks.ProgbarLogger):
    """Keras's progress bar, numbering epochs out of the whole run: the run calls ``fit`` once per
    epoch (``epochs=epoch + 1, initial_epoch=epoch``), which Keras's own bar shows as "Epoch 18/18"
    where the user wants "Epoch 18/50"."""

    def __init__(self, total_epochs):
        super().__init__()
        self.total_epochs = total_epochs

    def set_params(self, params):
        super().set_params(params)
        self.epochs = self.total_epochs


def _or(value, default, check, name):
    """``default`` when ``value`` is None (not when it is 0), else ``check(value, name)``."""
    return default if value is None else check(value, name)


def _claim_output(out, overwrite):
    """Check ``out`` before any work: a folder (created if needed) that is writable, that holds
    nothing but a checkpoint and this run's state (unless ``overwrite``), and that no other
    ``ganzoo train`` is writing to. Returns the open lock file (held until the process ends or
    :meth:`TrainingRun.close`): an ``flock`` that the kernel releases even after ``kill -9``."""
    try:
        check_destination(out, overwrite, what="training run")
        out.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=out, prefix=".ganzoo-write-test-")
        probe.close()
        lock = open(out / LOCK_FILE, "a+")
    except (OSError, ValueError) as e:
        raise TrainingError(f"cannot train into --out {out}: {e}") from e
    if fcntl is not None:
        try:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            lock.seek(0)
            holder = lock.read().strip() or "unknown process"
            lock.close()
            raise TrainingError(
                f"another `ganzoo train` is writing to {out} ({holder}); wait for it to finish, "
                "stop it, or use another --out") from None
    lock.seek(0)
    lock.truncate()
    lock.write(f"pid {os.getpid()} on {platform.node()}, started "
               f"{time.strftime('%Y-%m-%d %H:%M:%S')}\n")
    lock.flush()
    return lock


class TrainingRun:
    """One resumable run of a zoo entry into ``out`` (see the module docstring)."""

    def __init__(self, name, out, epochs=None, data_dir=None, batch_size=None, save_every=180.0,
                 max_minutes=None, steps_per_epoch=None, verbose="auto", command=None,
                 overwrite=False, seed=None, quality_every=1, distribution=None, precision=None):
        self.entry = get_entry(name)
        hp = self.entry.hparams
        self.out = Path(out)
        self.state_dir = self.out / STATE_DIR
        self.epochs = _or(epochs, int(hp.get("epochs", 1)), validation.positive_int, "epochs")
        self.batch_size = _or(batch_size, int(hp.get("batch_size", 64)), validation.positive_int,
                              "batch_size")
        self.steps_per_epoch = _or(steps_per_epoch, None, validation.positive_int, "steps_per_epoch")
        self.save_every = validation.nonnegative_float(save_every, "save_every (seconds)")
        max_minutes = _or(max_minutes, None, validation.nonnegative_float, "max_minutes")
        self.data_dir = data_dir
        # a training-curve point (ganzoo.curves) every this many epochs; 0: none
        self.quality_every = _or(quality_every, 1, validation.nonnegative_int, "quality_every")
        self._probe = None
        # the run's seed: weight init, data order (seed + epoch) and the step's latent sampler
        self.seed = _or(seed, int(hp.get("seed", 0)), validation.nonnegative_int, "seed")
        self.deadline = None if max_minutes is None else time.monotonic() + 60 * max_minutes
        self.verbose = verbose
        self.command = command
        # data parallelism (a number of devices, or a strategy / keras Distribution of one's own)
        # and the dtype policy: how the run computes, checked before any work
        self.precision = distribution_lib.check_precision(precision)
        self.engine = distribution_lib.engine(distribution)
        self.devices = distribution_lib.engine_replicas(self.engine)
        if self.batch_size % self.devices:
            raise ValueError(f"the batch size {self.batch_size} is the global batch, split evenly "
                             f"over the {self.devices} devices: use a multiple of {self.devices}")
        self._lock = _claim_output(self.out, overwrite)
        keras.utils.set_random_seed(self.seed)  # weight init (and TF/NumPy RNGs) from the entry's seed
        # the learning-rate decay (if any) spans this run's steps, not the entry's default budget
        with self.on_devices(), distribution_lib.precision(self.precision):
            self.gan = build(self.entry, self.seed, total_steps=run_steps(
                self.entry, self.epochs, self.steps_per_epoch, self.batch_size))
        # one train step consumes n_critic per-step batches (WGAN-GP's critic steps)
        self.step_batch = self.batch_size * self.gan.n_critic
        self.progress = {"epoch": 0, "step": 0, "images_seen": 0, "wall_time_s": 0.0,
                         "sessions": 0, "batch_size": self.batch_size, "entry": name,
                         "seed": self.seed, "precision": self.precision}
        self._clock = time.monotonic()
        with self.on_devices():
            self._resume()

    def on_devices(self):
        """The run's data-parallel engine scope (a no-op on one device): the GAN is built,
        restored and trained in it."""
        return self.engine.scope() if self.engine is not None else contextlib.nullcontext()

    # ------------------------------------------------------------------------------- state
    def _resume(self):
        path = self.state_dir / "progress.json"
        if not path.exists():
            return
        progress = json.loads(path.read_text())
        theirs = (progress.get("entry"), progress.get("batch_size"), progress.get("seed", self.seed))
        if theirs != (self.entry.name, self.batch_size, self.seed):
            raise ValueError(
                f"{self.state_dir} holds a run of {theirs[0]!r} with batch size {theirs[1]}, seed "
                f"{theirs[2]}; this command trains {self.entry.name!r} with batch size "
                f"{self.batch_size}, seed {self.seed}. Use another --out, or delete "
                f"{self.state_dir}."
            )
        if progress.get("precision", "float32") != self.precision:
            raise ValueError(
                f"{self.state_dir} holds a run trained with precision "
                f"{progress.get('precision', 'float32')}; this command asks for {self.precision}. "
                "Continue it in the same precision (the number of devices may change), or use "
                f"another --out.")
        self.gan.build_optimizers()
        self.gan.load_weights(self.state_dir / progress.get("state_file", "state.weights.h5"))
        self.progress = progress
        print(f"Resuming {self.entry.name} from {self.state_dir}: epoch {progress['epoch']}, "
              f"step {progress['step']}, {progress['images_seen']} images seen", flush=True)

    def _last_good_state(self):
        """``"last good state (epoch E, step S)"`` as committed in ``progress.json``, or None."""
        path = self.state_dir / "progress.json"
        if not path.exists():
            return None
        kept = json.loads(path.read_text())
        return f"last good state (epoch {kept['epoch']}, step {kept['step']})"

    def advance(self, steps):
        self.progress["step"] += steps
        self.progress["images_seen"] += steps * self.step_batch

    def out_of_time(self):
        return self.deadline is not None and time.monotonic() >= self.deadline

    def save_state(self):
        """Write the training state; ``progress.json`` is the commit point.

        The weights go to a new file ``state-<n>.weights.h5`` first; then ``progress.json``, which
        names that file, is replaced atomically; then older weight files are removed. A run killed
        at any moment leaves a consistent (weights, progress) pair. Non-finite weights are never
        written; a full disk removes the partial file and says which step is kept.
        """
        guards.check_finite_weights(self.gan.weights, f"{self.entry.name} (training state)")
        now = time.monotonic()
        progress = dict(self.progress)
        progress["wall_time_s"] = round(progress["wall_time_s"] + now - self._clock, 1)
        progress["saves"] = progress.get("saves", 0) + 1
        progress["state_file"] = f"state-{progress['saves']:06d}.weights.h5"
        weights = self.state_dir / progress["state_file"]
        tmp = self.state_dir / "progress.tmp.json"
        try:
            self.state_dir.mkdir(parents=True, exist_ok=True)
            self.gan.save_weights(weights)
            tmp.write_text(json.dumps(progress, indent=2) + "\n")
            os.replace(tmp, self.state_dir / "progress.json")
        except OSError as e:
            for f in (weights, tmp):
                f.unlink(missing_ok=True)
            kept = self._last_good_state()
            raise TrainingError(
                f"could not write the training state to {self.state_dir}: {e}. "
                + (f"The {kept} is kept; free space and re-run the same command to continue "
                   "from it." if kept else "No earlier state exists.")
            ) from e
        self.progress, self._clock = progress, now
        for old in self.state_dir.glob("state*.weights.h5"):
            if old.name != progress["state_file"]:
                old.unlink(missing_ok=True)

    # ---------------------------------------------------------------------------- training
    @functools.cached_property
    def epoch_steps(self):
        """Batches per epoch (reads the split once)."""
        n = len(data.load_arrays(self.entry.dataset, "train", self.data_dir)[1])
        full = n // self.step_batch
        return min(full, self.steps_per_epoch) if self.steps_per_epoch else full

    def close(self):
        """Release ``--out`` for another run (also done when the process ends)."""
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def run(self):
        try:
            return self._run()
        finally:
            self.close()

    def _run(self):
        steps = self.epoch_steps
        if steps < 1:
            raise ValueError(
                f"an epoch of {self.entry.dataset} has fewer images than one training step "
                f"({self.step_batch}): lower --batch-size")
        self.progress["sessions"] += 1
        while self.progress["epoch"] < self.epochs:  # the deadline is checked after each batch
            epoch, done = self.progress["epoch"], self.progress["step"]
            if done < steps:
                ds = data.load(self.entry.dataset, "train", batch_size=self.step_batch,
                               data_dir=self.data_dir, seed=self.seed + epoch,
                               skip_batches=done,
                               labels=self.gan.needs_labels).take(steps - done)
                try:
                    with self.on_devices():
                        saver = _StateSaver(self, self.save_every, steps - done)
                        fitted = self.gan.fit(ds, epochs=epoch + 1, initial_epoch=epoch,
                                              callbacks=[saver, _RunProgbar(self.epochs)],
                                              verbose=self.verbose)
                except guards.NonFiniteError as e:
                    kept = self._last_good_state()
                    kept = (f"the {kept} is kept in {self.state_dir}" if kept
                            else "no training state was saved")
                    spe = guards.steps_per_call(self.gan)  # the failing call's steps follow
                    where = guards.call_span(self.progress["step"] + spe, spe, steps)
                    raise guards.NonFiniteError(
                        f"{self.entry.name}: {e} That is {where} of epoch "
                        f"{epoch + 1} of this run; {kept}, and no checkpoint was written."
                    ) from None
            if self.progress["step"] >= steps:
                self.progress["epoch"] += 1
                self.progress["step"] = 0
                logs = ({k: v[-1] for k, v in fitted.history.items() if v}
                        if done < steps else {})
                self._curve_point(logs)
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

    def _curve_point(self, logs):
        """Append the finished epoch's record to the run's history (:mod:`ganzoo.curves`)."""
        from ganzoo import curves

        epoch = self.progress["epoch"]
        quality = None
        if self.quality_every and epoch % self.quality_every == 0:
            if self._probe is None:
                self._probe = curves.QualityProbe(self.entry.dataset, self.data_dir)
            quality = self._probe.measure(self.gan)
        wall = self.progress["wall_time_s"] + time.monotonic() - self._clock
        self.progress.setdefault("history", []).append(
            curves.record(epoch, self.progress["images_seen"], wall, logs, quality))

    def write_checkpoint(self):
        p, hp = self.progress, dict(self.entry.hparams)
        hp.update(batch_size=self.batch_size, epochs=self.epochs, seed=self.seed)
        training = {
            "command": self.command or "ganzoo " + " ".join(shlex.quote(a) for a in sys.argv[1:]),
            "dataset": f"{self.entry.dataset} train split ({self.epoch_steps * self.step_batch} "
                       "images per epoch)",
            "epochs": p["epoch"],
            "images_seen": p["images_seen"],
            "wall_time_minutes": round(p["wall_time_s"] / 60, 1),
            "sessions": p["sessions"],
            "machine": machine_description(),
            "devices": self.devices,
            "precision": self.precision,
        }
        if p.get("history"):
            training["history"] = p["history"]
        self.gan.save_pretrained(
            self.out, name=self.entry.name, dataset=self.entry.dataset,
            description=self.entry.description, training=training, hyperparameters=hp,
            notes=self.entry.notes, paper=self.entry.paper, license=self.entry.license,
        )
        print(f"Wrote checkpoint {self.out}", flush=True)


def train(name, out, **kwargs):
    """Train (or continue training) entry ``name`` into ``out``; True when all epochs are done."""
    return TrainingRun(name, out, **kwargs).run()
