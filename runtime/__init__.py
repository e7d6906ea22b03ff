"""The runtime half of flowc: runs a plan as a software flow collector."""
