"""The graph itself: what the bundled graph is, parsing RDF files safely, and OWL RL inference.

Depends only on the base modules (config, progress); everything else builds on it."""
