"""gridreport: 随手拍 grid governance — the API, the CLI and the background worker."""
