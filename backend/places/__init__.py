"""Places beside the region tree (key areas, patrol zones, school zones) and the cases in them."""
