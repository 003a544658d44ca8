"""Statistics and the heat map: figures read from the case timeline."""
