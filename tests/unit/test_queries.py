"""Query builders are pure: parameters in, the exact Elasticsearch body out (no cluster needed)."""
from locator.core.geo import Origin, distance_km
from locator.api.queries import (
    FACETS,
    RESULT_FIELDS,
    TEXT_FIELDS,
    build_company_suggest,
    build_listed_page,
    build_markers,
    build_nearest,
    build_partner_sites,
    build_postal_areas,
    build_search,
    facet_aggs,
    facet_filters,
    text_query,
    typos_may_help,
)

AARHUS = Origin(56.15674, 10.21076, "Århus, DK", "2624652")
DEFAULTS = {"radius_km": 100.0, "page": 1, "per_page": 20}
GEO_SORT = {"_geo_distance": {"location": {"lat": 56.15674, "lon": 10.21076}, "order": "asc", "unit": "km",
                              "distance_type": "arc"}}


def test_a_plain_search_is_match_all_by_relevance_with_tier_boost_and_stable_ties():
    body = build_search(DEFAULTS, None, {})
    assert body["query"] == {"function_score": {
        "query": {"bool": {"must": [{"match_all": {}}], "filter": []}},
        "functions": [{"filter": {"term": {"tier": "premier"}}, "weight": 1.5}],
        "score_mode": "multiply", "boost_mode": "multiply"}}
    assert body["sort"] == [{"_score": "desc"}, {"name_sort": "asc"}, {"site_id": "asc"}]
    assert body["post_filter"] == {"match_all": {}}
    assert (body["from"], body["size"], body["track_total_hits"]) == (0, 20, 10_000)
    assert body["_source"] == RESULT_FIELDS
    assert "collapse" not in body


def test_an_origin_filters_by_arc_radius_and_sorts_by_distance_by_default():
    body = build_search({**DEFAULTS, "radius_km": 25.0}, AARHUS, {})
    assert body["query"] == {"bool": {"must": [{"match_all": {}}], "filter": [
        {"geo_distance": {"distance": "25.0km", "distance_type": "arc", "location": {"lat": 56.15674, "lon": 10.21076}}}]}}
    assert body["sort"] == [GEO_SORT, {"site_id": "asc"}]


def test_relevance_with_an_origin_adds_a_distance_decay_and_distance_tie_break():
    body = build_search({**DEFAULTS, "sort": "relevance", "q": "retail"}, AARHUS, {})
    functions = body["query"]["function_score"]["functions"]
    assert functions[1] == {"gauss": {"location": {"origin": {"lat": 56.15674, "lon": 10.21076}, "scale": "50.0km",
                                                   "decay": 0.5}}}
    assert body["sort"] == [{"_score": "desc"}, GEO_SORT, {"name_sort": "asc"}, {"site_id": "asc"}]


def test_name_sort_uses_the_folded_name_then_site_id():
    assert build_search({**DEFAULTS, "sort": "name"}, AARHUS, {})["sort"] == [{"name_sort": "asc"}, {"site_id": "asc"}]


def _exact(word):
    return {"multi_match": {"query": word, "fields": TEXT_FIELDS, "boost": 3.0}}


def _typo_tolerant(word):
    return {"bool": {"should": [_exact(word), {"multi_match": {"query": word, "fields": TEXT_FIELDS,
                                                               "fuzziness": "AUTO", "prefix_length": 1}}]}}


def test_text_is_folded_and_every_word_must_match_some_field_exactly_unless_typos_are_allowed():
    assert text_query(["zurich", "retail"], {}) == {"bool": {"must": [_exact("zurich"), _exact("retail")]}}
    assert text_query(["zurich", "retail"], {}, typos=True) == {"bool": {"must": [_typo_tolerant("zurich"),
                                                                                  _typo_tolerant("retail")]}}
    body = build_search({**DEFAULTS, "q": "  ZÜRICH   Retail "}, None, {})
    assert body["query"]["function_score"]["query"]["bool"]["must"] == [text_query(["zurich", "retail"], {})]
    typos = build_search({**DEFAULTS, "q": "  ZÜRICH   Retail "}, None, {}, typos=True)
    assert typos["query"]["function_score"]["query"]["bool"]["must"] == [text_query(["zurich", "retail"], {}, typos=True)]


