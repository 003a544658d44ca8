"""Exports: case lists as CSV, statistics as an XLSX workbook."""
