"""督导与考核: inspections and their findings ledger, monthly reports, assessment, performance."""
