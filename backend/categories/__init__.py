"""Categories: what a report is about, who owns it, and how fast it must be handled."""
