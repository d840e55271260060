"""Backend-independent pieces of :mod:`ganzoo.backend`: running code with some variables read as
given tensors (the unrolled update rule's look-ahead weights of D), inside Keras's
``StatelessScope``.

A nested ``keras.StatelessScope`` does not see the values of an enclosing one (under JAX those
are the traced values of the training state, the real variables being stale or purged):
:class:`InheritingScope` starts from them, and records which variables the code wrote, so that
the writes can be passed on or dropped when it ends.
"""

import contextlib

import keras
from keras import StatelessScope


def current_scope():
    """The active ``keras.StatelessScope`` or ``None`` (Keras has no public accessor)."""
    return keras.src.backend.common.stateless_scope.get_stateless_scope()


class InheritingScope(StatelessScope):
    """A ``StatelessScope`` that starts from the enclosing scope's values and records the
    variables written inside it (``written``: ``id -> variable``)."""

    def __init__(self, state_mapping=None):
        super().__init__(state_mapping=state_mapping)
        outer = current_scope()
        if outer is not None:
            for key, value in outer.state_mapping.items():
                self.state_mapping.setdefault(key, value)
        self.written = {}

    def add_update(self, update):
        super().add_update(update)
        self.written[id(update[0])] = update[0]

    def updates(self, exclude=()):
        """``[(variable, value)]`` written inside the scope, except those in ``exclude``."""
        skip = {id(v) for v in exclude}
        return [(v, self.state_mapping[k]) for k, v in self.written.items() if k not in skip]


def forward_updates(updates):
    """Apply ``[(variable, value)]`` to the enclosing stateless scope, or assign them."""
    outer = current_scope()
    for variable, value in updates:
        if outer is not None:
            outer.add_update((variable, value))
        else:
            variable.assign(value)


@contextlib.contextmanager
def substitute(variables, values, discard=()):
    """Inside the block, reading any of ``variables`` gives the matching tensor of ``values``
    (which may be differentiable functions of other weights); every other variable reads as in
    the enclosing code.

    Writes made inside the block to ``variables`` or to ``discard`` (e.g. D's batch-norm moving
    statistics during a look-ahead) are dropped; writes to any other variable (the latent
    sampler's seed state) are passed on to the enclosing scope, or assigned when there is none.
    """
    variables, values = list(variables), list(values)
    if len(variables) != len(values):
        raise ValueError(f"substitute: {len(variables)} variables but {len(values)} values")
    mapping = [(v, keras.ops.convert_to_tensor(x)) for v, x in zip(variables, values)]
    with InheritingScope() as scope:
        scope.state_mapping.update({id(v): x for v, x in mapping})
        yield scope
    forward_updates(scope.updates(exclude=list(variables) + list(discard)))


def _scales_loss(optimizer):
    """Whether ``optimizer`` wants its loss scaled before differentiation (a
    ``keras.optimizers.LossScaleOptimizer``, or any optimizer given ``loss_scale_factor=``): its
    ``apply_gradients`` divides the gradients by the same factor."""
    return optimizer is not None and (
        isinstance(optimizer, keras.optimizers.LossScaleOptimizer)
        or getattr(optimizer, "loss_scale_factor", None) is not None)


def scaled_gradients(gradients, replicas, loss_fn, variable_lists, optimizers=None):
    """``gradients(loss_fn, variable_lists)`` of each loss as its optimizer will apply it.

    ``replicas`` > 1 (``tf.distribute``: each replica differentiates its own share of the global
    batch and the optimizer *sums* the replicas' gradients): every loss is divided by
    ``replicas``, so the summed gradient is the gradient of the mean over the replicas -- for a
    mean over examples, the global batch's. ``optimizers[i]`` that scales losses (mixed float16's
    ``LossScaleOptimizer``) gets ``optimizer.scale_loss(loss)``. The losses returned are the
    unscaled ones (what the metrics report)."""
    if optimizers is None:
        optimizers = [None] * len(variable_lists)
    optimizers = list(optimizers)
    if len(optimizers) != len(variable_lists):
        raise ValueError(f"gradients: {len(optimizers)} optimizers for {len(variable_lists)} "
                         "variable lists")
    if replicas == 1 and not any(_scales_loss(o) for o in optimizers):
        return gradients(loss_fn, variable_lists)
    # each loss's factor, read here: inside the differentiated function the optimizers'
    # variables are not part of the traced state (JAX)
    factors = [keras.ops.convert_to_tensor(
        (optimizer.scale_loss(1.0) if _scales_loss(optimizer) else 1.0) / replicas, "float32")
        for optimizer in optimizers]

    def scaled_fn():
        losses, aux = loss_fn()
        scaled = [keras.ops.multiply(loss, keras.ops.cast(factor, loss.dtype))
                  for loss, factor in zip(losses, factors)]
        return scaled, (list(losses), aux)

    (_, (losses, aux)), grads = gradients(scaled_fn, variable_lists)
    return (losses, aux), grads
