"""PyTorch implementation of :mod:`ganzoo.backend` (see its docstring for the interface).

Keras's torch trainer is stateful like TensorFlow's: it calls ``train_step(data)`` and variables
are updated in place. Keras variables wrap ``torch.nn.Parameter``s, so gradients come from
``torch.autograd.grad`` on their values.
"""

import torch


def gradients(loss_fn, variable_lists):
    losses, aux = loss_fn()
    if len(losses) != len(variable_lists):
        raise ValueError(
            f"loss_fn returned {len(losses)} losses for {len(variable_lists)} variable lists"
        )
    grads = []
    for i, (loss, variables) in enumerate(zip(losses, variable_lists)):
        values = [v.value for v in variables]
        g = torch.autograd.grad(loss, values, retain_graph=i < len(losses) - 1, allow_unused=True)
        grads.append([torch.zeros_like(val) if gi is None else gi for gi, val in zip(g, values)])
    return ([loss.detach() for loss in losses], _detach(aux)), grads


def _detach(tree):
    if isinstance(tree, torch.Tensor):
        return tree.detach()
    if isinstance(tree, (list, tuple)):
        return type(tree)(_detach(t) for t in tree)
    return tree


def input_gradient(fn, x):
    x = torch.as_tensor(x)
    if not x.requires_grad:
        x = x.detach().requires_grad_(True)
    y = fn(x)
    (g,) = torch.autograd.grad(y.sum(), x, create_graph=True)
    return y, g


def tensor_gradients(fn, tensors):
    """``fn(tensors)`` (a scalar) and its gradient w.r.t. each tensor of ``tensors`` with
    ``create_graph=True``, so that the gradients stay differentiable (second order)."""
    tensors = [torch.as_tensor(t) for t in tensors]
    tensors = [t if t.requires_grad else t.detach().requires_grad_(True) for t in tensors]
    value = fn(tensors)
    grads = torch.autograd.grad(value, tensors, create_graph=True, allow_unused=True)
    return value, [torch.zeros_like(t) if g is None else g for g, t in zip(grads, tensors)]


def apply_gradients(optimizer, grads, variables):
    optimizer.apply_gradients(zip(grads, variables))


def replica():
    return 0, 1


def replicas(model):
    return 1


def data_parallel(devices):
    """Refused for more than one device: Keras has no data-parallel engine under torch."""
    if devices > 1:
        raise ValueError(
            f"data-parallel training over {devices} devices needs the TensorFlow "
            "(tf.distribute) or JAX (keras.distribution) backend; Keras has no data-parallel "
            "engine under torch. Set KERAS_BACKEND=tensorflow or jax, or train on one device.")


def split_cpu(devices):
    """Nothing: no data-parallel engine under torch."""


def prepare_dataset(model, x):
    return x


def train_step(model, data):
    """Keras's torch trainer calls ``train_step(data)`` eagerly: run the body as is."""
    return model.step(data)


def sync_state(model):
    """Variables are updated in place under PyTorch: nothing to do."""
