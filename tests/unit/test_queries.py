"""Query building rules that are pure functions (no cluster needed): what a visitor's words become,
when asking again with typos can help, the relevance decay, map clustering, distances, and the shape
that keeps facets cheap.

What a search finds, and in what order, is checked against the real node instead
(tests/integration/test_api_search.py, test_query_behaviour.py, test_text_search.py,
test_api_endpoints.py): a request body says how a rule is written, not that Elasticsearch applies it.
"""
from locator.api.queries import (
    MAX_QUERY_WORDS,
    build_search,
    cluster_precision,
    facet_aggs,
    facet_filters,
    query_words,
    typos_may_help,
)
from locator.core.geo import Origin, distance_km

AARHUS = Origin(56.15674, 10.21076, "Århus, DK", "2624652")
DEFAULTS = {"radius_km": 100.0, "page": 1, "per_page": 20}


def test_words_are_folded_and_punctuation_alone_is_no_word():
    assert query_words("  ZÜRICH   Retail ") == ["zurich", "retail"]
    assert query_words("!!! ? /.*/") == [] and query_words(None) == []
    assert len(query_words(" ".join(f"word{n}" for n in range(30)))) == MAX_QUERY_WORDS


def test_asking_again_with_typos_only_helps_words_of_three_letters_or_more_without_digits():
    assert typos_may_help("secruity") and typos_may_help("80590 aarhus")
    assert not typos_may_help("80590") and not typos_may_help("ab 12") and not typos_may_help(None)


def _strings(node, path=()):
    """(path, value) of every string in a request body."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(value, (*path, key))
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value, path)
    elif isinstance(node, str):
        yield path, node


def test_a_visitors_words_reach_elasticsearch_only_as_the_text_of_match_queries():
    """Query syntax is never parsed: each typed word is the text of a multi_match (analysed, never
    parsed), and every word must match, so an operator someone types is one more word to find."""
    q = 'title:"x" OR (a AND b*) -c'
    words = query_words(q)
    assert words == ['title:"x"', "or", "(a", "and", "b*)", "-c"]
    for typos in (False, True):
        body = build_search({**DEFAULTS, "q": q, "sort": "relevance"}, AARHUS, {}, typos=typos)
        carried = [(path, value) for path, value in _strings(body) if value in words]
        # each word once, and with typos allowed a second time (fuzzy) when it is long enough to have one
        expected = [word for word in words for _ in range(2 if typos and typos_may_help(word) else 1)]
        assert sorted(value for _, value in carried) == sorted(expected)
        assert {path[-2:] for path, _ in carried} == {("multi_match", "query")}
        must = body["query"]["function_score"]["query"]["bool"]["must"]
        assert len(must) == 1 and len(must[0]["bool"]["must"]) == len(words)  # one required clause per word


def test_the_distance_decay_halves_the_score_at_half_the_radius():
    body = build_search({**DEFAULTS, "radius_km": 80.0, "sort": "relevance", "q": "retail"}, AARHUS, {})
    (gauss,) = [function["gauss"]["location"] for function in body["query"]["function_score"]["functions"]
                if "gauss" in function]
    assert (gauss["scale"], gauss["decay"]) == ("40.0km", 0.5)


def test_cluster_precision_keeps_every_match_in_a_cluster_whatever_the_view():
    assert cluster_precision(3, -180, 180, 2000) == 5  # zoom + 2 fits: 32 x 32 tiles <= 2000
    assert cluster_precision(12, -180, 180, 2000) == 5  # a world view at high zoom is capped
    assert cluster_precision(12, -180, 180, 16) == 2  # 4 x 4 tiles
    assert cluster_precision(12, 10.0, 10.5, 2000) == 14  # a city view gets zoom + 2
    assert cluster_precision(4, 170, -170, 2000) == 6  # across the antimeridian: 20 degrees wide


def test_distances_are_great_circle_on_the_mean_earth_radius():
    assert distance_km(0, 0, 0, 0) == 0
    assert abs(distance_km(0, 179.5, 0, -179.5) - 111.195) < 0.01  # across the antimeridian, not 359 degrees
    assert abs(distance_km(89.9, 0, 89.9, 180) - 22.239) < 0.01  # over the pole
    assert abs(distance_km(56.15674, 10.21076, 55.67594, 12.56553) - 156.1) < 0.5  # Aarhus - Copenhagen


def test_a_facet_no_other_filter_narrows_is_a_top_level_aggregation():
    # Its counts are checked on the node (test_total_and_facets_equal_counts_from_the_documents); this is
    # about cost: a match_all filter around it would lose Elasticsearch's fast path (~1.3 ms a search here).
    aggs = facet_aggs(facet_filters({"tier": ["premier"]}))
    assert aggs["facet_tier"] == {"terms": {"field": "tier", "size": 2}}
    assert aggs["facet_country"] == {"filter": {"bool": {"filter": [{"terms": {"tier": ["premier"]}}]}},
                                     "aggs": {"values": {"terms": {"field": "country", "size": 250}}}}
