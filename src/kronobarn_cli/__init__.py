"""kronobarn: a guided terminal tool for collaboration under Kronobarnsmodellen."""

__version__ = "0.1.0"
