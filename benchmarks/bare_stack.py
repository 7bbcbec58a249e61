"""The bare stack (issue 12's anchor, made lean in issue 20): the app one would write instead of the API.

Flask + the official Elasticsearch client, written the way an engineer who knows both would write
it: the client's orjson serializer, ``filter_path`` for what a page reads (the total, the hits'
documents, the facets, the suggestions), and the answer written with orjson - no validation, no
shaping, no logging, no cache headers, no rate limit, no analytics. The hand-written body of each
question (``hand_bodies``), asked again with typos only when nothing matched.

Served the same way as the API under test (``api_speed.py`` starts it): gunicorn gthread
(``gunicorn -k gthread -w 2 --threads 4 bare_stack:app`` from benchmarks/) or granian's WSGI
interface (``granian --interface wsgi --workers 2 --blocking-threads 4 bare_stack:app``).

Connection from BARE_ES_URL, BARE_ES_USERNAME, BARE_ES_PASSWORD; the alias from BARE_ES_ALIAS.
"""
from __future__ import annotations

import os

import orjson
from elasticsearch import Elasticsearch, OrjsonSerializer
from flask import Flask, Response, request

from hand_bodies import bodies_for

es = Elasticsearch(os.environ["BARE_ES_URL"], basic_auth=(os.environ["BARE_ES_USERNAME"], os.environ["BARE_ES_PASSWORD"]),
                   request_timeout=1.0, serializer=OrjsonSerializer())
ALIAS = os.environ["BARE_ES_ALIAS"]
# What the page shows: the count, each site's document and distance, the facets, the suggestions.
PAGE_FIELDS = "hits.total,hits.hits._source,hits.hits.sort,aggregations,suggest.*.options.text,suggest.*.options._source"
app = Flask(__name__)


@app.get("/api/v1/partners")
@app.get("/api/v1/suggest")
def answer():
    for body in bodies_for(request.args.to_dict(flat=False)):  # until something is found
        found = es.search(index=ALIAS, body=body, filter_path=PAGE_FIELDS).body
        if found.get("hits", {}).get("hits") or "suggest" in found:
            break
    return Response(orjson.dumps(found), mimetype="application/json")
