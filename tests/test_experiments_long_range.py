"""Fast checks of the long-range experiment and of the Transformer page's experiments.

The build's full run (three heads, three seeds, 400 steps each) takes tens of
seconds; here everything runs with a handful of steps, checking structure
and the arithmetic that does not depend on training.
"""

import math

import numpy as np
import pytest
import torch
from torch import nn

from lensbook import metrics
from lensbook.experiments import long_range as lr
from lensbook.experiments import transformer as tf
from lensbook.models.attention import MultiHeadAttention
from lensbook.models.transformer import HybridTransformer
from lensbook.tasks.long_range import LongRangeTask
from lensbook.train import TrainLog


@pytest.fixture(scope="module")
def tiny_result():
    return lr.accuracy_vs_distance(seeds=(0,), steps=3, stem_steps=3, n_test=60, band=200)


def test_result_shapes(tiny_result):
    r = tiny_result
    assert r.models == ("CNN", "LSTM", "Transformer")
    assert r.band_edges == (50, 250, 450, 650, 750)
    assert np.array(r.auroc).shape == np.array(r.accuracy).shape == (3, 1, 4)
    assert len(r.oracle_auroc) == 4 and r.oracle_overall_auroc > 0.9
    assert r.bins == 24 and r.bin_size == 40
    assert all(0.0 <= v <= 1.0 for v in np.ravel(r.auroc))
    assert r.cnn_receptive_field_bins == 15 and r.cnn_reach_bp == 280
    assert r.attention is not None and r.attention.seeds == (0,)
    assert len(r.attention.examples) == 4 and len(r.attention.examples[0]) == r.bins


def test_attention_reading_is_a_distribution(tiny_result):
    a = tiny_result.attention
    assert a.uniform == pytest.approx(1 / 24)
    for row in a.examples:
        assert sum(row) == pytest.approx(1.0, abs=1e-5)
    for field in ("enhancer_weight", "top1_enhancer", "top1_match_negative", "peak_positive", "peak_negative"):
        assert all(0.0 <= v <= 1.0 for v in getattr(a, field))
    assert a.heads == 2 and len(a.head_enhancer_weight[0]) == 2
    assert a.head[0] in (0, 1) and 0 <= a.enhancer_heads <= a.heads * len(a.seeds) == 2
    assert a.mean("enhancer_weight") + a.mean("self_weight") + a.mean_rest_weight == pytest.approx(1.0)
    assert 0.0 <= a.mean("probability_negative") <= 1.0
    assert a.example_distances[2:] == (-1, -1) and min(a.example_distances[:2]) >= 50


def test_per_model_and_per_seed_accessors(tiny_result):
    r = tiny_result
    assert r.by_model("parameters") == dict(zip(r.models, r.parameters))
    assert r.by_model("learned_at")["LSTM"] == r.learned_at[1]
    assert r.seed_mean("overall_auroc")["Transformer"] == pytest.approx(np.mean(r.overall_auroc[2]))
    assert r.band_spread("CNN") == pytest.approx(max(r.mean_auroc("CNN")) - min(r.mean_auroc("CNN")))
    assert r.attention.mean("top1_enhancer") == pytest.approx(np.mean(r.attention.top1_enhancer))
    with pytest.raises(ValueError, match="name: expected one of the fields indexed by model"):
        r.by_model("bins")
    with pytest.raises(ValueError, match="name: expected 'overall_auroc' or 'overall_accuracy'"):
        r.seed_mean("auroc")
    with pytest.raises(ValueError, match="name: expected one of the per-seed fields"):
        r.attention.mean("examples")


def hand_set_hybrid():
    """A hybrid whose promoter bin is wired by hand to attend to the enhancer filter's bins.

    Exact-match filters for the enhancer (channel 0) and the promoter (channel 1);
    the embedding puts them in dimensions 14 and 12, where the sinusoidal
    positions are nearly 0 for 24 bins; the query reads dimension 12, the key
    dimension 14, so a promoter bin's score is large only at an enhancer bin.
    """
    from lensbook import dna
    from lensbook.models.transformer import HybridConfig, MotifStem
    from lensbook.tasks.long_range import ENHANCER, PROMOTER

    stem = MotifStem(2, 8, 40)
    model = HybridTransformer(HybridConfig(), stem)
    with torch.no_grad():
        for p in model.parameters():
            p.zero_()
        stem.conv.weight[0] = 10 * dna.one_hot(ENHANCER)
        stem.conv.weight[1] = 10 * dna.one_hot(PROMOTER)
        stem.conv.bias.fill_(-75.0)                       # +5 for an exact match, -5 or less otherwise
        model.embed.weight[14, 0] = model.embed.weight[12, 1] = 1.0
        model.attention.query.weight[0, 12] = 30.0
        model.attention.key.weight[0, 14] = 30.0
    return model


