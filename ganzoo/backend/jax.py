"""JAX implementation of :mod:`ganzoo.backend` (see its docstring for the interface).

Keras's JAX trainer is functional: it calls ``model.train_step(state, data)`` with the values of
``(trainable, non_trainable, optimizer, metrics)`` variables and expects ``(logs, new_state)``
back, under ``jax.jit``. ganzoo's step body is written once, statefully (read variables, call
``optimizer.apply_gradients``, update metrics). :func:`train_step` runs that body inside a
``keras.StatelessScope`` that maps every variable to its value in ``state``: reads see the traced
values, assignments are recorded in the scope instead of mutating anything, and the recorded values
become the new state. The GAN exposes both optimizers' variables as ``model.optimizer.variables``
(see ``ganzoo.gan._OptimizerPair``), so Adam moments and step counters of G and D are carried.

:func:`gradients` differentiates with ``jax.vjp`` a pure function of the values of the
variables being differentiated (one forward pass, one backward pass per player): it re-enters a nested ``StatelessScope`` mapping those variables
to the traced values, so the same ``loss_fn`` (which reads variables) works unchanged. Updates made
inside ``loss_fn`` (batch-norm moving statistics, seed-generator state) are returned as auxiliary
output and re-applied to the enclosing scope.
"""

import jax
import keras
from keras import StatelessScope

from ganzoo.backend.common import InheritingScope, current_scope, forward_updates


def _current_value(variable):
    scope = current_scope()
    if scope is not None:
        value = scope.get_current_value(variable)
        if value is not None:
            return value
    return variable.value


def gradients(loss_fn, variable_lists):
    flat = [v for variables in variable_lists for v in variables]
    all_vars = _all_watched_variables()
    others = [v for v in all_vars if all(v is not f for f in flat)]
    other_values = [_current_value(v) for v in others]

    def pure(values):
        mapping = list(zip(flat, values)) + list(zip(others, other_values))
        with StatelessScope(state_mapping=mapping) as scope:
            losses, aux = loss_fn()
        updates = [(v, scope.get_current_value(v)) for v in all_vars]
        return list(losses), (aux, [(v, val) for v, val in updates if val is not None])

    # One forward pass; one backward pass per loss, keeping the gradient w.r.t. its own list.
    losses, vjp_fn, (aux, updates) = jax.vjp(
        pure, [_current_value(v) for v in flat], has_aux=True
    )
    grads, offset = [], 0
    for i, variables in enumerate(variable_lists):
        cotangent = [keras.ops.zeros_like(loss) for loss in losses]
        cotangent[i] = keras.ops.ones_like(losses[i])
        (g_all,) = vjp_fn(cotangent)
        grads.append(g_all[offset : offset + len(variables)])
        offset += len(variables)
    forward_updates(updates)
    return (losses, aux), grads


def input_gradient(fn, x):
    """``jax.value_and_grad`` w.r.t. ``x``. ``fn`` runs in a nested scope that starts from the
    enclosing scope's values (so the result stays differentiable in the weights traced by
    :func:`gradients`); its variable updates (batch-norm statistics of a D called in training
    mode) leave the transformation as auxiliary output and are written back to that scope."""
    written = []

    def total(x_):
        y, values = _recording(fn, x_, written)
        return keras.ops.sum(y), (y, values)

    (_, (y, values)), g = jax.value_and_grad(total, has_aux=True)(x)
    forward_updates(zip(written[-1], values))
    return y, g


def tensor_gradients(fn, tensors):
    """``fn(tensors)`` (a scalar) and its gradient w.r.t. each tensor of ``tensors``, by
    ``jax.value_and_grad``: JAX differentiates that again when it is traced inside
    :func:`gradients` (second order). ``fn``'s variable updates leave the transformation as
    auxiliary output and are written back to the enclosing scope."""
    written = []

    def value(ts):
        return _recording(fn, list(ts), written)

    (loss, values), grads = jax.value_and_grad(value, has_aux=True)(list(tensors))
    forward_updates(zip(written[-1], values))
    return loss, list(grads)


def _recording(fn, arg, written):
    """Run ``fn(arg)`` in a scope inheriting the enclosing values; note the variables it wrote
    in ``written`` (Python side) and return ``(result, their new values)``."""
    with InheritingScope() as scope:
        result = fn(arg)
    updates = scope.updates()
    written.append([v for v, _ in updates])
    return result, [val for _, val in updates]


_WATCHED = []


def _all_watched_variables():
    return list(_WATCHED[-1]) if _WATCHED else []


def apply_gradients(optimizer, grads, variables):
    """``optimizer.stateless_apply`` on the values in the enclosing scope; the new values are
    written back to it (a stateful update inside ``ops.cond`` -- a ``LossScaleOptimizer`` --
    would leak tracers)."""
    variables, slots = list(variables), list(optimizer.variables)
    new_values, new_slots = optimizer.stateless_apply(
        [_current_value(v) for v in slots], list(grads), [_current_value(v) for v in variables])
    forward_updates(list(zip(variables, new_values)) + list(zip(slots, new_slots)))


def replica():
    """JAX's ``keras.distribution`` runs one program over the global (sharded) batch."""
    return 0, 1


def replicas(model):
    """The batch axis's device count of the active ``keras.distribution`` (1 without one)."""
    from keras.distribution import distribution

    current = distribution()
    mesh = getattr(current, "device_mesh", None)
    name = getattr(current, "batch_dim_name", None)
    if mesh is None or name not in mesh.axis_names:
        return 1
    return int(mesh.shape[list(mesh.axis_names).index(name)])


def split_cpu(devices):
    """Ask XLA for ``devices`` host (CPU) devices, which it reads when JAX first starts: too late
    once it has (``jax.devices()`` then shows what it has)."""
    import os

    flags = os.environ.get("XLA_FLAGS", "")
    if "xla_force_host_platform_device_count" not in flags:
        os.environ["XLA_FLAGS"] = f"{flags} --xla_force_host_platform_device_count={devices}"


def data_parallel(devices):
    """``keras.distribution.DataParallel`` over the first ``devices`` JAX devices (XLA's
    ``--xla_force_host_platform_device_count=N`` splits a CPU)."""
    from keras.distribution import DataParallel

    found = jax.devices()
    if devices > len(found):
        raise ValueError(
            f"{devices} devices asked for, but JAX sees {len(found)}: {found}. Without an "
            "accelerator, set XLA_FLAGS=--xla_force_host_platform_device_count=N before JAX starts")
    return DataParallel(devices=found[:devices])


def prepare_dataset(model, x):
    return x


def train_step(model, state, data):
    """Run ``model.step(data)`` statelessly on ``state``; return ``(logs, new_state)``."""
    groups = [
        model.trainable_variables,
        model.non_trainable_variables,
        model.optimizer.variables,
        model.metrics_variables,
    ]
    mapping = [(v, val) for vs, vals in zip(groups, state) for v, val in zip(vs, vals)]
    _WATCHED.append(model.trainable_variables + model.non_trainable_variables)
    try:
        with StatelessScope(state_mapping=mapping) as scope:
            logs = model.step(data)
    finally:
        _WATCHED.pop()
    new_state = tuple(
        [_value_or(scope.get_current_value(v), val) for v, val in zip(vs, vals)]
        for vs, vals in zip(groups, state)
    )
    return logs, new_state


def _value_or(value, default):
    return default if value is None else value


def sync_state(model):
    """Write the JAX trainer's in-flight state back into the model's variables (mid-``fit``)."""
    model.jax_state_sync()  # a no-op when already synced
