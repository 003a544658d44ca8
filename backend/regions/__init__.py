"""Regions: the district → street → community → grid tree, its import and point routing."""
