import pytest
import torch

from lensbook import dna
from lensbook.models.promoter_readout import CNNHead, HybridConfig, HybridOutput, HybridTransformer, LSTMHead, MotifStem
from lensbook.tasks.long_range import ENHANCER
from lensbook.train import seeded


def sequences(n=3, length=1000, seed=0):
    codes = torch.randint(0, 4, (n, length), generator=torch.Generator().manual_seed(seed))
    return torch.nn.functional.one_hot(codes, 4).transpose(1, 2).float()


def hand_set_stem(motif=ENHANCER):
    stem = MotifStem(1, len(motif), 40)
    with torch.no_grad():
        stem.conv.weight.copy_(dna.one_hot(motif)[None])      # score = matching bases
        stem.conv.bias.fill_(-len(motif) + 0.5)               # positive only for an exact match
    return stem


def test_stem_puts_a_motif_in_the_bin_of_its_first_base():
    stem = hand_set_stem()
    for start in (0, 39, 40, 517, 900):
        x = sequences(1, seed=start)
        x[0, :, start:start + 8] = dna.one_hot(ENHANCER)
        with torch.no_grad():
            logits, probability = stem.logits(x)[0, 0], stem(x)[0, 0]   # (B,)
        assert logits.shape == (stem.bins(1000),) == (24,)
        assert int(logits.argmax()) == start // 40
        assert float(probability.max()) > 0.5


def test_hybrid_shapes_and_attention_rows():
    config = HybridConfig.tiny()
    with seeded(0):
        model = HybridTransformer(config)
    out = model(sequences(3))
    assert isinstance(out, HybridOutput)
    assert out.logit.shape == (3,)
    assert out.attention.shape == (3, config.heads, config.bins, config.bins)
    assert torch.allclose(out.attention.sum(-1), torch.ones(3, config.heads, config.bins))


def test_tiny_preset_parameter_count():
    model = HybridTransformer(HybridConfig.tiny())
    c, d = 2, 16
    stem = 4 * c * 8 + c
    expected = stem + (c * d + d) + 4 * (d * d + d) + (d + 1)
    assert sum(p.numel() for p in model.parameters()) == expected == 1219


def test_cnn_head_sees_only_its_receptive_field():
    with seeded(0):
        head = CNNHead(MotifStem(), readout_bin=20)
    assert head.receptive_field_bins == 1 + 2 * (1 + 2 + 4) == 15
    first_seen = (20 - head.receptive_field_bins // 2) * 40    # 520: bases before it reach no visible bin
    x = sequences(1)
    base = head(x)
    far = x.clone()
    far[:, :, :first_seen] = sequences(1, seed=9)[:, :, :first_seen]
    assert torch.equal(head(far), base)
    near = x.clone()
    near[:, :, first_seen:first_seen + 8] = sequences(1, seed=9)[:, :, first_seen:first_seen + 8]
    assert not torch.equal(head(near), base)


def test_lstm_and_attention_see_the_far_end():
    x = sequences(1)
    far = x.clone()
    far[:, :, :40] = sequences(1, seed=9)[:, :, :40]
    with seeded(0):
        stem = MotifStem()
        lstm = LSTMHead(stem, readout_bin=20)
        hybrid = HybridTransformer(HybridConfig(), stem)
    assert not torch.equal(lstm(far), lstm(x))
    assert not torch.equal(hybrid(far).logit, hybrid(x).logit)


def test_lstm_forget_gate_bias():
    head = LSTMHead(MotifStem(), readout_bin=20, hidden=4, forget_bias=3.0)
    total = head.lstm.bias_ih_l0 + head.lstm.bias_hh_l0
    assert torch.all(total[4:8] == 3.0)
    assert head(sequences(2)).shape == (2,)


def test_lstm_head_weights_are_those_of_the_inline_forget_bias_it_replaced():
    # the head used to set its forget bias with its own loop; set_forget_bias must give the same weights
    stem = MotifStem()
    with seeded(3):
        head = LSTMHead(stem, readout_bin=20, hidden=4, forget_bias=3.0)
    with seeded(3):
        embed, lstm = torch.nn.Linear(2, 4), torch.nn.LSTM(4, 4, batch_first=True, bidirectional=True)
        readout = torch.nn.Linear(8, 1)
    with torch.no_grad():
        for name, bias in lstm.named_parameters():
            if name.startswith("bias_ih"):
                bias[4:8] = 3.0
            elif name.startswith("bias_hh"):
                bias[4:8] = 0.0
    expected = {**{f"embed.{k}": v for k, v in embed.state_dict().items()},
                **{f"lstm.{k}": v for k, v in lstm.state_dict().items()},
                **{f"readout.{k}": v for k, v in readout.state_dict().items()}}
    got = {k: v for k, v in head.state_dict().items() if not k.startswith("stem.")}
    assert got.keys() == expected.keys()
    assert all(torch.equal(got[k], expected[k]) for k in got)


def test_stem_rejects_channels_last_input():
    with pytest.raises(ValueError, match=r"x: expected 4 channels in dimension 1"):
        MotifStem()(torch.zeros(1, 1000, 4))


def test_even_cnn_kernel_is_rejected():
    with pytest.raises(ValueError, match="kernel: expected an odd width"):
        CNNHead(MotifStem(), readout_bin=20, kernel=4)


def test_empty_dilations_are_rejected():
    with pytest.raises(ValueError, match="dilations"):
        CNNHead(MotifStem(), readout_bin=20, dilations=())


def test_bad_stem_size_is_rejected():
    with pytest.raises(ValueError, match="bin_size: expected an int >= 1"):
        MotifStem(2, 8, 0)


def test_too_short_input_is_rejected():
    with pytest.raises(ValueError, match=r"x: expected one-hot DNA of shape \(N, 4, L\)"):
        MotifStem()(torch.zeros(1, 4, 20))


def test_readout_bin_outside_the_sequence_is_rejected():
    with pytest.raises(ValueError, match=r"config.readout_bin: expected a bin in \[0, 24\)"):
        HybridTransformer(HybridConfig(readout_bin=24))


def test_stem_of_another_width_is_rejected():
    with pytest.raises(ValueError, match="stem: expected a stem with config.channels=2"):
        HybridTransformer(HybridConfig(), stem=MotifStem(3))


def test_readout_bin_beyond_the_input_is_rejected():
    head = LSTMHead(MotifStem(), readout_bin=30)
    with pytest.raises(ValueError, match=r"readout_bin: expected a bin in \[0, 24\) for this input"):
        head(sequences(1))
    with pytest.raises(ValueError, match="readout_bin"):
        CNNHead(MotifStem(), readout_bin=30)(sequences(1))
