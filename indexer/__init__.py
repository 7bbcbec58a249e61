"""The indexer: a partner export in, the listed sites out, in a live Elasticsearch index."""
