"""The served dataset: a local pyoxigraph store built from validated files, or an existing
SPARQL store reached over HTTP; pushing a graph into such a store."""
