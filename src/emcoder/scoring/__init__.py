"""Scoring: MDM elements, 2-of-3 level, E/M code by MDM and by time."""
