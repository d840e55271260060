import math

import keras
import numpy as np
import pytest
from keras import ops

from ganzoo.layers import LinearMaxout, MinibatchDiscrimination, VirtualBatchNormalization


def np_(x):
    return ops.convert_to_numpy(x)


# ----------------------------------------------------------------------------------------------
# MinibatchDiscrimination
# ----------------------------------------------------------------------------------------------

# A=2 features, B=2 kernels, C=2 dims per kernel, batch of 3.
T_FIXED = np.array(
    [
        [[0.5, -1.0], [1.0, 0.0]],  # T[0, b, c]
        [[0.25, 0.5], [-0.5, 2.0]],  # T[1, b, c]
    ],
    np.float32,
)
BIAS_FIXED = np.array([0.5, -0.25], np.float32)
X_MBD = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], np.float32)


def _mbd_reference(x, t, bias):
    """Step-by-step numpy version of the authors' formula (j = i left out, bias added)."""
    n, a = x.shape
    _, b, c = t.shape
    m = np.zeros((n, b, c))
    for i in range(n):
        for kb in range(b):
            for kc in range(c):
                m[i, kb, kc] = sum(x[i, ka] * t[ka, kb, kc] for ka in range(a))
    o = np.zeros((n, b))
    for i in range(n):
        for kb in range(b):
            for j in range(n):
                if j == i:
                    continue
                l1 = sum(abs(m[i, kb, kc] - m[j, kb, kc]) for kc in range(c))
                o[i, kb] += math.exp(-l1)
            o[i, kb] += bias[kb]
    return np.concatenate([x, o], axis=1)


def _fixed_mbd():
    layer = MinibatchDiscrimination(num_kernels=2, kernel_dim=2)
    layer.build((None, 2))
    layer.set_weights([T_FIXED, BIAS_FIXED])
    return layer


def test_mbd_hand_computed_values():
    layer = _fixed_mbd()
    out = np_(layer(X_MBD))
    assert out.shape == (3, 4)
    # By hand: M_0 = [[0.5,-1],[1,0]], M_1 = [[0.25,0.5],[-0.5,2]], M_2 = [[0.75,-0.5],[0.5,2]]
    # kernel 0: L1(0,1)=1.75, L1(0,2)=0.75, L1(1,2)=1.5
    # kernel 1: L1(0,1)=3.5,  L1(0,2)=2.5,  L1(1,2)=1.0
    e = math.exp
    expected_o = np.array(
        [
            [e(-1.75) + e(-0.75) + 0.5, e(-3.5) + e(-2.5) - 0.25],
            [e(-1.75) + e(-1.5) + 0.5, e(-3.5) + e(-1.0) - 0.25],
            [e(-0.75) + e(-1.5) + 0.5, e(-2.5) + e(-1.0) - 0.25],
        ]
    )
    np.testing.assert_allclose(out[:, :2], X_MBD, atol=1e-6)
    np.testing.assert_allclose(out[:, 2:], expected_o, atol=1e-5)
    np.testing.assert_allclose(out, _mbd_reference(X_MBD, T_FIXED, BIAS_FIXED), atol=1e-5)


def test_mbd_excludes_self_term_and_adds_bias():
    layer = _fixed_mbd()
    out = np_(layer(X_MBD))
    # Including j = i (paper's formula, no bias) would add exactly 1 to every feature.
    with_self = _mbd_reference(X_MBD, T_FIXED, np.zeros(2))[:, 2:] + 1.0
    np.testing.assert_allclose(out[:, 2:], with_self - 1.0 + BIAS_FIXED, atol=1e-5)
    # A single example has no partner: o is exactly the bias.
    single = np_(layer(X_MBD[:1]))
    np.testing.assert_allclose(single[0, 2:], BIAS_FIXED, atol=1e-6)
    # Zero bias and identical rows: every c_b(i, j) = 1, so o = batch - 1.
    layer.set_weights([T_FIXED, np.zeros(2, np.float32)])
    same = np_(layer(np.tile(X_MBD[:1], (4, 1))))
    np.testing.assert_allclose(same[:, 2:], 3.0, atol=1e-6)


def test_mbd_identical_rows_give_larger_features_than_distinct_rows():
    keras.utils.set_random_seed(0)
    layer = MinibatchDiscrimination(num_kernels=8, kernel_dim=3)
    rng = np.random.default_rng(0)
    distinct = rng.normal(size=(6, 5)).astype(np.float32) * 5.0
    identical = np.tile(distinct[:1], (6, 1))
    o_distinct = np_(layer(distinct))[:, 5:]
    o_identical = np_(layer(identical))[:, 5:]
    assert np.all(o_identical > o_distinct)