def test_asking_again_with_typos_only_helps_words_of_three_letters_or_more_without_digits():
    assert typos_may_help("secruity") and typos_may_help("80590 aarhus")
    assert not typos_may_help("80590") and not typos_may_help("ab 12") and not typos_may_help(None)
    assert text_query(["ab", "8000"], {}, typos=True) == {"bool": {"must": [_exact("ab"), _exact("8000")]}}


def test_words_with_digits_are_never_fuzzy_and_punctuation_alone_is_no_word():
    assert text_query(["8000"], {}, typos=True) == {"bool": {"must": [_exact("8000")]}}
    body = build_search({**DEFAULTS, "q": "!!! ?"}, None, {})
    assert body["query"]["function_score"]["query"]["bool"]["must"] == [{"match_all": {}}]


def test_a_word_naming_a_place_also_matches_that_places_sites():
    clause = text_query(["kobenhavn"], {"kobenhavn": ["2618425"]}, typos=True)["bool"]["must"][0]
    assert clause == {"bool": {"should": [_typo_tolerant("kobenhavn"), {"terms": {"place_id": ["2618425"], "boost": 2.0}}]}}


def test_query_syntax_is_never_parsed():
    words = build_search({**DEFAULTS, "q": 'title:"x" OR (a AND b*)'}, None, {})
    assert "query_string" not in str(words) and "simple_query_string" not in str(words)


def test_filters_go_to_post_filter_and_cert_means_all_of_them():
    params = {**DEFAULTS, "tier": ["premier"], "cert": ["MCIT", "MCDE", "MCIT"], "country": ["DK", "SE"],
              "language": ["da"], "industry": ["retail"]}
    assert facet_filters(params) == {
        "tier": {"terms": {"tier": ["premier"]}},
        "country": {"terms": {"country": ["DK", "SE"]}},
        "language": {"terms": {"languages": ["da"]}},
        "industry": {"terms": {"industries": ["retail"]}},
        "cert": {"bool": {"filter": [{"range": {"certifications.MCDE": {"gte": 1}}},
                                     {"range": {"certifications.MCIT": {"gte": 1}}}]}},
    }
    body = build_search(params, None, {})
    assert len(body["post_filter"]["bool"]["filter"]) == 5


def test_each_facet_counts_with_every_filter_but_its_own():
    filters = facet_filters({"tier": ["premier"], "country": ["DK"]})
    aggs = facet_aggs(filters)
    assert aggs["facet_tier"] == {"filter": {"bool": {"filter": [{"terms": {"country": ["DK"]}}]}},
                                  "aggs": {"values": {"terms": {"field": "tier", "size": 2}}}}
    assert aggs["facet_country"]["filter"] == {"bool": {"filter": [{"terms": {"tier": ["premier"]}}]}}
    assert aggs["facet_language"]["filter"]["bool"]["filter"] == [{"terms": {"country": ["DK"]}},
                                                                  {"terms": {"tier": ["premier"]}}]
    assert aggs["facet_cert"]["aggs"]["values"]["filters"]["filters"]["MCIE"] == {"range": {"certifications.MCIE": {"gte": 1}}}


def test_pages_map_to_from_and_size():
    body = build_search({**DEFAULTS, "page": 3, "per_page": 50}, None, {})
    assert (body["from"], body["size"]) == (100, 50)


def test_collapse_by_partner_counts_other_sites_and_partners():
    body = build_search({**DEFAULTS, "collapse": "partner"}, AARHUS, {})
    assert body["collapse"] == {"field": "partner_id", "inner_hits": {"name": "partner_sites", "size": 0}}
    assert body["aggs"]["partners"] == {"filter": {"match_all": {}}, "aggs": {"count": {
        "cardinality": {"field": "partner_id", "precision_threshold": 40000}}}}


def test_the_nearest_fallback_drops_the_radius_but_keeps_the_filters_and_collapse():
    body = build_nearest({**DEFAULTS, "tier": ["premier"], "page": 4}, AARHUS, {})
    assert body["query"] == {"bool": {"must": [{"match_all": {}}], "filter": []}}
    assert body["post_filter"] == {"bool": {"filter": [{"terms": {"tier": ["premier"]}}]}}
    assert (body["from"], body["size"], body["sort"]) == (0, 5, [GEO_SORT, {"site_id": "asc"}])
    assert "aggs" not in body and "collapse" not in body
    collapsed = build_nearest({**DEFAULTS, "collapse": "partner"}, AARHUS, {})
    assert collapsed["collapse"]["field"] == "partner_id"


