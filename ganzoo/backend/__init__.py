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

``input_gradient(fn, x) -> (y, dy/dx)``
    Gradient of ``sum(fn(x))`` with respect to the *input* ``x`` (gradient penalties), computed so
    that it stays differentiable with respect to the weights used inside ``fn``.
"""

import keras

_BACKEND = keras.config.backend()

if _BACKEND == "tensorflow":
    from ganzoo.backend.tensorflow import gradients, input_gradient  # noqa: F401
else:  # pragma: no cover - exercised once the JAX/torch engines land
    raise ImportError(
        f"ganzoo's training engine supports the 'tensorflow' Keras backend so far; "
        f"KERAS_BACKEND={_BACKEND!r} is not implemented yet. Set KERAS_BACKEND=tensorflow."
    )

BACKEND = _BACKEND
