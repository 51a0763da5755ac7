import numpy as np
import pytest
import torch
import torch.nn.functional as F

from lensbook import dna
from lensbook.dna import reverse_complement
from lensbook.models.cnn import GenomicsCNN, GenomicsCNNConfig, MotifCNN
from lensbook.train import seeded


def _batch(n=3, length=40, seed=0):
    g = torch.Generator().manual_seed(seed)
    return F.one_hot(torch.randint(0, 4, (n, length), generator=g), 4).transpose(1, 2).float()


def test_convolution_by_hand_equals_torch():
    """y(i) = sum_j sum_c w(c, j) x(c, i + j) + b, written as a loop (section 4.1, "The Math")."""
    with seeded(0):
        model = MotifCNN(n_filters=3, width=5)
    x = _batch(2, 20)
    w, b = model.conv.weight.detach().numpy(), model.conv.bias.detach().numpy()
    xs = x.numpy()
    by_hand = np.zeros((2, 3, 16))
    for n in range(2):
        for f in range(3):
            for i in range(16):
                by_hand[n, f, i] = sum(w[f, c, j] * xs[n, c, i + j] for c in range(4) for j in range(5)) + b[f]
    forward = model.strands(x)[:, 0].detach().numpy()
    assert np.allclose(forward, by_hand, atol=1e-5)


def test_reverse_strand_scores_are_the_filter_on_the_reverse_complement():
    with seeded(1):
        model = MotifCNN(n_filters=2, width=6)
    x = _batch(2, 30)
    both = model.strands(x).detach()
    on_other_strand = model.conv(reverse_complement(x)).detach().flip(2)   # window i of the forward strand
    assert torch.allclose(both[:, 1], on_other_strand, atol=1e-5)


def test_motif_cnn_sees_both_strands_alike():
    with seeded(2):
        model = MotifCNN(n_filters=4, width=8, n_outputs=3)
    x = _batch(5, 50)
    with torch.no_grad():
        assert torch.allclose(model(x), model(reverse_complement(x)), atol=1e-5)
        assert torch.allclose(model.scan(reverse_complement(x)), model.scan(x).flip(2), atol=1e-5)


def test_motif_cnn_shapes_and_global_max_pool():
    with seeded(3):
        model = MotifCNN(n_filters=4, width=8, n_outputs=3)
    x = _batch(5, 50)
    with torch.no_grad():
        maps = model.scan(x)
        assert maps.shape == (5, 4, 43) and (maps >= 0).all()
        assert torch.allclose(model(x), model.head(maps.amax(dim=2)), atol=1e-6)


def test_motif_cnn_errors():
    model = MotifCNN(width=10)
    with pytest.raises(ValueError, match="at least as long as the filters"):
        model(_batch(1, 9))
    with pytest.raises(ValueError, match=r"shape \(N, 4, L\)"):
        model(torch.zeros(1, 5, 20))
    with pytest.raises(ValueError, match="n_filters"):
        MotifCNN(n_filters=0)


def test_typical_genomics_cnn_shapes_and_parameters():
    config = GenomicsCNNConfig()
    assert config.conv_lengths() == (993, 496, 489, 244)
    model = GenomicsCNN(config)
    assert model.conv1.weight.numel() == 8 * 4 * 128 == 4096
    counts = {name: sum(p.numel() for p in m.parameters()) for name, m in model.named_children()}
    assert counts == {"conv1": 4096 + 128, "conv2": 8 * 128 * 64 + 64, "pool": 0,
                      "fc": 64 * 244 * 32 + 32, "out": 32 + 1}
    assert model(torch.zeros(2, 4, 1000)).shape == (2, 1)


def test_typical_genomics_cnn_errors():
    with pytest.raises(ValueError, match=r"shape \(N, 4, 1000\)"):
        GenomicsCNN()(torch.zeros(1, 4, 999))
    with pytest.raises(ValueError, match="long enough"):
        GenomicsCNN(GenomicsCNNConfig(length=20))
