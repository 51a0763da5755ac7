import pytest
import torch
import torch.nn.functional as F
from torch import nn

from lensbook.models.attention import (
    MultiHeadAttention,
    SinusoidalPositionalEncoding,
    scaled_dot_product_attention,
    sinusoidal_encoding,
)


def randn(*shape, seed=0):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed))


@pytest.mark.parametrize("shape_q, shape_kv, dv", [((5, 8), (5, 8), 8), ((2, 3, 4, 16), (2, 3, 7, 16), 5)])
def test_attention_equals_torch(shape_q, shape_kv, dv):
    q = randn(*shape_q, seed=1)
    k = randn(*shape_kv, seed=2)
    v = randn(*shape_kv[:-1], dv, seed=3)
    z, alpha = scaled_dot_product_attention(q, k, v)
    reference = F.scaled_dot_product_attention(q, k, v)
    assert z.shape == reference.shape
    assert (z - reference).abs().max() < 1e-5
    assert torch.allclose(alpha.sum(-1), torch.ones(alpha.shape[:-1]))
    assert (alpha >= 0).all()


def test_weights_are_the_softmax_of_scaled_scores():
    q, k, v = randn(1, 3, 4, seed=1), randn(1, 6, 4, seed=2), randn(1, 6, 2, seed=3)
    _, alpha = scaled_dot_product_attention(q, k, v)
    by_hand = torch.exp(q @ k.mT / 2.0)                     # sqrt(d) = 2
    assert torch.allclose(alpha, by_hand / by_hand.sum(-1, keepdim=True), atol=1e-6)


def test_boolean_mask_equals_torch():
    q, k, v = randn(2, 5, 8, seed=1), randn(2, 5, 8, seed=2), randn(2, 5, 8, seed=3)
    causal = torch.ones(5, 5, dtype=torch.bool).tril()
    z, alpha = scaled_dot_product_attention(q, k, v, mask=causal)
    assert (z - F.scaled_dot_product_attention(q, k, v, attn_mask=causal)).abs().max() < 1e-5
    assert (alpha[:, ~causal] == 0).all()


@pytest.mark.parametrize("bias", [True, False])
def test_multi_head_equals_torch_with_copied_weights(bias):
    with torch.random.fork_rng():
        torch.manual_seed(0)
        reference = nn.MultiheadAttention(16, 4, bias=bias, batch_first=True)
    ours = MultiHeadAttention.from_torch(reference)
    x, memory = randn(2, 7, 16, seed=1), randn(2, 9, 16, seed=2)
    for query, key in ((x, x), (x, memory)):
        out, weights = reference(query, key, key, average_attn_weights=False)
        mine = ours(query, key, key)
        assert (mine.output - out).abs().max() < 1e-5
        assert mine.weights.shape == (2, 4, 7, key.shape[1])
        assert (mine.weights - weights).abs().max() < 1e-5


def test_self_attention_defaults_key_and_value_to_the_query():
    mha = MultiHeadAttention(8, 2)
    x = randn(1, 5, 8)
    assert torch.equal(mha(x).output, mha(x, x, x).output)


def test_attention_is_permutation_equivariant_without_positions():
    mha = MultiHeadAttention(8, 2)
    x = randn(1, 6, 8)
    perm = torch.tensor([3, 0, 5, 1, 4, 2])
    with torch.no_grad():
        assert (mha(x[:, perm]).output - mha(x).output[:, perm]).abs().max() < 1e-5
        position = SinusoidalPositionalEncoding(8, max_len=6)
        moved = mha(position(x[:, perm])).output
        assert (moved - mha(position(x)).output[:, perm]).abs().max() > 1e-2


def test_sinusoidal_values():
    pe = sinusoidal_encoding(50, 8)
    assert pe.shape == (50, 8)
    assert torch.allclose(pe[0], torch.tensor([0.0, 1.0] * 4))
    position = torch.arange(50.0)
    assert torch.allclose(pe[:, 0], torch.sin(position), atol=1e-6)
    assert torch.allclose(pe[:, 3], torch.cos(position / 10000 ** (2 / 8)), atol=1e-6)
    assert pe.abs().max() <= 1.0
    # every position gets its own vector
    assert torch.cdist(pe, pe).add(torch.eye(50) * 10).min() > 0.1


def test_positional_encoding_adds_the_table():
    layer = SinusoidalPositionalEncoding(4, max_len=10)
    x = torch.zeros(2, 7, 4)
    assert torch.equal(layer(x), sinusoidal_encoding(7, 4).expand(2, 7, 4))


def test_mismatched_query_and_key_width_is_rejected():
    with pytest.raises(ValueError, match="same last dimension d as q"):
        scaled_dot_product_attention(torch.zeros(3, 4), torch.zeros(3, 5), torch.zeros(3, 5))


def test_mismatched_key_and_value_length_is_rejected():
    with pytest.raises(ValueError, match="one value per key"):
        scaled_dot_product_attention(torch.zeros(3, 4), torch.zeros(5, 4), torch.zeros(6, 4))


def test_mismatched_batch_dimensions_are_rejected():
    with pytest.raises(ValueError, match="same leading"):
        scaled_dot_product_attention(torch.zeros(2, 3, 4), torch.zeros(3, 3, 4), torch.zeros(3, 3, 4))


def test_mismatched_number_of_dimensions_is_rejected():
    with pytest.raises(ValueError, match="same number of dimensions"):
        scaled_dot_product_attention(torch.zeros(2, 3, 4), torch.zeros(3, 4), torch.zeros(3, 4))


def test_non_tensor_is_rejected():
    with pytest.raises(ValueError, match=r"q: expected a tensor of shape \(\.\.\., L, d\)"):
        scaled_dot_product_attention([1, 2], torch.zeros(3, 4), torch.zeros(3, 4))


def test_model_width_not_divisible_by_heads_is_rejected():
    with pytest.raises(ValueError, match="d_model: expected a positive multiple of heads=3"):
        MultiHeadAttention(16, 3)


def test_zero_heads_is_rejected():
    with pytest.raises(ValueError, match="heads: expected an int >= 1"):
        MultiHeadAttention(16, 0)


def test_input_of_the_wrong_width_is_rejected():
    with pytest.raises(ValueError, match=r"query: expected a tensor of shape \(N, L, 8\)"):
        MultiHeadAttention(8, 2)(torch.zeros(1, 5, 6))


def test_from_torch_rejects_other_modules():
    with pytest.raises(ValueError, match="reference"):
        MultiHeadAttention.from_torch(nn.Linear(4, 4))


def test_sequence_longer_than_the_encoding_is_rejected():
    with pytest.raises(ValueError, match="at most max_len=10"):
        SinusoidalPositionalEncoding(8, max_len=10)(torch.zeros(1, 11, 8))


def test_positional_encoding_of_the_wrong_width_is_rejected():
    with pytest.raises(ValueError, match=r"x: expected a tensor of shape \(N, L, 8\)"):
        SinusoidalPositionalEncoding(8, max_len=10)(torch.zeros(1, 5, 4))


def test_odd_width_is_rejected():
    with pytest.raises(ValueError, match="an even int"):
        sinusoidal_encoding(10, 7)


def test_empty_length_is_rejected():
    with pytest.raises(ValueError, match="length: expected an int >= 1"):
        sinusoidal_encoding(0, 8)


def test_bad_max_len_is_rejected():
    with pytest.raises(ValueError, match="max_len"):
        SinusoidalPositionalEncoding(8, max_len=0)