def test_markers_filter_the_view_and_cluster_by_geotile_with_centroids():
    body = build_markers({"tier": ["advanced"]}, (50.0, 170.0, 60.0, -170.0), 4, {}, max_points=500, max_clusters=2000)
    assert body["query"] == {"bool": {"filter": [
        {"geo_bounding_box": {"location": {"top_left": {"lat": 60.0, "lon": 170.0},
                                           "bottom_right": {"lat": 50.0, "lon": -170.0}}}},
        {"terms": {"tier": ["advanced"]}}]}}
    assert body["size"] == 500 and body["track_total_hits"] is True
    assert body["aggs"] == {"cells": {"geotile_grid": {"field": "location", "precision": 6, "size": 2000},
                                      "aggs": {"centroid": {"geo_centroid": {"field": "location"}}}}}


def test_a_search_in_a_box_filters_and_counts_facets_there_with_no_radius_and_no_fallback_radius():
    # "Search this area" across the antimeridian, with the visitor's position: the box replaces the radius.
    body = build_search({**DEFAULTS, "bbox": (-50.0, 170.0, -30.0, -170.0), "tier": ["premier"]}, AARHUS, {})
    assert body["query"] == {"bool": {"must": [{"match_all": {}}], "filter": [
        {"geo_bounding_box": {"location": {"top_left": {"lat": -30.0, "lon": 170.0},
                                           "bottom_right": {"lat": -50.0, "lon": -170.0}}}}]}}
    assert body["post_filter"] == {"bool": {"filter": [{"terms": {"tier": ["premier"]}}]}}
    assert body["aggs"]["facet_tier"] == {"terms": {"field": "tier", "size": 2}}  # facets count in the box (the base query)
    assert body["sort"] == [GEO_SORT, {"site_id": "asc"}]


def test_a_box_and_a_country_from_the_text_both_scope_the_search():
    body = build_search({**DEFAULTS, "bbox": (54.0, 7.0, 58.0, 13.0)}, None, {}, country="DK")
    assert body["query"]["function_score"]["query"]["bool"]["filter"] == [
        {"term": {"country": "DK"}},
        {"geo_bounding_box": {"location": {"top_left": {"lat": 58.0, "lon": 7.0}, "bottom_right": {"lat": 54.0, "lon": 13.0}}}}]


def test_every_listed_site_is_paged_through_a_point_in_time_in_site_id_order():
    pit = {"id": "abc", "keep_alive": "1m"}
    assert build_listed_page(pit, None, 5000) == {"pit": pit, "size": 5000, "sort": [{"site_id": "asc"}],
                                                  "track_total_hits": False, "_source": False}
    assert build_listed_page(pit, ["S0002", 17], 100, start="S0001", fields=("company", "address.city")) == {
        "pit": pit, "size": 100, "sort": [{"site_id": "asc"}], "track_total_hits": False,
        "_source": ["company", "address.city"], "query": {"range": {"site_id": {"gte": "S0001"}}},
        "search_after": ["S0002", 17]}


def test_cluster_precision_keeps_every_match_in_a_cluster_whatever_the_view():
    from locator.api.queries import cluster_precision

    assert cluster_precision(3, -180, 180, 2000) == 5  # zoom + 2 fits: 32 x 32 tiles <= 2000
    assert cluster_precision(12, -180, 180, 2000) == 5  # a world view at high zoom is capped
    assert cluster_precision(12, -180, 180, 16) == 2  # 4 x 4 tiles
    assert cluster_precision(12, 10.0, 10.5, 2000) == 14  # a city view gets zoom + 2
    assert cluster_precision(4, 170, -170, 2000) == 6  # across the antimeridian: 20 degrees wide


def test_partner_sites_are_the_same_partner_and_country_without_the_site_itself():
    assert build_partner_sites("P1", "DK", "S1")["query"] == {"bool": {
        "filter": [{"term": {"partner_id": "P1"}}, {"term": {"country": "DK"}}],
        "must_not": [{"term": {"site_id": "S1"}}]}}


def test_company_suggestions_are_folded_and_fuzzy_only_for_longer_prefixes():
    short = build_company_suggest("Nø")
    assert short["suggest"] == {"companies": {"prefix": "no", "completion": {
        "field": "company_suggest", "size": 5, "skip_duplicates": True}}}
    assert build_company_suggest("Nordl")["suggest"]["companies"]["completion"]["fuzzy"] == {"fuzziness": 1}


