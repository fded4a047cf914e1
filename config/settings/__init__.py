"""Settings packages: base (shared), dev (the default), production and test."""