def test_mbd_shapes_and_default_initializer():
    keras.utils.set_random_seed(1)
    layer = MinibatchDiscrimination()
    out = layer(np.ones((4, 30), np.float32))
    assert tuple(out.shape) == (4, 130)
    assert layer.compute_output_shape((None, 30)) == (None, 130)
    kernel, bias = (np_(w) for w in layer.get_weights())
    assert kernel.shape == (30, 100, 5) and bias.shape == (100,)
    assert abs(kernel.std() - 0.05) < 0.005 and abs(kernel.mean()) < 0.005
    assert np.all(bias == 0)


def test_mbd_in_functional_model_with_unknown_batch():
    inp = keras.Input((3,))
    model = keras.Model(inp, MinibatchDiscrimination(num_kernels=4, kernel_dim=2)(inp))
    assert tuple(model.output.shape) == (None, 7)
    x = np.random.default_rng(1).normal(size=(5, 3)).astype(np.float32)
    np.testing.assert_allclose(np_(model.predict(x, verbose=0)), np_(model(x)), atol=1e-5)


def test_mbd_rejects_bad_rank():
    with pytest.raises(ValueError, match="rank-2"):
        MinibatchDiscrimination(num_kernels=2, kernel_dim=2)(np.zeros((2, 3, 4), np.float32))


@pytest.mark.parametrize(
    "kwargs, bad",
    [
        ({"num_kernels": 0}, "0"),
        ({"num_kernels": -3}, "-3"),
        ({"num_kernels": 2.5}, "2.5"),
        ({"num_kernels": True}, "True"),
        ({"kernel_dim": "5"}, "'5'"),
        ({"kernel_dim": 0}, "0"),
        ({"kernel_dim": None}, "None"),
    ],
)
def test_mbd_bad_arguments(kwargs, bad):
    name = next(iter(kwargs))
    with pytest.raises(ValueError, match=name) as info:
        MinibatchDiscrimination(**kwargs)
    assert f"got {bad}" in str(info.value)


def test_mbd_accepts_numpy_integers():
    layer = MinibatchDiscrimination(num_kernels=np.int64(3), kernel_dim=np.int32(2))
    assert (layer.num_kernels, layer.kernel_dim) == (3, 2) and type(layer.num_kernels) is int
    assert layer(np.zeros((2, 4), np.float32)).shape == (2, 7)


def test_mbd_config_round_trip():
    layer = _fixed_mbd()
    serialized = keras.saving.serialize_keras_object(layer)
    assert serialized["registered_name"] == "ganzoo>MinibatchDiscrimination"
    clone = keras.saving.deserialize_keras_object(serialized)
    assert isinstance(clone, MinibatchDiscrimination)
    assert clone.num_kernels == 2 and clone.kernel_dim == 2
    assert clone.get_config() == layer.get_config()
    assert clone.built  # the serialized build config rebuilds the weights
    clone.set_weights(layer.get_weights())
    np.testing.assert_allclose(np_(clone(X_MBD)), np_(layer(X_MBD)), atol=1e-6)


# ----------------------------------------------------------------------------------------------
# VirtualBatchNormalization
# ----------------------------------------------------------------------------------------------

EPS = 1e-5


