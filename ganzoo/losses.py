"""GAN losses as pure functions on discriminator *logits* (``keras.ops`` only).

All functions return scalars (means over the batch). D's losses take ``real_target`` /
``fake_target`` (scalars or per-example tensors of shape (batch, 1)) so that techniques can change
D's targets (one-sided label smoothing, label noise). Only the families in :data:`TARGET_LOSSES`
use them; the others (hinge, Wasserstein) have no targets, and a technique that sets D's targets
declares ``losses = TARGET_LOSSES``, so such a combination is refused when the GAN is built
instead of being silently ignored.

Families (:data:`LOSSES`, the names ``GAN(loss=...)`` and ``ganzoo.create(..., loss=...)`` take),
each term a mean over the batch:

* ``"nonsat"``: D ``-log D(x) - log(1 - D(G(z)))``, G ``-log D(G(z))`` (Goodfellow et al. 2014);
* ``"minimax"``: D as ``"nonsat"``, G ``log(1 - D(G(z)))`` (the saturating game);
* ``"lsgan"``: D ``½(D(x) - 1)² + ½ D(G(z))²``, G ``½(D(G(z)) - 1)²`` (Mao et al. 2017);
* ``"hinge"``: D ``relu(1 - D(x)) + relu(1 + D(G(z)))``, G ``-D(G(z))`` (Lim & Ye 2017,
  Miyato et al. 2018);
* ``"wasserstein"``: D ``D(G(z)) - D(x)``, G ``-D(G(z))`` (Arjovsky et al. 2017);
* ``"madgan"``: k generators and a D with k + 1 logits (which generator made a sample, or "real"),
  softmax cross-entropy (Ghosh et al. 2018, MAD-GAN): see :func:`d_madgan`.

``D(·)`` is the sigmoid of the logit for ``nonsat`` / ``minimax`` and the raw output otherwise.
Every family but ``"madgan"`` takes one logit per sample (:func:`check_outputs`).
"""

from keras import ops


def _bce_with_logits(logits, target):
    # Numerically stable binary cross-entropy: max(l, 0) - l * t + log(1 + exp(-|l|)).
    logits = ops.convert_to_tensor(logits)
    return ops.relu(logits) - logits * target + ops.log1p(ops.exp(-ops.abs(logits)))


def d_nonsat(real_logits, fake_logits, real_target=1.0, fake_target=0.0):
    """Discriminator loss of the original GAN: -log D(x) - log(1 - D(G(z)))."""
    return ops.mean(_bce_with_logits(real_logits, real_target)) + ops.mean(
        _bce_with_logits(fake_logits, fake_target)
    )


def g_nonsat(fake_logits):
    """Non-saturating generator loss (Goodfellow et al. 2014, sec. 3): -log D(G(z))."""
    return ops.mean(_bce_with_logits(fake_logits, 1.0))


def d_minimax(real_logits, fake_logits, real_target=1.0, fake_target=0.0):
    """D's loss of the minimax game: the same cross-entropy as :func:`d_nonsat`."""
    return d_nonsat(real_logits, fake_logits, real_target, fake_target)


def g_minimax(fake_logits):
    """The saturating generator loss of the minimax game (Goodfellow et al. 2014, eq. 1):
    G minimizes ``E[log(1 - D(G(z)))] = -E[softplus(l)]`` for logits ``l`` -- minus D's
    cross-entropy on the fake batch with target 0. Its gradient vanishes where D rejects the
    samples confidently (``l`` very negative), which is why ``"nonsat"`` is the usual choice; it
    is unbounded below as D is fooled (``l -> +inf``)."""
    return -ops.mean(_bce_with_logits(fake_logits, 0.0))


