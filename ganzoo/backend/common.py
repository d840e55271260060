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
