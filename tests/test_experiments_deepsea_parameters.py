"""DeepSEA's parameters, counted layer by layer."""

import torch

from lensbook.experiments.deepsea_parameters import deepsea_parameters


def test_deepsea_parameters_experiment():
    r = deepsea_parameters()
    assert r.total == 52_843_119
    assert r.names == ("conv1", "conv2", "conv3", "fc", "out")
    assert abs(r.share("fc") - 47_064_925 / 52_843_119) < 1e-12
    assert 0.906 < r.dense_share < 0.907 and abs(r.conv_share + r.dense_share - 1) < 1e-12
    assert r.fc_inputs == 960 * 53
    assert r.n_outputs == 919 and r.pool == 4 and r.fc_positions == 53


def test_deepsea_receptive_field_matches_autograd():
    """The last feature maps' receptive field and step, checked on the real (tiny) DeepSEA layout."""
    from lensbook.models.deepsea import DeepSEA, DeepSEAConfig

    r = deepsea_parameters()
    assert (r.fc_receptive_field, r.fc_step) == (163, 16)
    model = DeepSEA(DeepSEAConfig(length=400, channels=(2, 2, 2), n_hidden=2, n_outputs=1)).eval()
    torch.nn.init.constant_(model.conv1.weight, 1.0)   # no zero weight: every tap carries a gradient
    torch.nn.init.constant_(model.conv2.weight, 1.0)
    torch.nn.init.constant_(model.conv3.weight, 1.0)
    model.pool = torch.nn.AvgPool1d(4)  # same windows as the max pool, but every input gets a gradient
    x = torch.ones(1, 4, 400, requires_grad=True)
    seen = {}
    hook = model.conv3.register_forward_hook(lambda m, i, o: seen.update(out=o))
    model(x)
    hook.remove()
    for j in (0, 1, 5):
        if x.grad is not None:
            x.grad = None
        seen["out"][0, 0, j].backward(retain_graph=True)
        used = torch.nonzero(x.grad[0].abs().sum(dim=0)).flatten()
        assert (int(used[0]), len(used)) == (j * r.fc_step, r.fc_receptive_field)
