"""Fast checks of the long-range experiment and of the Transformer page's experiments.

The build's full run (three heads, three seeds, 400 steps each) takes tens of
seconds; here everything runs with a handful of steps, checking structure
and the arithmetic that does not depend on training.
"""

import numpy as np
import pytest
import torch
from torch import nn

from lensbook import metrics
from lensbook.experiments import long_range as lr
from lensbook.experiments import long_range_attention as attention
from lensbook.experiments import long_range_training as training
from lensbook.experiments import qkv_schematic as qkv
from lensbook.models.promoter_readout import HybridTransformer
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
    from lensbook.models.promoter_readout import HybridConfig, MotifStem
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
    sites = training.make_test_set(task, 100, 100)
    reading = attention.read_attention(hand_set_hybrid(), sites, selection=training.make_test_set(task, 20, 20, seed=7))
    assert reading["n_positive"] == reading["n_negative"] == 100
    assert reading["heads"] == 2 and reading["head"] == 0         # head 1 is all zeros: uniform attention
    assert reading["head_enhancer_weight"][1] == pytest.approx(1 / 24)
    assert reading["top1_enhancer"] >= 0.98       # a chance second exact match can split the weight
    assert reading["enhancer_weight"] > 0.95
    assert reading["example_marks"][:2] == tuple(int(s) // 40 for s in sites.enhancer_start[:2])
    assert reading["peak_negative"] < reading["peak_positive"]


def test_read_attention_restores_every_submodules_mode():
    task = LongRangeTask()
    model = training.build_head("Transformer", training.pretrain_stem(task, steps=1), 20, seed=0)
    attention.read_attention(model, training.make_test_set(task, 5, 5))
    assert model.training and not model.stem.training            # the frozen stem stays in eval mode


def test_read_attention_rejects_other_models():
    sites = training.make_test_set(LongRangeTask(), 5, 5)
    with pytest.raises(ValueError, match="model: expected a HybridTransformer"):
        attention.read_attention(nn.Linear(2, 2), sites)


def test_band_scores_by_hand():
    task = LongRangeTask()
    sites = training.make_test_set(task, 200, 100)
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
    a, b = training.make_test_set(task, 30, 20), training.make_test_set(task, 30, 20)
    assert torch.equal(a.x, b.x)
    assert int(a.y.sum()) == 30 and len(a.y) == 50


def test_steps_to_learn():
    # the mean of 25 steps drops below 0.5 once 9 of them are 0.1: 0.7 - 9 * 0.6 / 25 = 0.484
    assert training.steps_to_learn(TrainLog((0.7,) * 30 + (0.1,) * 30)) == 30 + 8
    assert training.steps_to_learn(TrainLog((0.7,) * 60)) == -1
    assert training.steps_to_learn(TrainLog((0.1,) * 10)) == -1


def test_logits_restore_the_mode():
    task = LongRangeTask()
    model = training.build_head("CNN", training.pretrain_stem(task, steps=1), 20, seed=0).train()
    out = training.logits(model, task.sample(4, torch.Generator())[0])
    assert out.shape == (4,) and model.training and not out.requires_grad


def test_unknown_head_is_rejected():
    with pytest.raises(ValueError, match=r"kind: expected one of \('CNN', 'LSTM', 'Transformer'\)"):
        training.build_head("GRU", None, 20, seed=0)


def test_unknown_models_are_rejected():
    with pytest.raises(ValueError, match="models: expected a subset of"):
        lr.accuracy_vs_distance(models=("MLP",))


def test_no_seeds_is_rejected():
    with pytest.raises(ValueError, match="seeds: expected at least one seed"):
        lr.accuracy_vs_distance(seeds=())


# -- the attention reading and the other experiments' use of these models -------------------


def test_parameters_are_the_heads_own_the_frozen_stem_is_not_counted(tiny_result):
    from lensbook.models import parameter_count

    task = LongRangeTask()
    stem = training.pretrain_stem(task, steps=1)
    for kind, n in tiny_result.by_model("parameters").items():
        head = training.build_head(kind, stem, 20, seed=0)
        assert n == parameter_count(head, trainable_only=True) == parameter_count(head) - parameter_count(stem)


def test_cnn_reach_follows_from_the_receptive_field(tiny_result):
    from dataclasses import replace

    r = tiny_result
    assert r.cnn_reach_bp == r.promoter_start - (r.promoter_start // r.bin_size - 7) * r.bin_size
    assert replace(r, cnn_receptive_field_bins=1).cnn_reach_bp == r.promoter_start % r.bin_size


def test_summaries_need_one_reading_per_seed():
    with pytest.raises(ValueError, match="readings: expected one reading per seed"):
        attention.summarise_readings((0, 1), [])


def test_hybrid_is_what_long_range_trains():
    task = LongRangeTask()
    model = training.build_head("Transformer", training.pretrain_stem(task, steps=1), 20, seed=0)
    assert isinstance(model, HybridTransformer) and model.config.readout_bin == 20


# -- the query/key/value schematic -----------------------------------------------------------


def test_qkv_schematic_shows_the_trained_transformer(tiny_result):
    r = qkv.qkv_schematic()
    c = r.config
    assert c == tiny_result.transformer_config               # the very config long_range trains
    assert r.matches_model and r.d_head == c.d_model // c.heads
    s = r.shapes
    assert s["stem"] == (c.bins, c.channels) and s["W_embed"] == (c.channels, c.d_model)
    assert s["x"] == s["Q"] == s["K"] == s["V"] == s["Z"] == s["output"] == (c.bins, c.d_model)
    assert s["W_Q"] == s["W_K"] == s["W_V"] == s["W_O"] == (c.d_model, c.d_model)
    assert s["Q_head"] == s["K_head"] == s["V_head"] == s["Z_head"] == (c.bins, r.d_head)
    assert s["scores"] == s["alpha"] == (c.heads, c.bins, c.bins)

