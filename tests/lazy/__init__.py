"""Tests of the lazy-tensor layer (a package, so test module names never clash with other layers)."""
