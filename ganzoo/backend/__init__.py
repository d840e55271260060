"""The one place in ganzoo that touches a backend's autodiff.

Every technique is written once in ``keras.ops``. What differs between backends is *how gradients
are taken*: a ``tf.GradientTape`` under TensorFlow, ``jax.grad`` under JAX, ``torch.autograd`` under
PyTorch. This package hides that behind a small functional interface; the GAN engine, losses and
techniques import only from here, never from ``tensorflow`` / ``jax`` / ``torch`` directly.

Interface (same names in every implementation module):

``gradients(loss_fn, variable_lists, optimizers=None) -> (outputs, grads_per_list)``
    ``loss_fn()`` returns ``(losses, aux)`` where ``losses`` is a list with one scalar per entry of
    ``variable_lists``. Returns ``(losses, aux)`` and, for each ``i``, the gradient of ``losses[i]``
    with respect to ``variable_lists[i]`` -- one forward pass, several players. Each loss is
    differentiated as ``optimizers[i]`` will apply it
    (:func:`ganzoo.backend.common.scaled_gradients`: divided by the replicas in sync under
    ``tf.distribute``, scaled by a ``LossScaleOptimizer``).

``apply_gradients(optimizer, grads, variables)``
    ``optimizer``'s update of ``variables`` (the list it was built on) with ``grads``: its
    ``apply_gradients`` under TF and torch; under JAX its ``stateless_apply`` on the traced values
    (a ``LossScaleOptimizer`` branches with ``ops.cond``, which a stateful update inside the
    traced step cannot do).

``replica() -> (index, count)``
    This replica's index and the number of replicas in sync when the code runs in one replica of
    a data-parallel ``tf.distribute`` step; ``(0, 1)`` everywhere else (JAX's
    ``keras.distribution`` runs ONE program over the global batch, sharded by XLA).

``data_parallel(devices)``
    The framework's own data-parallel engine over ``devices`` devices (TF: a
    ``tf.distribute.MirroredStrategy``; JAX: ``keras.distribution.DataParallel``; torch: refused);
    see :mod:`ganzoo.distribution`.

``split_cpu(devices)``
    Without an accelerator, make the CPU ``devices`` devices if the framework has not started
    yet (TF: logical devices; JAX: XLA's host device count); for trying data parallelism.

``prepare_dataset(model, x)``
    ``x`` as ``fit`` should distribute it (TF with several replicas and ``n_critic > 1``: each
    global batch reordered so that every critic chunk is the global one's share); else ``x``.

``replicas(model)``
    How many replicas ``model.fit`` splits each batch over (1 when it does not).

``train_step(model, *args)``
    Adapts Keras's ``train_step`` hook (TF: ``(data)``; JAX: ``(state, data)`` -> ``(logs, state)``)
    to the model's one stateful step body, ``model.step(data)``.

``sync_state(model)``
    Make the model's variables current in the middle of ``fit`` (a callback saving weights); a
    no-op where variables are updated in place.

``input_gradient(fn, x) -> (y, dy/dx)``
    Gradient of ``sum(fn(x))`` with respect to the *input* ``x`` (gradient penalties), computed so
    that it stays differentiable with respect to the weights used inside ``fn``.

``tensor_gradients(fn, tensors) -> (value, grads)``
    ``fn(tensors)`` (a scalar) and its gradient with respect to each tensor of the list
    ``tensors``, kept differentiable: usable inside a ``loss_fn`` given to :func:`gradients`, which
    then differentiates through it (second order; the unrolled update rule's look-ahead of D).

``substitute(variables, values, discard=())`` (a context manager, the same for every backend)
    Reads of ``variables`` inside the block give ``values`` (tensors); see
    :mod:`ganzoo.backend.common`.
"""

import keras

_BACKEND = keras.config.backend()

if _BACKEND == "tensorflow":
    from ganzoo.backend.tensorflow import (  # noqa: F401
        apply_gradients, data_parallel, input_gradient, prepare_dataset, replica, replicas,
        split_cpu, sync_state, tensor_gradients, train_step,
    )
    from ganzoo.backend.tensorflow import gradients as _gradients
elif _BACKEND == "jax":
    from ganzoo.backend.jax import (  # noqa: F401
        apply_gradients, data_parallel, input_gradient, prepare_dataset, replica, replicas,
        split_cpu, sync_state, tensor_gradients, train_step,
    )
    from ganzoo.backend.jax import gradients as _gradients
elif _BACKEND == "torch":
    from ganzoo.backend.torch import (  # noqa: F401
        apply_gradients, data_parallel, input_gradient, prepare_dataset, replica, replicas,
        split_cpu, sync_state, tensor_gradients, train_step,
    )
    from ganzoo.backend.torch import gradients as _gradients
else:
    raise ImportError(
        f"ganzoo's training engine supports the 'tensorflow', 'jax' and 'torch' Keras backends; "
        f"KERAS_BACKEND={_BACKEND!r} is not one of them."
    )

from ganzoo.backend.common import scaled_gradients, substitute  # noqa: E402,F401


def gradients(loss_fn, variable_lists, optimizers=None):
    """See the module docstring: one forward pass, each loss differentiated w.r.t. its list as
    its optimizer (if given) will apply it."""
    return scaled_gradients(_gradients, replica()[1], loss_fn, variable_lists, optimizers)


BACKEND = _BACKEND