def test_vbn_hand_computed_rank2():
    # 2 examples, 3 reference examples, 2 channels; rank 2, so an example's own moments
    # are just its values.
    x = np.array([[4.0, -1.0], [0.0, 2.0]], np.float32)
    r = np.array([[1.0, 0.0], [2.0, 2.0], [3.0, -2.0]], np.float32)
    layer = VirtualBatchNormalization(epsilon=EPS)
    out, ref = layer(x, r)
    out, ref = np_(out), np_(ref)
    # Reference: ch0 mean 2, meansq 14/3, var 2/3 ; ch1 mean 0, meansq 8/3, var 8/3.
    # n = 3 -> weights 1/4 (example) and 3/4 (reference).
    # x0 ch0 = 4 : mean = 1 + 1.5 = 2.5, meansq = 4 + 3.5 = 7.5, var = 7.5 - 6.25 = 1.25
    # x0 ch1 = -1: mean = -0.25, meansq = 0.25 + 2 = 2.25, var = 2.25 - 0.0625 = 2.1875
    # x1 ch0 = 0 : mean = 1.5, meansq = 0 + 3.5 = 3.5, var = 3.5 - 2.25 = 1.25
    # x1 ch1 = 2 : mean = 0.5, meansq = 1 + 2 = 3, var = 3 - 0.25 = 2.75
    s = math.sqrt
    expected = np.array(
        [
            [(4 - 2.5) / s(1.25 + EPS), (-1 + 0.25) / s(2.1875 + EPS)],
            [(0 - 1.5) / s(1.25 + EPS), (2 - 0.5) / s(2.75 + EPS)],
        ]
    )
    expected_ref = np.array(
        [
            [(1 - 2) / s(2 / 3 + EPS), 0 / s(8 / 3 + EPS)],
            [(2 - 2) / s(2 / 3 + EPS), 2 / s(8 / 3 + EPS)],
            [(3 - 2) / s(2 / 3 + EPS), -2 / s(8 / 3 + EPS)],
        ]
    )
    np.testing.assert_allclose(out, expected, atol=1e-5)
    np.testing.assert_allclose(ref, expected_ref, atol=1e-5)

    # Learned gamma / beta are applied per channel after normalization.
    gamma = np.array([2.0, -0.5], np.float32)
    beta = np.array([0.1, 3.0], np.float32)
    layer.set_weights([gamma, beta])
    out2, ref2 = (np_(t) for t in layer(x, r))
    np.testing.assert_allclose(out2, expected * gamma + beta, atol=1e-5)
    np.testing.assert_allclose(ref2, expected_ref * gamma + beta, atol=1e-5)


def _vbn_reference(x, r, gamma, beta, eps):
    """Step-by-step numpy VBN for (batch, H, W, C) inputs."""
    n = r.shape[0]
    ref_mean = r.mean(axis=(0, 1, 2))
    ref_meansq = (r**2).mean(axis=(0, 1, 2))
    ref_out = (r - ref_mean) / np.sqrt(ref_meansq - ref_mean**2 + eps) * gamma + beta
    out = np.zeros_like(x, dtype=np.float64)
    for i in range(x.shape[0]):
        for ch in range(x.shape[-1]):
            xi = x[i, :, :, ch].astype(np.float64)
            mean = xi.mean() / (n + 1) + n / (n + 1) * ref_mean[ch]
            meansq = (xi**2).mean() / (n + 1) + n / (n + 1) * ref_meansq[ch]
            var = meansq - mean**2
            out[i, :, :, ch] = (xi - mean) / np.sqrt(var + eps) * gamma[ch] + beta[ch]
    return out, ref_out


def test_vbn_rank4_matches_step_by_step_reference():
    rng = np.random.default_rng(0)
    x = rng.normal(1.0, 2.0, size=(2, 2, 3, 2)).astype(np.float32)
    r = rng.normal(-0.5, 1.5, size=(3, 2, 3, 2)).astype(np.float32)
    gamma = np.array([1.5, 0.5], np.float32)
    beta = np.array([-1.0, 0.25], np.float32)
    layer = VirtualBatchNormalization(epsilon=1e-3)
    layer.build((None, 2, 3, 2), (None, 2, 3, 2))
    layer.set_weights([gamma, beta])
    out, ref = (np_(t) for t in layer(x, r))
    exp_out, exp_ref = _vbn_reference(x, r, gamma, beta, 1e-3)
    np.testing.assert_allclose(out, exp_out, atol=1e-5)
    np.testing.assert_allclose(ref, exp_ref, atol=1e-5)


def test_vbn_example_output_independent_of_other_examples():
    rng = np.random.default_rng(1)
    r = rng.normal(size=(4, 3, 3, 2)).astype(np.float32)
    x = rng.normal(size=(3, 3, 3, 2)).astype(np.float32)
    layer = VirtualBatchNormalization()
    out_a = np_(layer(x, r)[0])
    x_b = x.copy()
    x_b[1:] = rng.normal(5.0, 10.0, size=x_b[1:].shape)
    out_b = np_(layer(x_b, r)[0])
    out_alone = np_(layer(x[:1], r)[0])
    np.testing.assert_allclose(out_b[0], out_a[0], atol=1e-6)
    np.testing.assert_allclose(out_alone[0], out_a[0], atol=1e-6)
    assert not np.allclose(out_b[1:], out_a[1:])


