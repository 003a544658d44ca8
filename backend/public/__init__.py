"""What the public reads: the area page (治安动态) and quarterly public reports."""
