"""The model the structured-output tests parse replies into."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Person(BaseModel):
    name: str
    age: int = Field(ge=0)
