"""The local Elasticsearch cluster the project fetches from Maven Central and runs itself."""
