"""The charts a screen drew, checked against the Vega-Lite schema.

Screens draw charts without Altair's checks (``ui.charts.draw``): they are made here instead, on
every chart the page tests draw.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import altair as alt
import jsonschema
from streamlit.testing.v1 import AppTest


@cache
def _validator() -> jsonschema.protocols.Validator:
    schema = alt.vegalite.v6.schema.core.load_schema()
    return jsonschema.validators.validator_for(schema)(schema)


def problems(spec: dict[str, Any]) -> list[str]:
    """What makes ``spec`` an invalid Vega-Lite spec (empty when it is valid)."""
    return [
        f"{'/'.join(map(str, e.absolute_path)) or 'spec'}: {e.message[:300]}" for e in _validator().iter_errors(spec)
    ]


def valid_charts(at: AppTest) -> list[dict[str, Any]]:
    """The specs of the charts ``at`` drew, each checked against the schema (an error if one fails)."""
    specs = [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]
    for spec in specs:
        # Streamlit sends a chart's inline data beside its spec: the spec is checked with a
        # reference to it in the place the data had.
        found = problems(spec if "data" in spec or "datasets" in spec else spec | {"data": {"name": "beside"}})
        assert not found, f"an invalid chart ({spec.get('title') or spec.get('mark')}): {found[:5]}"
    return specs
