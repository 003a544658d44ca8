"""Media: photo uploads, their renditions and where they are stored."""
