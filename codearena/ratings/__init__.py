"""Scores from pairwise verdicts: win rate against a baseline with a question-level bootstrap."""
