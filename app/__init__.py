"""Trinvis: step-by-step plans, check-ins and eftervend follow-ups for young people."""
