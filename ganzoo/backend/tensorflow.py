"""TensorFlow implementation of :mod:`ganzoo.backend` (see its docstring for the interface)."""

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
    return value, grads


def train_step(model, data):
    """TF's trainer calls ``train_step(data)`` inside a ``tf.function``: run the body as is."""
    return model.step(data)


def sync_state(model):
    """Variables are updated in place under TF: nothing to do."""
