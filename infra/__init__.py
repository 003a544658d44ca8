"""How gridreport runs for real: one machine standing in for many (prod), and deployment files."""
