"""The bare stack (issue 12's anchor): the app one would write instead of the Partner Locator API.

Flask + the official Elasticsearch client with its defaults, the hand-written body of each question
(``hand_bodies``), and Elasticsearch's answer passed through as JSON: no validation, no shaping, no
logging, no cache headers. Served by gunicorn with the same worker and thread settings as
``partner-locator serve``: ``gunicorn -k gthread -w 2 --threads 4 bare_stack:app`` from benchmarks/.

Connection from BARE_ES_URL, BARE_ES_USERNAME, BARE_ES_PASSWORD; the alias from BARE_ES_ALIAS.
"""
from __future__ import annotations

import os

from elasticsearch import Elasticsearch
from flask import Flask, request

from hand_bodies import bodies_for

es = Elasticsearch(os.environ["BARE_ES_URL"], basic_auth=(os.environ["BARE_ES_USERNAME"], os.environ["BARE_ES_PASSWORD"]),
                   request_timeout=1.0)
ALIAS = os.environ["BARE_ES_ALIAS"]
app = Flask(__name__)


@app.get("/api/v1/partners")
@app.get("/api/v1/suggest")
def answer():
    for body in bodies_for(request.args.to_dict(flat=False)):  # until something is found
        found = es.search(index=ALIAS, body=body).body
        if found["hits"]["hits"] or "suggest" in found:
            break
    return found