def d_lsgan(real_logits, fake_logits, real_target=1.0, fake_target=0.0):
    """Least-squares D loss (Mao et al. 2017, eq. 2 with a = 0, b = 1):
    ``½ E[(D(x) - b)²] + ½ E[(D(G(z)) - a)²]`` on D's raw (linear) output.

    ``b`` / ``a`` are D's targets (``real_target`` / ``fake_target``), so one-sided smoothing
    (b = 0.9) and label noise (a flipped example gets the other target) act on the least-squares
    targets.

    The ½ factors follow the authors' code (xudonmao/LSGAN, ``vgg.py`` ``loss_l2``:
    ``tf.reduce_mean(tf.nn.l2_loss(D - 1))``, and ``tf.nn.l2_loss(t) = Σ t² / 2``), which agrees
    with the paper. That code's ``reduce_mean`` of the already-summed ``l2_loss`` leaves a *sum*
    over the batch, i.e. batch-size times the mean used here; ganzoo keeps the mean (the
    convention of every ganzoo loss, so penalties added to D's loss keep their weight), which Adam
    sees as the same objective up to its epsilon. (Their 2-D mixture script,
    ``stability_comparison/mixture_gaussian/ls.py``, multiplies by a further 0.5.)
    """
    real = ops.convert_to_tensor(real_logits)
    fake = ops.convert_to_tensor(fake_logits)
    return 0.5 * ops.mean(ops.square(real - real_target)) + 0.5 * ops.mean(
        ops.square(fake - fake_target))


def g_lsgan(fake_logits):
    """Least-squares G loss (Mao et al. 2017, eq. 2 with c = 1): ``½ E[(D(G(z)) - 1)²]`` (the ½
    as in the authors' code, see :func:`d_lsgan`)."""
    return 0.5 * ops.mean(ops.square(ops.convert_to_tensor(fake_logits) - 1.0))


def d_hinge(real_logits, fake_logits, real_target=None, fake_target=None):
    """Hinge D loss: ``E[relu(1 - D(x))] + E[relu(1 + D(G(z)))]``, as in Miyato et al.'s code
    (pfnet-research/sngan_projection, ``updater.py`` ``loss_hinge_dis``) and Lim & Ye's geometric
    GAN. It has no targets: techniques that set D's targets are refused with it."""
    real = ops.convert_to_tensor(real_logits)
    fake = ops.convert_to_tensor(fake_logits)
    return ops.mean(ops.relu(1.0 - real)) + ops.mean(ops.relu(1.0 + fake))


def g_hinge(fake_logits):
    """Hinge G loss: ``-E[D(G(z))]`` (the authors' ``loss_hinge_gen``)."""
    return -ops.mean(fake_logits)


def d_wasserstein(real_logits, fake_logits, real_target=None, fake_target=None):
    """The critic's loss of WGAN (Arjovsky et al. 2017): E[D(G(z))] - E[D(x)]."""
    return ops.mean(fake_logits) - ops.mean(real_logits)


def g_wasserstein(fake_logits):
    """The generator's loss of WGAN: -E[D(G(z))]."""
    return -ops.mean(fake_logits)


def _class_cross_entropy(logits, targets):
    """Per-row softmax cross-entropy ``logsumexp(l) - Σ targets · l`` (``targets`` one-hot,
    broadcast against ``logits``)."""
    return ops.logsumexp(logits, axis=-1) - ops.sum(targets * logits, axis=-1)


def _madgan_real(logits):
    """(k + 1 logits) -> the per-row cross-entropy of the class "real" (the last, index k)."""
    logits = ops.convert_to_tensor(logits)
    width = int(logits.shape[-1])
    if width < 2:
        raise ValueError(f"the 'madgan' loss needs D with k + 1 >= 2 logits (k generators and "
                         f"'real'); got {width} (use the 'madgan' technique)")
    real = ops.one_hot(ops.convert_to_tensor([width - 1]), width, dtype=logits.dtype)
    return width - 1, _class_cross_entropy(logits, real)


