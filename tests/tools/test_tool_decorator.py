"""``@tool``: schemas from type hints and docstrings, validated calls, and refusals of what cannot work."""

from __future__ import annotations

import asyncio
import json
from enum import Enum
from typing import Annotated, Literal

import pytest
from pydantic import BaseModel, Field

from llm_resolver import LLMBadRequestError, Tool, ToolArgumentsError, tool
from llm_resolver.tools import as_tool


class Unit(Enum):
    CELSIUS = "celsius"
    FAHRENHEIT = "fahrenheit"


class Address(BaseModel):
    street: str
    city: str = "Paris"


class Order(BaseModel):
    item: str
    quantity: int = Field(ge=1)
    ship_to: Address


class Node(BaseModel):
    name: str
    children: list[Node] = []


class Opaque:
    """A type pydantic has no schema for."""


@tool
def forecast(
    city: str,
    days: int = 3,
    unit: Unit = Unit.CELSIUS,
    detail: Literal["short", "full"] = "short",
    hourly: bool = False,
) -> str:
    """Get the weather forecast for a city.

    Uses the national weather service where there is one.

    Args:
        city: The city name, e.g. Lyon.
        days: How many days ahead,
            from 1 to 10.

    Returns:
        The forecast as text.
    """
    return f"{city}:{days}:{unit.value}:{detail}:{hourly}"


def test_schema_comes_from_the_type_hints_and_the_docstring() -> None:
    schema = forecast.parameters
    assert forecast.name == "forecast"
    assert forecast.description == (
        "Get the weather forecast for a city.\n\nUses the national weather service where there is one."
    )
    assert schema["type"] == "object"
    assert schema["required"] == ["city"]
    assert schema["additionalProperties"] is False
    props = schema["properties"]
    assert props["city"] == {"type": "string", "description": "The city name, e.g. Lyon."}
    assert props["days"] == {
        "type": "integer",
        "default": 3,
        "description": "How many days ahead, from 1 to 10.",
    }
    assert props["unit"]["enum"] == ["celsius", "fahrenheit"]
    assert props["unit"]["default"] == "celsius"
    assert props["detail"] == {"type": "string", "enum": ["short", "full"], "default": "short"}
    assert props["hourly"] == {"type": "boolean", "default": False}
    assert "$defs" not in schema
    assert "title" not in json.dumps(schema)


def test_optional_unions_lists_dicts_and_nested_models() -> None:
    @tool
    def place(
        order: Order,
        notes: list[str] | None = None,
        tags: dict[str, int] | None = None,
        priority: int | str = 1,
        gift: Address | None = None,
    ) -> str:
        """Place an order."""
        return "ok"

    props = place.parameters["properties"]
    assert place.parameters["required"] == ["order"]
    order = props["order"]
    assert order["type"] == "object"
    assert order["required"] == ["item", "quantity", "ship_to"]
    assert order["properties"]["quantity"] == {"type": "integer", "minimum": 1}
    assert order["properties"]["ship_to"]["properties"]["city"] == {"type": "string", "default": "Paris"}
    assert props["notes"]["anyOf"] == [{"type": "array", "items": {"type": "string"}}, {"type": "null"}]
    assert props["tags"]["anyOf"][0] == {"type": "object", "additionalProperties": {"type": "integer"}}
    assert props["priority"]["anyOf"] == [{"type": "integer"}, {"type": "string"}]
    assert props["gift"]["anyOf"][0]["properties"]["street"] == {"type": "string"}
    assert "$ref" not in json.dumps(place.parameters)


def test_annotated_descriptions_win_over_the_docstring() -> None:
    @tool(name="lookup", description="Find a word.")
    def find(word: Annotated[str, "the word to look up"], limit: Annotated[int, Field(ge=1)] = 5) -> str:
        """Ignored summary.

        Args:
            word: docstring text that loses.
            limit: how many senses.
        """
        return word

    assert find.name == "lookup"
    assert find.description == "Find a word."
    assert find.parameters["properties"]["word"]["description"] == "the word to look up"
    assert find.parameters["properties"]["limit"] == {
        "type": "integer",
        "minimum": 1,
        "default": 5,
        "description": "how many senses.",
    }
    with pytest.raises(ToolArgumentsError, match="limit"):
        find(word="x", limit=0)


def test_sphinx_params_and_a_missing_docstring() -> None:
    @tool
    def scale(value: float, factor: float = 2.0) -> float:
        """Scale a value.

        :param value: the number to scale
        :param float factor: the multiplier
        """
        return value * factor

    @tool
    def bare(x: int) -> int:
        return x

    assert scale.parameters["properties"]["value"]["description"] == "the number to scale"
    assert scale.parameters["properties"]["factor"]["description"] == "the multiplier"
    assert scale.description == "Scale a value."
    assert bare.description == ""
    assert "description" not in bare.to_openai()["function"]


