"""Hotspots: 红黄蓝三级预警, every grid and every region above it coloured by its valid reports."""
