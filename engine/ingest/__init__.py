"""Reading what staff are given into observations with provenance."""
from .reader import read_inputs

__all__ = ["read_inputs"]