def test_recursive_models_keep_their_definitions() -> None:
    @tool
    def walk(tree: Node) -> int:
        """Count nodes."""
        return 1 + sum(walk.function(c) for c in tree.children) if walk.function else 0

    schema = walk.parameters
    assert schema["$defs"]["Node"]["properties"]["children"]["items"] == {"$ref": "#/$defs/Node"}
    assert (
        walk(tree={"name": "a", "children": [{"name": "b"}, {"name": "c", "children": [{"name": "d"}]}]}) == 4
    )


def test_calling_a_tool_validates_and_converts_arguments() -> None:
    assert forecast("Lyon") == "Lyon:3:celsius:short:False"
    assert forecast(city="Lyon", days="5", unit="fahrenheit") == "Lyon:5:fahrenheit:short:False"
    assert forecast.validate({"city": "Nice", "unit": "celsius"})["unit"] is Unit.CELSIUS

    with pytest.raises(ToolArgumentsError) as caught:
        forecast.validate({"days": "soon", "colour": "red"})
    assert caught.value.problems == [
        "city: Field required",
        "days: Input should be a valid integer, unable to parse string as an integer (got 'soon')",
        "colour: Extra inputs are not permitted",
    ]
    assert isinstance(caught.value, LLMBadRequestError)
    with pytest.raises(ToolArgumentsError, match="both by position and by name"):
        forecast("Lyon", city="Nice")
    with pytest.raises(ToolArgumentsError, match="takes 5 arguments"):
        forecast("a", 1, "celsius", "short", True, "extra")


def test_nested_models_arrive_as_model_instances() -> None:
    received: list[Order] = []

    @tool
    def place(order: Order) -> str:
        """Place an order."""
        received.append(order)
        return order.ship_to.city

    assert place(order={"item": "pen", "quantity": 2, "ship_to": {"street": "1 rue"}}) == "Paris"
    assert received == [Order(item="pen", quantity=2, ship_to=Address(street="1 rue"))]


def test_parameters_named_like_pydantic_attributes_work() -> None:
    @tool
    def dump(json: str, schema: int = 0, model_config: bool = False) -> str:
        """Echo."""
        return f"{json}{schema}{model_config}"

    assert list(dump.parameters["properties"]) == ["json", "schema", "model_config"]
    assert dump(json="x", schema=2) == "x2False"


async def test_async_tools_return_awaitables_and_are_marked_async() -> None:
    @tool
    async def slow_double(x: int) -> int:
        """Double a number, slowly."""
        await asyncio.sleep(0)
        return 2 * x

    assert slow_double.is_async
    assert not forecast.is_async
    assert await slow_double(x="21") == 42


def test_wire_names_replace_characters_providers_refuse() -> None:
    namespaced = as_tool(forecast, name="weather.forecast")
    assert namespaced.wire_name == "weather_forecast"
    assert namespaced.to_openai()["function"]["name"] == "weather_forecast"
    assert namespaced("Oslo") == "Oslo:3:celsius:short:False"
    assert as_tool(forecast) is forecast


def test_functions_a_schema_cannot_describe_are_refused() -> None:
    def untyped(x):  # type: ignore[no-untyped-def]
        return x

    def star(*values: int) -> int:
        return sum(values)

    def keywords(**options: str) -> str:
        return ""

    def positional(x: int, /) -> int:
        return x

    def opaque(thing: Opaque) -> None:
        return None

    with pytest.raises(TypeError, match="'x' has no type hint"):
        tool(untyped)
    with pytest.raises(TypeError, match="variadic positional"):
        tool(star)
    with pytest.raises(TypeError, match="variadic keyword"):
        tool(keywords)
    with pytest.raises(TypeError, match="positional-only"):
        tool(positional)
    with pytest.raises(TypeError, match="cannot build a JSON schema"):
        tool(opaque)

    def local_type(thing: LocalOnly) -> None:  # noqa: F821 - the point: a name the hint cannot reach
        return None

    with pytest.raises(TypeError, match="name 'LocalOnly' is not defined"):
        tool(local_type)
    with pytest.raises(ValueError, match="tool name 'get weather'"):
        tool(name="get weather")(forecast.function)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="must be a function or a Tool"):
        as_tool(42)  # type: ignore[arg-type]


def test_a_hand_made_tool_passes_arguments_through() -> None:
    def add(a: int, b: int) -> int:
        return a + b

    raw = Tool(
        name="add",
        description="Add.",
        parameters={"type": "object", "properties": {"a": {}, "b": {}}},
        function=add,
    )
    assert raw(2, 3) == 5
    assert raw.validate({"a": "x"}) == {"a": "x"}
    offered_only = Tool(name="remote", description="", parameters={"type": "object"})
    with pytest.raises(LLMBadRequestError, match="no function to run"):
        offered_only.invoke({})