def test_vbn_reference_output_is_plain_batch_norm():
    rng = np.random.default_rng(2)
    r = rng.normal(3.0, 2.0, size=(5, 2, 2, 3)).astype(np.float32)
    x = rng.normal(size=(2, 2, 2, 3)).astype(np.float32)
    layer = VirtualBatchNormalization(epsilon=1e-3)
    ref = np_(layer(x, r)[1])
    mean = r.mean(axis=(0, 1, 2))
    var = r.var(axis=(0, 1, 2))
    np.testing.assert_allclose(ref, (r - mean) / np.sqrt(var + 1e-3), atol=1e-5)
    bn = keras.layers.BatchNormalization(epsilon=1e-3)
    np.testing.assert_allclose(ref, np_(bn(r, training=True)), atol=1e-4)
    # The reference output does not depend on the current batch.
    ref_other = np_(layer(x * 7.0 + 1.0, r)[1])
    np.testing.assert_allclose(ref_other, ref, atol=1e-6)


def test_vbn_shapes_weights_and_functional_model():
    x_in = keras.Input((4, 4, 3))
    r_in = keras.Input((4, 4, 3))
    layer = VirtualBatchNormalization()
    out, ref = layer(x_in, r_in)
    assert tuple(out.shape) == (None, 4, 4, 3) and tuple(ref.shape) == (None, 4, 4, 3)
    assert layer.compute_output_shape((None, 4, 4, 3), (8, 4, 4, 3)) == (
        (None, 4, 4, 3),
        (8, 4, 4, 3),
    )
    gamma, beta = (np_(w) for w in layer.get_weights())
    np.testing.assert_array_equal(gamma, np.ones(3))
    np.testing.assert_array_equal(beta, np.zeros(3))
    model = keras.Model([x_in, r_in], [out, ref])
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 4, 4, 3)).astype(np.float32)
    r = rng.normal(size=(6, 4, 4, 3)).astype(np.float32)
    eager = [np_(t) for t in layer(x, r)]
    via_model = [np_(t) for t in model([x, r])]
    for a, b in zip(eager, via_model):
        np.testing.assert_allclose(a, b, atol=1e-6)


def test_vbn_rejects_mismatched_reference():
    layer = VirtualBatchNormalization()
    with pytest.raises(ValueError, match="reference"):
        layer(np.zeros((2, 3), np.float32), np.zeros((4, 5), np.float32))


@pytest.mark.parametrize("bad", [0, -1e-3, "0.1", None, True, float("nan"), float("inf")])
def test_vbn_bad_epsilon(bad):
    with pytest.raises(ValueError, match="epsilon") as info:
        VirtualBatchNormalization(epsilon=bad)
    assert f"got {bad!r}" in str(info.value)


def test_vbn_config_round_trip():
    layer = VirtualBatchNormalization(epsilon=1e-3, name="vbn")
    x = np.random.default_rng(4).normal(size=(2, 3)).astype(np.float32)
    r = np.random.default_rng(5).normal(size=(4, 3)).astype(np.float32)
    layer(x, r)
    gamma = np.array([1.0, 2.0, 3.0], np.float32)
    layer.set_weights([gamma, np.array([0.0, -1.0, 1.0], np.float32)])
    serialized = keras.saving.serialize_keras_object(layer)
    assert serialized["registered_name"] == "ganzoo>VirtualBatchNormalization"
    clone = keras.saving.deserialize_keras_object(serialized)
    assert isinstance(clone, VirtualBatchNormalization)
    assert clone.epsilon == 1e-3 and clone.name == "vbn"
    assert clone.get_config() == layer.get_config()
    assert clone.built  # the serialized build config rebuilds the weights
    clone.set_weights(layer.get_weights())
    for a, b in zip(clone(x, r), layer(x, r)):
        np.testing.assert_allclose(np_(a), np_(b), atol=1e-6)


# ----------------------------------------------------------------------------------------------
# LinearMaxout
# ----------------------------------------------------------------------------------------------

# units=2, pieces=3, 2 inputs. Columns of W: unit 0 pieces 0..2, then unit 1 pieces 0..2 (Blocks'
# layout: the pieces of a unit are adjacent).
W_MAXOUT = np.array([[1.0, -1.0, 0.0, 2.0, 0.0, -2.0],
                     [0.0, 1.0, -1.0, 1.0, 3.0, 0.0]], np.float32)
