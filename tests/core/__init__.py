"""Tests of jupytorch.core (a package, so that its test modules do not clash with same-named ones elsewhere)."""