def test_read_attention_on_hand_set_attention():
    task = LongRangeTask()
    sites = lr.make_test_set(task, 100, 100)
    reading = tf.read_attention(hand_set_hybrid(), sites, selection=lr.make_test_set(task, 20, 20, seed=7))
    assert reading["n_positive"] == reading["n_negative"] == 100
    assert reading["heads"] == 2 and reading["head"] == 0         # head 1 is all zeros: uniform attention
    assert reading["head_enhancer_weight"][1] == pytest.approx(1 / 24)
    assert reading["top1_enhancer"] >= 0.98       # a chance second exact match can split the weight
    assert reading["enhancer_weight"] > 0.95
    assert reading["example_marks"][:2] == tuple(int(s) // 40 for s in sites.enhancer_start[:2])
    assert reading["peak_negative"] < reading["peak_positive"]


def test_read_attention_rejects_other_models():
    sites = lr.make_test_set(LongRangeTask(), 5, 5)
    with pytest.raises(ValueError, match="model: expected a HybridTransformer"):
        tf.read_attention(nn.Linear(2, 2), sites)


def test_band_scores_by_hand():
    task = LongRangeTask()
    sites = lr.make_test_set(task, 200, 100)
    scores = torch.where(sites.y == 1, sites.distance.float() / 750, torch.rand(300, generator=torch.Generator().manual_seed(0)))
    aurocs, accuracies = lr.band_scores(scores - 0.5, sites, (50, 400, 750))
    near = (sites.distance >= 50) & (sites.distance < 400)
    select = near | (sites.y == 0)
    assert aurocs[0] == pytest.approx(metrics.auroc(scores[select], sites.y[select]))
    specificity = float((scores[sites.y == 0] <= 0.5).float().mean())
    far = sites.distance >= 400
    assert accuracies[1] == pytest.approx((float((scores[far] > 0.5).float().mean()) + specificity) / 2)


def test_test_set_is_fixed_and_balanced():
    task = LongRangeTask()
    a, b = lr.make_test_set(task, 30, 20), lr.make_test_set(task, 30, 20)
    assert torch.equal(a.x, b.x)
    assert int(a.y.sum()) == 30 and len(a.y) == 50


def test_steps_to_learn():
    # the mean of 25 steps drops below 0.5 once 9 of them are 0.1: 0.7 - 9 * 0.6 / 25 = 0.484
    assert lr.steps_to_learn(TrainLog((0.7,) * 30 + (0.1,) * 30)) == 30 + 8
    assert lr.steps_to_learn(TrainLog((0.7,) * 60)) == -1
    assert lr.steps_to_learn(TrainLog((0.1,) * 10)) == -1


def test_logits_restore_the_mode():
    task = LongRangeTask()
    model = lr.build_head("CNN", lr.pretrain_stem(task, steps=1), 20, seed=0).train()
    out = lr.logits(model, task.sample(4, torch.Generator())[0])
    assert out.shape == (4,) and model.training and not out.requires_grad


def test_unknown_head_is_rejected():
    with pytest.raises(ValueError, match=r"kind: expected one of \('CNN', 'LSTM', 'Transformer'\)"):
        lr.build_head("GRU", None, 20, seed=0)


def test_unknown_models_are_rejected():
    with pytest.raises(ValueError, match="models: expected a subset of"):
        lr.accuracy_vs_distance(models=("MLP",))


def test_no_seeds_is_rejected():
    with pytest.raises(ValueError, match="seeds: expected at least one seed"):
        lr.accuracy_vs_distance(seeds=())


# -- the Transformer page's counts ----------------------------------------------------------


def test_flop_counts_match_the_formulas():
    r = tf.attention_costs_for(lengths=(64, 128), width=16, heads=2, kernel=5)
    d = 16
    for i, L in enumerate((64, 128)):
        assert r.flops["attention"][i] == 8 * L * d * d + 4 * L * L * d     # 4 projections, QKᵀ, αV
        assert r.flops["convolution"][i] == 2 * L * 5 * d * d
        assert r.flops["LSTM"][i] == 2 * L * 4 * d * (d + d)                 # 4 gates, input and hidden
        assert r.attention_matrix_bytes[i] == 2 * L * L * 4
    assert r.slope("convolution") == pytest.approx(1.0)
    assert 1.5 < r.slope("attention") < 2.0
    assert r.flops_ratio("attention", "convolution")[1] == pytest.approx(r.flops["attention"][1] / r.flops["convolution"][1])


def test_lstm_count_equals_an_unfused_lstm():
    lstm = nn.LSTM(8, 8, batch_first=True, device="meta")
    counter = torch.utils.flop_counter.FlopCounterMode(display=False)
    with counter:
        lstm(torch.zeros(1, 6, 8, device="meta"))                # on meta the LSTM runs step by step
    assert tf.count_flops(nn.LSTM(8, 8, batch_first=True), 6, 8) == counter.get_total_flops()


def test_cost_layers_have_the_same_width():
    layers = tf.cost_layers(width=32, heads=4, kernel=3)
    assert isinstance(layers["attention"], MultiHeadAttention) and layers["attention"].d_model == 32
    assert layers["convolution"].out_channels == 32 and layers["LSTM"].hidden_size == 32


def test_bench_returns_rows_for_every_layer_and_length():
    rows = tf.bench_attention_costs(lengths=(16, 32), width=8, heads=2, kernel=3, repeats=1)
    assert [(r["layer"], r["L"]) for r in rows] == [(n, L) for L in (16, 32) for n in ("attention", "convolution", "LSTM")]
    assert all(r["ms"] > 0 for r in rows)
    # the attention weights alone are heads * L * L float32 values
    attention_32 = next(r for r in rows if r["layer"] == "attention" and r["L"] == 32)
    assert attention_32["peak_MiB"] * 2**20 >= 2 * 32 * 32 * 4 * 0.99


def test_positional_encoding_result():
    r = tf.positional_encoding(positions=64, d_model=16, anchors=(10, 40))
    assert r.table.shape == (64, 16) and r.similarity.shape == (2, 64)
    assert r.similarity[0, 10] == pytest.approx(1.0)
    assert r.neighbour_similarity > r.far_similarity
    assert math.isclose(float(np.abs(r.table).max()), 1.0, abs_tol=1e-6)


def test_cost_lengths_are_checked():
    with pytest.raises(ValueError, match="lengths: expected at least two positive ints"):
        tf.attention_costs_for(lengths=(256,))


def test_summaries_need_one_reading_per_seed():
    with pytest.raises(ValueError, match="readings: expected one reading per seed"):
        tf.summarise_readings((0, 1), [])


def test_hybrid_is_what_long_range_trains():
    task = LongRangeTask()
    model = lr.build_head("Transformer", lr.pretrain_stem(task, steps=1), 20, seed=0)
    assert isinstance(model, HybridTransformer) and model.config.readout_bin == 20


# -- the query/key/value schematic -----------------------------------------------------------


def test_qkv_schematic_shows_the_trained_transformer(tiny_result):
    r = tf.qkv_schematic()
    c = r.config
    assert c == tiny_result.transformer_config               # the very config long_range trains
    assert r.matches_model and r.d_head == c.d_model // c.heads
    s = r.shapes
    assert s["stem"] == (c.bins, c.channels) and s["W_embed"] == (c.channels, c.d_model)
    assert s["x"] == s["Q"] == s["K"] == s["V"] == s["Z"] == s["output"] == (c.bins, c.d_model)
    assert s["W_Q"] == s["W_K"] == s["W_V"] == s["W_O"] == (c.d_model, c.d_model)
    assert s["Q_head"] == s["K_head"] == s["V_head"] == s["Z_head"] == (c.bins, r.d_head)
    assert s["scores"] == s["alpha"] == (c.heads, c.bins, c.bins)


def test_qkv_shapes_rejects_other_models_and_batches():
    task = LongRangeTask()
    model = lr.build_head("Transformer", lr.pretrain_stem(task, steps=1), 20, seed=0)
    with pytest.raises(ValueError, match="model: expected a HybridTransformer"):
        tf.qkv_shapes(nn.Linear(2, 2), torch.zeros(1, 4, 1000))
    with pytest.raises(ValueError, match=r"x: expected one one-hot sequence of shape \(1, 4, L\)"):
        tf.qkv_shapes(model, torch.zeros(2, 4, 1000))
