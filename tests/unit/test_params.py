"""Request parameters: strict validation with every bad field named."""
import pytest
from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict

from locator.api.params import MarkersParams, SearchParams, SuggestParams, load_params


def search(**args) -> dict:
    return load_params(SearchParams(), MultiDict(args))


def errors_of(schema, pairs) -> dict:
    with pytest.raises(ValidationError) as caught:
        load_params(schema, MultiDict(pairs))
    return caught.value.messages


def test_defaults():
    assert search() == {"radius_km": 100.0, "page": 1, "per_page": 20}


def test_repeatable_filters_take_every_value_and_codes_are_normalised():
    params = load_params(SearchParams(), MultiDict([("tier", "premier"), ("tier", "advanced"), ("cert", "mcde"),
                                                    ("country", "dk"), ("language", "DA")]))
    assert params["tier"] == ["premier", "advanced"]
    assert (params["cert"], params["country"], params["language"]) == (["MCDE"], ["DK"], ["da"])


@pytest.mark.parametrize(("pairs", "named"), [
    ([("lat", "abc"), ("lon", "1")], "lat"),
    ([("lat", "91"), ("lon", "1")], "lat"),
    ([("lat", "nan"), ("lon", "1")], "lat"),
    ([("lat", "10")], "lon"),
    ([("lon", "10")], "lat"),
    ([("lat", "1"), ("lon", "1"), ("near", "Aarhus")], "origin"),
    ([("near", "Aarhus"), ("place", "2624652")], "origin"),
    ([("place", "drop table")], "place"),
    ([("radius_km", "20001")], "radius_km"),
    ([("radius_km", "0")], "radius_km"),
    ([("q", "x" * 201)], "q"),
    ([("tier", "authorized")], "tier"),
    ([("cert", "MCXX")], "cert"),
    ([("country", "Denmark")], "country"),
    ([("per_page", "51")], "per_page"),
    ([("page", "0")], "page"),
    ([("page", "501"), ("per_page", "20")], "page"),
    ([("sort", "distance")], "sort"),
    ([("sort", "random")], "sort"),
    ([("collapse", "company")], "collapse"),
    ([("page", "1"), ("page", "2")], "page"),
    ([("size", "10")], "size"),
])
def test_each_bad_parameter_is_named(pairs, named):
    assert named in errors_of(SearchParams(), pairs)


def test_several_bad_parameters_are_all_named_at_once():
    assert {"lat", "per_page", "bogus"} <= set(errors_of(SearchParams(), [("lat", "x"), ("lon", "1"), ("per_page", "0"),
                                                                         ("bogus", "1")]))


def test_the_last_reachable_page_is_allowed():
    assert search(page="500", per_page="20")["page"] == 500


NOT_FOUR_NUMBERS, OUT_OF_RANGE = "must be four numbers S,W,N,E", "must satisfy -90 <= S <= N <= 90 and -180 <= W, E <= 180"


@pytest.mark.parametrize(("bbox", "why"), [("1,2,3", NOT_FOUR_NUMBERS), ("a,b,c,d", NOT_FOUR_NUMBERS),
                                           ("10,0,5,10", OUT_OF_RANGE), ("0,-181,10,10", OUT_OF_RANGE),
                                           ("-91,0,10,10", OUT_OF_RANGE)])
@pytest.mark.parametrize("schema", [MarkersParams(), SearchParams()])
def test_markers_and_search_need_a_well_formed_bbox_by_the_same_rules(schema, bbox, why):
    assert errors_of(schema, [("bbox", bbox)])["bbox"] == [why]


def test_markers_accept_a_bbox_across_the_antimeridian():
    loaded = load_params(MarkersParams(), MultiDict({"bbox": "-50,170,-30,-170", "zoom": "4"}))
    assert loaded["zoom"] == 4 and loaded["bbox"] == (-50.0, 170.0, -30.0, -170.0)


def test_a_search_takes_a_bbox_as_numbers_and_needs_none():
    assert search(bbox="-50,170,-30,-170", q="retail") == {**search(q="retail"), "bbox": (-50.0, 170.0, -30.0, -170.0)}
    assert "bbox" not in search()
    assert errors_of(SearchParams(), [("bbox", "0,0,1,1"), ("bbox", "0,0,2,2")]) == {"bbox": ["given more than once"]}


def test_suggest_needs_q():
    assert "q" in errors_of(SuggestParams(), [])
