"""/api/v1/partners/markers accepts what its OpenAPI description allows, and refuses what is just
beyond it: requests are derived from the spec the app serves (each parameter's type, bounds,
pattern, enum), so a client or a fuzzer generating from the spec is not refused, and a bound the
validator enforces cannot go unstated. One parameter at a time, beside the required bbox
(``text`` and ``q`` exclude each other, as their descriptions say: no schema can state it)."""
from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

PATH = "/api/v1/partners/markers"
# Values the spec's patterns refuse, one step outside them (a pattern has no "minimum" to step over).
OUTSIDE_PATTERN = {
    "bbox": ["90.00001,0,90,1", "-90.00001,0,0,1", "0,180.00001,1,1", "0,0,1,-180.00001", "0,-181,1,1",
             "0,0,100,1", "0,0,1", "0,0,1,1,1", "a,b,c,d", ""],
    "country": ["D", "DKK", "D1"],
    "language": ["d", "dan", "d1"],
}


@pytest.fixture(scope="module")
def spec(api_app) -> dict:
    return api_app.test_client().get("/api/v1/openapi.json").get_json()


@pytest.fixture(scope="module")
def parameters(spec) -> dict[str, dict]:
    return {parameter["name"]: parameter for parameter in spec["paths"][PATH]["get"]["parameters"]}


def _values(schema: dict) -> st.SearchStrategy:
    """Every value the schema allows: its type, enum, bounds and pattern, and nothing else."""
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema["type"]
    if kind == "integer":
        return st.integers(schema.get("minimum"), schema.get("maximum"))
    if kind == "number":
        return st.floats(schema.get("minimum"), schema.get("maximum"), allow_nan=False, allow_infinity=False)
    if kind == "array":
        return st.lists(_values(schema["items"]), min_size=schema.get("minItems", 0) or 1, max_size=3)
    assert kind == "string", schema
    if "pattern" in schema:
        text = st.from_regex(schema["pattern"], fullmatch=True)
        return text.filter(lambda value: schema.get("minLength", 0) <= len(value) <= schema.get("maxLength", len(value)))
    return st.text(min_size=schema.get("minLength", 0), max_size=schema.get("maxLength"))


def _outside(name: str, schema: dict) -> list:
    """Values one step beyond what the schema allows."""
    if schema.get("type") == "array":
        return [[value] for value in _outside(name, schema["items"])]
    found = []
    if "enum" in schema:
        found.append("not-" + str(schema["enum"][0]))
    if "minimum" in schema:
        found.append(schema["minimum"] - 1)
    if "maximum" in schema:
        found.append(schema["maximum"] + 1)
    if schema.get("minLength", 0) > 0:
        found.append("a" * (schema["minLength"] - 1))
    if "maxLength" in schema:
        found.append("a" * (schema["maxLength"] + 1))
    if "pattern" in schema:
        for value in OUTSIDE_PATTERN[name]:  # kept honest: each must really be outside the stated pattern
            assert not re.fullmatch(schema["pattern"], value), (name, value)
        found += OUTSIDE_PATTERN[name]
    return found


def _ordered(bbox: str) -> str:
    """A generated bbox with south <= north, as the description requires (west > east is allowed)."""
    south, west, north, east = bbox.split(",")
    if float(south) > float(north):
        south, north = north, south
    return ",".join((south, west, north, east))


def _get(app, params: dict):
    return app.test_client().get(PATH, query_string=params)


def test_every_markers_parameter_states_bounds(parameters):
    # Nothing is left as a bare string or number: a generator could only guess at it.
    for name, parameter in parameters.items():
        schema = parameter["schema"].get("items", parameter["schema"])
        stated = {"enum", "pattern", "maxLength", "minimum", "maximum"} & set(schema)
        assert stated, f"{name}: the spec states no bound for it"


def test_a_bbox_generated_from_the_spec_is_accepted(api_app, parameters):
    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(bbox=_values(parameters["bbox"]["schema"]))
    def accepted(bbox):
        response = _get(api_app, {"bbox": _ordered(bbox)})
        assert response.status_code == 200, (bbox, response.get_json())

    accepted()


@pytest.mark.parametrize("name", ["q", "text", "tier", "cert", "country", "language", "industry", "zoom"])
def test_each_optional_parameter_generated_from_the_spec_is_accepted(api_app, parameters, name):
    assert not parameters[name]["required"]

    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(bbox=_values(parameters["bbox"]["schema"]), value=_values(parameters[name]["schema"]))
    def accepted(bbox, value):
        response = _get(api_app, {"bbox": _ordered(bbox), name: value})
        assert response.status_code == 200, (name, value, response.get_json())

    accepted()


def test_the_bounds_themselves_are_accepted(api_app):
    for bbox in ("-90,-180,90,180", "-90.0,180.0,90.00,-180", "0,0,0,0", "-0.5,-179.99999,89.99999,179.99999"):
        assert _get(api_app, {"bbox": bbox}).status_code == 200, bbox


def test_one_step_beyond_the_spec_is_a_400_naming_the_parameter(api_app, parameters):
    checked = 0
    for name, parameter in parameters.items():
        for value in _outside(name, parameter["schema"]):
            params = {"bbox": "54.5,8.0,57.8,12.7", name: value}
            response = _get(api_app, params)
            assert response.status_code == 400, (name, value)
            assert name in response.get_json()["error"]["fields"], (name, value, response.get_json())
            checked += 1
    assert checked >= 20


def test_south_above_north_is_refused_as_the_description_says(api_app, parameters):
    assert "south <= north" in parameters["bbox"]["description"]
    assert _get(api_app, {"bbox": "10,0,5,1"}).status_code == 400
