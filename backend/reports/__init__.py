"""Reports: a resident's tip arriving once, in the right grid, and what the reporter sees of it."""