def d_madgan(real_logits, fake_logits, real_target=None, fake_target=None):
    """MAD-GAN's D loss (Ghosh et al. 2018) for k generators, D's logits having k + 1 columns
    (classes ``0 .. k-1``: "made by generator i", class ``k``: "real")::

        Σ_i [ CE(D(x_i), k) + CE(D(G_i(z_i)), i) ]

    with ``CE`` the softmax cross-entropy, a mean over each batch of B. The real and the
    generated batch of N = k·B rows are read as k consecutive parts of B: part i of the generated
    batch is generator i's (the order :class:`ganzoo.models.Generators` makes them in), part i of
    the real batch is the i-th real batch. This is the authors' Torch code
    (arnabgho/dcgan.torch ``classify_gen_n_alter.lua``, and the toy ``multi-gen-toy``
    ``classifying_gen.lua``): each D step draws one real batch per generator and accumulates
    ``CE(real batch i, real) + CE(batch of G_i, i)`` over the k generators -- so the value is k
    times the mean cross-entropy over the N rows of each side. (The same authors' PyTorch port,
    ``pytorch/madgan.py``, uses one real batch: one real term beside the k generated ones.) No
    targets: techniques that set D's targets are refused with it."""
    k, real = _madgan_real(real_logits)
    fake = ops.convert_to_tensor(fake_logits)
    parts = ops.reshape(fake, (k, -1, k + 1))  # (generator, row, class)
    onehot = ops.expand_dims(ops.eye(k, k + 1, dtype=fake.dtype), 1)  # generator i -> class i
    return k * (ops.mean(real) + ops.mean(_class_cross_entropy(parts, onehot)))


def g_madgan(fake_logits):
    """MAD-GAN's generators' loss: ``Σ_i CE(D(G_i(z_i)), k)`` -- each generator is trained to
    make D answer "real" (the non-saturating form, as the authors' code: ``criterion`` against
    ``real_label`` for every generator; the paper writes the minimax ``log(1 - D_{k+1})``), a
    mean over each generator's batch summed over the k generators (k times the mean over the
    N rows). Generator i's samples enter only its own term, so its gradient comes from its term
    alone."""
    k, real = _madgan_real(fake_logits)
    return k * ops.mean(real)


LOSSES = {
    "nonsat": (d_nonsat, g_nonsat),
    "minimax": (d_minimax, g_minimax),
    "lsgan": (d_lsgan, g_lsgan),
    "hinge": (d_hinge, g_hinge),
    "wasserstein": (d_wasserstein, g_wasserstein),
    "madgan": (d_madgan, g_madgan),
}

# The families whose D has several logits per sample (the others have exactly one).
MULTICLASS_LOSSES = ("madgan",)

# The families whose D loss uses D's targets (techniques that change the targets need one).
TARGET_LOSSES = ("nonsat", "minimax", "lsgan")

# The families whose D output is the logit of "real": the sigmoid gives D's probability.
PROBABILITY_LOSSES = ("nonsat", "minimax")


def get(name):
    """Return ``(d_loss_fn, g_loss_fn)`` for a loss family name."""
    try:
        return LOSSES[name]
    except (KeyError, TypeError):
        raise ValueError(f"Unknown GAN loss {name!r}; known: {sorted(LOSSES)}") from None


def score(name):
    """The map from D's output to the ``d_real`` / ``d_fake`` values the GAN logs: the sigmoid
    (D's probability of "real") for :data:`PROBABILITY_LOSSES`, the softmax probability of the
    class "real" (the last) for ``"madgan"``, the raw output otherwise."""
    get(name)
    if name in MULTICLASS_LOSSES:
        return lambda x: ops.softmax(x, axis=-1)[..., -1]
    return ops.sigmoid if name in PROBABILITY_LOSSES else (lambda x: x)


def check_outputs(name, outputs):
    """Refuse a D whose number of logits per sample (``outputs``) does not fit the loss family
    ``name``: ``"madgan"`` needs k + 1 >= 2, every other family exactly 1."""
    get(name)
    if name in MULTICLASS_LOSSES and outputs < 2:
        raise ValueError(f"the {name!r} loss needs a discriminator with k + 1 >= 2 logits (k "
                         f"generators and 'real'); this one has {outputs} (use the 'madgan' "
                         "technique, which builds it)")
    if name not in MULTICLASS_LOSSES and outputs != 1:
        raise ValueError(f"the {name!r} loss needs a discriminator with one logit per sample; "
                         f"this one has {outputs} (outputs={outputs} is for the 'madgan' loss)")
