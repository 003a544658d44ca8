"""Surveys: questionnaires, anonymous answers, tallies (安全感 surveys and key-area 验收)."""
