"""The baseline of the benchmark: what Flask itself does on this machine."""
