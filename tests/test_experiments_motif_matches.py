"""Reading learned filters back as motifs: the matching rule."""

from lensbook import motifs
from lensbook.experiments.motif_matches import _rule


def test_matching_rule():
    gata5 = motifs.load_jaspar("MA0766.3")
    assert _rule(gata5, "MA0766.3", "GATA5", ("C4-GATA-related",)) == "same matrix"
    assert _rule(gata5, "MA9999.1", "Gata5", ()) == "same TF"
    assert _rule(gata5, "MA0482.3", "GATA4", ("C4-GATA-related",)) == "same family"
    assert _rule(gata5, "MA0108.3", "TBP", ("TBP-related factors",)) == "none"
