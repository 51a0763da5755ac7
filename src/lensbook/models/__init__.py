"""Models: one small nn.Module per concept, one architecture per file."""
