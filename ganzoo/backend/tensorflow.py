"""TensorFlow implementation of :mod:`ganzoo.backend` (see its docstring for the interface).

Data parallelism (``tf.distribute``: ``MirroredStrategy``, and the multi-worker and TPU strategies
through the same calls): Keras's trainer runs :func:`train_step` once per replica on the
replica's share of the global batch, and an optimizer sums the replicas' gradients. So that a
step on R replicas is the step of one device on the global batch:

- :func:`ganzoo.backend.gradients` divides each loss by R before differentiating (the summed
  gradient is the mean over the replicas of their per-replica means: the global batch's mean);
- batch norm uses the global batch's statistics (Keras's ``synchronized`` batch norm, switched on
  when the step is traced -- never saved in a GAN's config), so the replicas' moving
  statistics also stay identical (their variables are mirrored without aggregation: every
  replica writes its own copy);
- :func:`tensor_gradients` (the unrolled rule's look-ahead of D) averages its gradients over the
  replicas, so the simulated D steps are the global ones;
- the step's random draws are the global batch's, sliced per replica (``GAN.draw``), and any
  other draw is folded with the replica index (:class:`ganzoo.distribution.StepSeedGenerator`).
"""

import keras
import tensorflow as tf


def gradients(loss_fn, variable_lists):
    """Run ``loss_fn`` once under a tape; differentiate ``losses[i]`` w.r.t. ``variable_lists[i]``."""
    with tf.GradientTape(persistent=len(variable_lists) > 1) as tape:
        losses, aux = loss_fn()
    if len(losses) != len(variable_lists):
        raise ValueError(
            f"loss_fn returned {len(losses)} losses for {len(variable_lists)} variable lists"
        )
    grads = [tape.gradient(loss, variables) for loss, variables in zip(losses, variable_lists)]
    del tape
    return (losses, aux), grads


def input_gradient(fn, x):
    """Return ``fn(x)`` and ``d sum(fn(x)) / dx``; differentiable again (for penalties)."""
    x = tf.convert_to_tensor(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = fn(x)
        total = tf.reduce_sum(y)
    return y, tape.gradient(total, x)


def tensor_gradients(fn, tensors):
    """``fn(tensors)`` (a scalar) and its gradient w.r.t. each tensor of ``tensors``, taken on a
    tape of its own: an enclosing tape (:func:`gradients`) records that computation too, so the
    gradients stay differentiable (second order)."""
    tensors = [tf.convert_to_tensor(t) for t in tensors]
    with tf.GradientTape(watch_accessed_variables=False) as tape:
        for t in tensors:
            tape.watch(t)
        value = fn(tensors)
    grads = tape.gradient(value, tensors, unconnected_gradients=tf.UnconnectedGradients.ZERO)
    context = tf.distribute.get_replica_context()
    if context is not None and context.num_replicas_in_sync > 1:  # the global batch's gradient
        grads = context.all_reduce(tf.distribute.ReduceOp.MEAN, grads)
    return value, grads


def apply_gradients(optimizer, grads, variables):
    optimizer.apply_gradients(zip(grads, variables))


def replica():
    context = tf.distribute.get_replica_context()
    if context is None or context.num_replicas_in_sync == 1:
        return 0, 1
    return context.replica_id_in_sync_group, context.num_replicas_in_sync


def replicas(model):
    return model.distribute_strategy.num_replicas_in_sync


_STRATEGIES = {}


def split_cpu(devices):
    """Without a GPU, split the CPU into ``devices`` logical devices if TensorFlow has not
    started yet (nothing is done otherwise)."""
    if tf.config.list_physical_devices("GPU"):
        return
    cpu = tf.config.list_physical_devices("CPU")[0]
    if tf.config.get_logical_device_configuration(cpu) is None:
        try:
            tf.config.set_logical_device_configuration(
                cpu, [tf.config.LogicalDeviceConfiguration() for _ in range(devices)])
        except RuntimeError:  # TensorFlow has started: its devices are fixed
            pass


def data_parallel(devices):
    """A ``tf.distribute.MirroredStrategy`` over the first ``devices`` GPUs; without a GPU, over
    ``devices`` logical CPU devices, split from the CPU here when TensorFlow has not started yet
    (it uses every core either way: for trying and testing data parallelism, not for speed). One
    strategy per device set and process: a second ``MirroredStrategy`` over the same devices
    reuses the first one's collective keys, and their all-reduces then get mixed up at run time.
    """
    kind = "GPU" if tf.config.list_physical_devices("GPU") else "CPU"
    if kind == "CPU":
        split_cpu(devices)
    found = tf.config.list_logical_devices(kind)
    if devices > len(found):
        raise ValueError(
            f"{devices} devices asked for, but TensorFlow sees {len(found)}: "
            f"{', '.join(d.name for d in found)}"
            + (". Without a GPU, split the CPU before TensorFlow starts "
               "(tf.config.set_logical_device_configuration)" if kind == "CPU" else ""))
    names = tuple(d.name for d in found[:devices])
    if names not in _STRATEGIES:
        _STRATEGIES[names] = tf.distribute.MirroredStrategy(list(names))
    return _STRATEGIES[names]


def prepare_dataset(model, x):
    """With several replicas and ``n_critic`` > 1, reorder each global batch of a ``tf.data``
    dataset so that replica r's k-th critic chunk is its share of the global k-th chunk
    (``tf.distribute`` gives each replica a contiguous slice of the batch)."""
    n, r = model.n_critic, replicas(model)
    if n == 1 or r == 1 or not isinstance(x, tf.data.Dataset):
        return x

    def interleave(t):
        shape = tf.shape(t)
        t = tf.reshape(t, tf.concat([[n, r, shape[0] // (n * r)], shape[1:]], 0))
        perm = [1, 0] + list(range(2, len(t.shape)))
        return tf.reshape(tf.transpose(t, perm), shape)

    return x.map(lambda *batch: tf.nest.map_structure(interleave, batch[0] if len(batch) == 1
                                                      else batch))


def _synchronize_batch_norm(model):
    """Batch norm over the global batch: Keras's ``synchronized`` batch norm (all-reduced
    moments) in every ``BatchNormalization`` layer of ``model``. Set when the step is first traced
    in a replica and left on: the replicas trace concurrently (a flag switched back off could
    leave a replica tracing an unsynchronized layer), and a model keeps its strategy for life.
    ganzoo's GAN saves no layer's ``synchronized`` (see ``ganzoo.distribution.portable_config``)."""
    for layer in model._flatten_layers():
        if isinstance(layer, keras.layers.BatchNormalization) and not layer.synchronized:
            layer.synchronized = True


def train_step(model, data):
    """TF's trainer calls ``train_step(data)`` inside a ``tf.function`` (in each replica under
    ``tf.distribute``): run the body, with batch norm synchronized over the replicas."""
    if replica()[1] > 1:
        _synchronize_batch_norm(model)
    return model.step(data)


def sync_state(model):
    """Variables are updated in place under TF: nothing to do."""
