"""Executing notebooks: kernels, the warm kernel, one department's render, batches, the index page."""
