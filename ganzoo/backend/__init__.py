"""The one place in ganzoo that touches a backend's autodiff.

Every technique is written once in ``keras.ops``. What differs between backends is *how gradients
are taken*: a ``tf.GradientTape`` under TensorFlow, ``jax.grad`` under JAX, ``torch.autograd`` under
PyTorch. This package hides that behind a small functional interface; the GAN engine, losses and
techniques import only from here, never from ``tensorflow`` / ``jax`` / ``torch`` directly.

Interface (same names in every implementation module):

``gradients(loss_fn, variable_lists) -> (outputs, grads_per_list)``
    ``loss_fn()`` returns ``(losses, aux)`` where ``losses`` is a list with one scalar per entry of
    ``variable_lists``. Returns ``(losses, aux)`` and, for each ``i``, the gradient of ``losses[i]``
    with respect to ``variable_lists[i]`` -- one forward pass, several players.

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
        gradients, input_gradient, sync_state, tensor_gradients, train_step,
    )
elif _BACKEND == "jax":
    from ganzoo.backend.jax import (  # noqa: F401
        gradients, input_gradient, sync_state, tensor_gradients, train_step,
    )
elif _BACKEND == "torch":
    from ganzoo.backend.torch import (  # noqa: F401
        gradients, input_gradient, sync_state, tensor_gradients, train_step,
    )
else:
    raise ImportError(
        f"ganzoo's training engine supports the 'tensorflow', 'jax' and 'torch' Keras backends; "
        f"KERAS_BACKEND={_BACKEND!r} is not one of them."
    )

from ganzoo.backend.common import substitute  # noqa: E402,F401

BACKEND = _BACKEND