B_MAXOUT = np.array([0.0, 0.5, 0.0, -1.0, 0.0, 1.0], np.float32)
X_MAXOUT = np.array([[1.0, 2.0], [-1.0, 0.0], [2.0, -1.0]], np.float32)
# by hand: x @ W + b, then the max of each group of 3 columns
#   [1, 2]  -> [1, 1.5, -2 | 3, 6, -1]    -> [1.5, 6]
#   [-1, 0] -> [-1, 1.5, 0 | -3, 0, 3]    -> [1.5, 3]
#   [2, -1] -> [2, -2.5, 1 | 2, -3, -3]   -> [2, 2]
Y_MAXOUT = np.array([[1.5, 6.0], [1.5, 3.0], [2.0, 2.0]], np.float32)


def _fixed_maxout():
    layer = LinearMaxout(units=2, pieces=3)
    layer.build((None, 2))
    layer.set_weights([W_MAXOUT, B_MAXOUT])
    return layer


def test_maxout_hand_computed_values():
    np.testing.assert_allclose(np_(_fixed_maxout()(X_MAXOUT)), Y_MAXOUT, atol=1e-6)


def test_maxout_one_piece_is_linear_and_higher_rank_inputs_work():
    layer = LinearMaxout(units=3, pieces=1)
    x = np.random.default_rng(0).normal(size=(4, 5)).astype(np.float32)
    y = np_(layer(x))
    w, b = layer.get_weights()
    np.testing.assert_allclose(y, x @ w + b, atol=1e-5)
    fixed = _fixed_maxout()
    x3 = np.stack([X_MAXOUT, X_MAXOUT[::-1]])  # (2, 3, 2)
    np.testing.assert_allclose(np_(fixed(x3)), np.stack([Y_MAXOUT, Y_MAXOUT[::-1]]), atol=1e-6)


def test_maxout_shapes_initializers_and_functional_model():
    keras.utils.set_random_seed(2)
    layer = LinearMaxout(200, 5, kernel_initializer={"class_name": "RandomNormal",
                                                     "config": {"stddev": 0.02}})
    inp = keras.Input((30,))
    model = keras.Model(inp, layer(inp))
    assert tuple(model.output.shape) == (None, 200)
    assert layer.compute_output_shape((None, 30)) == (None, 200)
    kernel, bias = layer.get_weights()
    assert kernel.shape == (30, 1000) and bias.shape == (1000,) and np.all(bias == 0)
    assert abs(kernel.std() - 0.02) < 0.001 and abs(kernel.mean()) < 0.001
    x = np.random.default_rng(1).normal(size=(5, 30)).astype(np.float32)
    np.testing.assert_allclose(np_(model.predict(x, verbose=0)), np_(model(x)), atol=1e-5)


@pytest.mark.parametrize("kwargs, expected", [
    ({"units": 0, "pieces": 5}, "units must be an integer >= 1; got 0"),
    ({"units": 2.0, "pieces": 5}, "units must be an integer >= 1; got 2.0"),
    ({"units": 2, "pieces": True}, "pieces must be an integer >= 1; got True"),
    ({"units": 2, "pieces": 1.5}, "pieces must be an integer >= 1; got 1.5"),
    ({"units": 2, "pieces": 5, "kernel_initializer": "gaussian-ish"},
     "kernel_initializer must be a Keras initializer (a name such as 'glorot_uniform', a config "
     "dict or an instance); got 'gaussian-ish'"),
])
def test_maxout_bad_arguments(kwargs, expected):
    with pytest.raises(ValueError) as info:
        LinearMaxout(**kwargs)
    assert str(info.value) == expected


def test_maxout_rejects_unknown_feature_dimension():
    with pytest.raises(ValueError, match="known last dimension"):
        LinearMaxout(2, 3).build((None, None))


def test_maxout_config_round_trip():
    layer = _fixed_maxout()
    serialized = keras.saving.serialize_keras_object(layer)
    assert serialized["registered_name"] == "ganzoo>LinearMaxout"
    clone = keras.saving.deserialize_keras_object(serialized)
    assert isinstance(clone, LinearMaxout) and (clone.units, clone.pieces) == (2, 3)
    assert clone.get_config() == layer.get_config() and clone.built
    clone.set_weights(layer.get_weights())
    np.testing.assert_allclose(np_(clone(X_MAXOUT)), Y_MAXOUT, atol=1e-6)
