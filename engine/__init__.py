"""rtms-doctor: diagnoses Zoom Realtime Media Streams (RTMS) integration failures."""

__version__ = "0.1.0"