def test_distances_are_great_circle_on_the_mean_earth_radius():
    assert distance_km(0, 0, 0, 0) == 0
    assert abs(distance_km(0, 179.5, 0, -179.5) - 111.195) < 0.01  # across the antimeridian, not 359 degrees
    assert abs(distance_km(89.9, 0, 89.9, 180) - 22.239) < 0.01  # over the pole
    assert abs(distance_km(56.15674, 10.21076, 55.67594, 12.56553) - 156.1) < 0.5  # Aarhus - Copenhagen


# ---------------------------------------------------------------- a country read from the visitor's text


def test_a_country_from_the_text_scopes_the_search_and_its_facets_and_ranks_by_relevance():
    body = build_search(DEFAULTS, None, {}, country="DK")
    assert body["query"] == {"function_score": {
        "query": {"bool": {"must": [{"match_all": {}}], "filter": [{"term": {"country": "DK"}}]}},
        "functions": [{"filter": {"term": {"tier": "premier"}}, "weight": 1.5}],
        "score_mode": "multiply", "boost_mode": "multiply"}}
    assert body["sort"] == [{"_score": "desc"}, {"name_sort": "asc"}, {"site_id": "asc"}]
    assert body["aggs"]["facet_country"] == {"terms": {"field": "country", "size": 250}}  # the scope is in the query, not a facet filter


def test_a_country_from_the_text_intersects_a_country_filter():
    body = build_search({**DEFAULTS, "country": ["SE", "DK"]}, None, {}, country="DK")
    assert body["query"]["function_score"]["query"]["bool"]["filter"] == [{"term": {"country": "DK"}}]
    assert body["post_filter"] == {"bool": {"filter": [{"terms": {"country": ["DK", "SE"]}}]}}


def test_a_country_with_the_visitors_position_orders_by_distance_without_a_radius():
    body = build_search(DEFAULTS, AARHUS, {}, country="DK")
    assert body["query"] == {"bool": {"must": [{"match_all": {}}], "filter": [{"term": {"country": "DK"}}]}}
    assert body["sort"] == [GEO_SORT, {"site_id": "asc"}]


def test_markers_take_the_country_from_the_text_as_a_filter():
    body = build_markers({}, (54.0, 7.0, 58.0, 13.0), 6, {}, max_points=500, max_clusters=400, country="DK")
    assert body["query"]["bool"]["filter"][1] == {"term": {"country": "DK"}}


def test_a_postal_code_is_looked_up_exactly_in_any_case_per_country():
    assert build_postal_areas(" sw1a 1aa ", ["GB"]) == {
        "size": 0, "track_total_hits": False,
        "query": {"bool": {"filter": [{"term": {"address.postal_code": {"value": "sw1a 1aa", "case_insensitive": True}}},
                                      {"terms": {"country": ["GB"]}}]}},
        "aggs": {"countries": {"terms": {"field": "country", "size": 5}, "aggs": {
            "centre": {"geo_centroid": {"field": "location"}},
            "city": {"top_hits": {"size": 1, "_source": ["address.city"], "sort": [{"site_id": "asc"}]}}}}}}
    assert build_postal_areas("8000")["query"]["bool"]["filter"] == [
        {"term": {"address.postal_code": {"value": "8000", "case_insensitive": True}}}]


def test_facets_are_counted_on_page_one_or_when_asked_never_otherwise():
    assert set(build_search(DEFAULTS, None, {})["aggs"]) == {f"facet_{name}" for name in FACETS}
    assert "aggs" not in build_search({**DEFAULTS, "page": 2}, None, {})
    assert "facet_tier" in build_search({**DEFAULTS, "page": 2, "facets": True}, None, {})["aggs"]
    assert "aggs" not in build_search({**DEFAULTS, "facets": False}, None, {})
    collapsed = build_search({**DEFAULTS, "page": 3, "collapse": "partner"}, None, {})
    assert list(collapsed["aggs"]) == ["partners"]  # the partner count stays: it is the total


def test_a_facet_no_other_filter_narrows_is_a_top_level_aggregation():
    # A match_all filter around it would only cost Elasticsearch its fast path (~1.3 ms a search here).
    aggs = facet_aggs(facet_filters({"tier": ["premier"]}))
    assert aggs["facet_tier"] == {"terms": {"field": "tier", "size": 2}}
    assert aggs["facet_country"] == {"filter": {"bool": {"filter": [{"terms": {"tier": ["premier"]}}]}},
                                     "aggs": {"values": {"terms": {"field": "country", "size": 250}}}}
