"""Reading what staff are given into observations with provenance."""
from .reader import read_case, read_inputs

__all__ = ["read_case", "read_inputs"]
